/**
 * The in-memory EventStore (queue.durable: false): the same coalescing lanes as the durable store,
 * without the log. A commit puts staged events into the lanes at once and answers synchronously.
 * Nothing survives the process: see the README's delivery guarantees.
 */
import type { Lane } from '../dispatch/lanes'
import { LaneTable, type RateShape } from '../dispatch/lanes'
import type { QueuedEvent } from '../pipeline/ilert-event'
import type { CommitResult, EventStore, OfferResult, StoreHealth } from './event-store'
import { SpaceWaiters } from './space-waiters'

const ACCEPTED: OfferResult = { kind: 'accepted' }
const FULL: OfferResult = { kind: 'full', reason: 'queue_full' }
const OK: StoreHealth = { kind: 'ok' }
const NO_SENDS: ReadonlyMap<string, readonly number[]> = new Map()

/** A body's size without serializing it: its free-text fields plus a fixed overhead. */
function estimateBytes(ev: QueuedEvent): number {
  const b = ev.body
  return 160 + b.summary.length + (b.details?.length ?? 0) + (b.customDetails === undefined ? 0 : 256)
}

export class MemoryStore implements EventStore {
  readonly kind = 'memory'
  readonly groupCommit = false
  readonly table: LaneTable
  private readonly staged: QueuedEvent[] = []
  private entryListener: (lane: Lane) => void = () => undefined
  private writeListener: (r: CommitResult) => void = () => undefined
  private readonly space = new SpaceWaiters()
  private seq = 0

  /** Bytes of the staged events' bodies (their text, or an estimate). */
  private readonly stagedSizes: number[] = []
  private stagedBytes = 0

  constructor(
    readonly capacity: number,
    rate: RateShape,
    /** queue.max_memory_bytes: bytes of bodies the lanes may hold. */
    private readonly maxMemoryBytes = Infinity,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer')
    this.table = new LaneTable(rate)
  }

  freeSlots(): number {
    if (this.table.bytes + this.stagedBytes >= this.maxMemoryBytes) return 0
    return this.capacity - this.table.entries - this.staged.length
  }

  offer(event: QueuedEvent, raw: string | undefined): OfferResult {
    if (this.table.entries + this.staged.length >= this.capacity || this.table.bytes + this.stagedBytes >= this.maxMemoryBytes) return FULL
    // The text the event came in as is its size; without one (MCP, sources that build bodies) an estimate.
    const size = raw !== undefined ? raw.length : estimateBytes(event)
    this.staged.push(event)
    this.stagedSizes.push(size)
    this.stagedBytes += size
    return ACCEPTED
  }

  stagedCount(): number {
    return this.staged.length
  }

  keepBatchText(_from: number, _text: string): void {}

  commit(): CommitResult {
    const n = this.staged.length
    const r: CommitResult = { kind: 'ok', committed: n }
    if (n === 0) return r
    const table = this.table
    for (let i = 0; i < n; i++) {
      const ev = this.staged[i]!
      const size = this.stagedSizes[i]!
      if (ev.id !== 0) {
        this.entryListener(table.insertBySeq(ev, size)) // a replayed dead letter keeps its place
        continue
      }
      ev.id = ++this.seq
      if (ev.laneKey === '') ev.laneKey = `A:${ev.id}`
      if (!table.add(ev, size)) this.entryListener(table.lastLane!)
    }
    this.staged.length = 0
    this.stagedSizes.length = 0
    this.stagedBytes = 0
    this.space.wake() // the staged events' slots are free again (most merged into lanes)
    this.writeListener(r)
    return r
  }

  onWrite(listener: (r: CommitResult) => void): void {
    this.writeListener = listener
  }

  onEntry(listener: (lane: Lane) => void): void {
    this.entryListener = listener
  }

  completeHead(lane: Lane): void {
    this.table.completeHead(lane)
    this.space.wake()
  }

  recordAttempt(_lane: Lane): void {}

  noteSent(_integrationKey: string): void {}

  recoveredSends(): ReadonlyMap<string, readonly number[]> {
    return NO_SENDS
  }

  onSpace(listener: () => void): void {
    this.space.add(listener)
  }

  health(): StoreHealth {
    return OK
  }

  diskBytes(): number {
    return 0
  }

  close(): void {}
}
