/**
 * A checkpoint of a large live set written a few lanes per event-loop turn, so compaction does
 * not stop ingest for as long as serializing every pending call takes (about 1-2 µs a call here:
 * 160-210 ms at 100,000 pending calls, seconds at a million). Copy-on-write at lane granularity:
 * every lane that exists when it begins is due (LaneTable.checkpointing: a number, so beginning
 * and ending cost nothing however many lanes there are); a step writes the next ones, and a lane
 * about to change (an event merged into it, an outcome, a replayed dead letter: LaneTable calls
 * `beforeChange`) is written first, as it was. So the file holds every lane exactly as it was
 * when the checkpoint began, like one written in one go at that moment, and a restart replays the
 * log from the segment it began with. Lanes created meanwhile are not in it: all their events are
 * in that segment or later. Until `finish` renames it into place the file does not count, so a
 * crash or `abandon` leaves the log as it was.
 */
import type { Entry } from '../../dispatch/coalesce'
import type { Lane, LaneTable, Source } from '../../dispatch/lanes'
import type { IlertEventBody } from '../../pipeline/ilert-event'
import type { CheckpointWriter } from './checkpoint'

export interface StepLimits {
  /** Time one step may take (ms); the next step runs in a later event-loop turn. */
  stepMs: number
  /** Lanes one step writes at most. */
  maxLanesPerStep: number
}

export type SteppedOutcome = { kind: 'written'; bytes: number } | { kind: 'failed'; error: Error }

export class SteppedCheckpoint {
  /** This checkpoint's number in the table (LaneTable.checkpointing). */
  private readonly no: number
  /** Where the steps are: the table's maps are walked live (a lane created meanwhile is not due, one deleted was written first). */
  private readonly sources: Iterator<Source>
  private lanes: Iterator<Lane> | undefined
  private over = false

  constructor(
    private readonly table: LaneTable,
    private readonly writer: CheckpointWriter,
    private readonly bodyOf: (e: Entry) => IlertEventBody,
    private readonly limits: StepLimits,
    /** The send history and open digests as of the start (written last). */
    private readonly sends: ReadonlyMap<string, readonly number[]>,
    private readonly digests: ReadonlySet<string>,
    private readonly settle: (outcome: SteppedOutcome) => void,
  ) {
    this.no = table.beginCheckpoint((lane) => this.write(lane))
    this.sources = table.sources.values()
    this.schedule()
  }

  /** Writes every lane still due and finishes now (a caller that needs the checkpoint whole). */
  finishNow(): void {
    for (let lane = this.nextDue(); lane !== undefined && !this.over; lane = this.nextDue()) this.write(lane)
    if (!this.over) this.finish()
  }

  /** Gives up (the store is closing): the temporary file goes, the log is as it was. */
  abandon(): void {
    if (this.over) return
    this.end()
    this.writer.abandon()
  }

  private schedule(): void {
    setImmediate(() => this.step())
  }

  private step(): void {
    if (this.over) return
    const deadline = performance.now() + this.limits.stepMs
    let written = 0
    for (let lane = this.nextDue(); lane !== undefined; lane = this.nextDue()) {
      this.write(lane)
      if (this.over) return
      if (++written >= this.limits.maxLanesPerStep || performance.now() >= deadline) return this.schedule()
    }
    this.finish()
  }

  /** The next lane not written yet, or undefined when every lane is. */
  private nextDue(): Lane | undefined {
    for (;;) {
      if (this.lanes === undefined) {
        const s = this.sources.next()
        if (s.done) return undefined
        this.lanes = s.value.lanes.values()
      }
      const l = this.lanes.next()
      if (l.done) this.lanes = undefined
      else if (l.value.checkpointed < this.no) return l.value
    }
  }

  private write(lane: Lane): void {
    if (lane.checkpointed >= this.no || this.over) return
    lane.checkpointed = this.no
    try {
      for (const e of lane.entries) this.writer.entry(lane.key, e, this.bodyOf)
    } catch (err) {
      this.fail(err as Error)
    }
  }

  private finish(): void {
    this.end()
    let bytes: number
    try {
      bytes = this.writer.finish(this.sends, this.digests)
    } catch (err) {
      this.writer.abandon()
      this.settle({ kind: 'failed', error: err as Error })
      return
    }
    this.settle({ kind: 'written', bytes })
  }

  private fail(error: Error): void {
    this.end()
    this.writer.abandon()
    this.settle({ kind: 'failed', error })
  }

  /** No lane is due any more, and the table stops calling back. */
  private end(): void {
    this.over = true
    this.table.endCheckpoint()
  }
}
