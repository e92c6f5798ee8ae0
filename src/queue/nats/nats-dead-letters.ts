/**
 * Dead letters of the shared store, in a KV bucket (`<stream>_DEAD`, key d.<id>) so any instance
 * can list, replay and purge them. `add` is synchronous (the dispatcher's contract): the entry is
 * kept here and written at once; `flushed()` resolves when every write so far is stored, and the
 * store waits for it before it removes the call's events from the stream. Other instances'
 * dead letters arrive through a watch.
 */
import type { KV } from '@nats-io/kv'
import { type DeadLetter, type DeadLetterStore, masked, type NewDeadLetter, partitionReplay, type ReplayReport, type Requeue, type Selection } from '../dead-letters'

export class NatsDeadLetters implements DeadLetterStore {
  private readonly items = new Map<number, DeadLetter>()
  private writes: Promise<void> = Promise.resolve()
  private counter = 0

  constructor(private readonly kv: KV) {}

  /** Loads what the bucket holds and follows every instance's changes. */
  async open(): Promise<void> {
    const w = await this.kv.watch({ key: 'd.*' })
    let ready: () => void = () => undefined
    const loaded = new Promise<void>((r) => (ready = r))
    void (async () => {
      for await (const e of w) {
        const id = Number(e.key.slice(2))
        if (e.operation === 'PUT') this.items.set(id, JSON.parse(e.string()) as DeadLetter)
        else this.items.delete(id)
        if (e.delta === 0) ready()
      }
    })()
    const status = await this.kv.status()
    if (status.values === 0) ready()
    await Promise.race([loaded, Bun.sleep(5000)])
  }

  get size(): number {
    return this.items.size
  }

  add(e: NewDeadLetter) {
    const { body, ...rest } = e
    const id = Date.now() * 1000 + (this.counter++ % 1000)
    const d: DeadLetter = { id, deadAt: new Date().toISOString(), ...rest, supersededBy: null, event: body }
    this.items.set(id, d)
    this.store(d)
    return { evicted: undefined }
  }

  /** Later deliveries of the same alert key supersede older dead letters (marked in the bucket too). */
  noteDelivered(integrationKey: string, laneKey: string, seq: number): void {
    for (const d of this.items.values()) {
      if (d.supersededBy === null && d.laneKey === laneKey && d.seq < seq && d.event.integrationKey === integrationKey) {
        d.supersededBy = seq
        this.store(d)
      }
    }
  }

  private store(d: DeadLetter): void {
    const id = d.id
    const text = JSON.stringify(d)
    const write = async (): Promise<void> => {
      for (;;) {
        try {
          await this.kv.put(`d.${id}`, text)
          return
        } catch {
          await Bun.sleep(1000)
        }
      }
    }
    this.writes = this.writes.then(write)
  }

  flushed(): Promise<void> {
    return this.writes
  }

  list(limit = 100): DeadLetter[] {
    return [...this.items.values()].sort((a, b) => a.id - b.id).slice(-limit).map(masked)
  }

  async replay(sel: Selection, requeue: Requeue, force = false): Promise<ReplayReport> {
    const { send, superseded } = partitionReplay(this.select(sel), force)
    const moved = await requeue(send.map((d) => ({ body: d.event, seq: d.seq })))
    for (const d of send.slice(0, moved)) await this.remove(d.id)
    return { replayed: moved, superseded, invalid: [] } // the shared store keeps ilert bodies only
  }

  purge(sel: Selection): number {
    const chosen = this.select(sel)
    for (const d of chosen) void this.remove(d.id)
    return chosen.length
  }

  private select(sel: Selection): DeadLetter[] {
    return [...this.items.values()].filter((d) => sel.kind === 'all' || sel.ids.includes(d.id)).sort((a, b) => a.id - b.id)
  }

  private async remove(id: number): Promise<void> {
    this.items.delete(id)
    await this.kv.purge(`d.${id}`).catch(() => undefined)
  }
}
