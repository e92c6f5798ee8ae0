/**
 * Where a start puts the stored events that a changed configuration no longer accepts (the
 * default integration key removed, a priority no longer mapped): into the dead letters, with the
 * text they arrived as, instead of dropping what was acknowledged. A person lists them, fixes the
 * configuration and replays them (the replay validates the text again). Written in batches, one
 * transaction each, so a large backlog of them costs a few syncs rather than one per event.
 */
import type { IlertEventBody } from '../pipeline/ilert-event'
import type { NewDeadLetter } from './dead-letters'

/** What the dead letters show of a stored event that a changed configuration no longer accepts. */
export interface InvalidStored {
  /** The field and why, as ingest would answer it now. */
  error: string
  /** What could be read of it, for listings (never sent: a replay decodes the received text again). */
  preview: IlertEventBody
  laneKey: string
}

const BATCH = 1_000

export class InvalidAtStart {
  private batch: NewDeadLetter[] = []
  /** Events stored as dead letters, and events lost because the dead letters could not be written. */
  kept = 0
  lost = 0
  lastError = ''

  constructor(
    private readonly explain: (text: string) => InvalidStored,
    private readonly write: (entries: NewDeadLetter[]) => void,
  ) {}

  /** The log store's replayInvalid hook: queues one for the dead letters (true: it is taken care of). */
  add(text: string, seq: number, count: number): boolean {
    const x = this.explain(text)
    this.batch.push({
      reason: 'replay_invalid',
      lastAnswer: `not valid under the configuration of this start: ${x.error}`,
      attempts: 0,
      count,
      laneKey: x.laneKey || `A:${seq}`,
      seq,
      body: x.preview,
      received: text,
    })
    if (this.batch.length >= BATCH) this.flush()
    return true
  }

  /** Writes what is queued; a failure counts its events as lost (the caller reports them as dropped). */
  flush(): void {
    if (this.batch.length === 0) return
    const batch = this.batch
    this.batch = []
    const events = batch.reduce((n, e) => n + e.count, 0)
    try {
      this.write(batch)
      this.kept += events
    } catch (err) {
      this.lost += events
      this.lastError = (err as Error).message
    }
  }
}
