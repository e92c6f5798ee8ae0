/**
 * Preallocated bounded ring buffer: the in-memory EventQueue (queue.durable: false). Every
 * operation is O(1) and allocation-free (slots are reused; taken slots are cleared so events can
 * be collected). Nothing survives the process: see the README's delivery guarantees.
 */
import type { QueuedEvent } from '../pipeline/ilert-event'
import type { CommitResult, EventQueue, OfferResult } from './event-queue'

const ACCEPTED: OfferResult = { kind: 'accepted' }
const FULL: OfferResult = { kind: 'full', reason: 'queue_full' }

export class RingBuffer implements EventQueue {
  readonly capacity: number
  readonly groupCommit = false
  private readonly slots: (QueuedEvent | undefined)[]
  private head = 0
  private count = 0
  private staged = 0
  private spaceListeners: (() => void)[] = []
  private dataListener: (() => void) | undefined

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer')
    this.capacity = capacity
    this.slots = new Array(capacity).fill(undefined)
  }

  get size(): number {
    return this.count
  }

  freeSlots(): number {
    return this.capacity - this.count
  }

  offer(event: Omit<QueuedEvent, 'id'>): OfferResult {
    if (this.count === this.capacity) return FULL
    let tail = this.head + this.count
    if (tail >= this.capacity) tail -= this.capacity
    const e = event as QueuedEvent
    e.id = 0
    this.slots[tail] = e
    this.count++
    this.staged++
    return ACCEPTED
  }

  /** Memory needs no commit; it only wakes the dispatcher. */
  commit(): CommitResult {
    const committed = this.staged
    this.staged = 0
    if (committed > 0) this.dataListener?.()
    return { kind: 'ok', committed }
  }

  takeBatch(max: number, out: QueuedEvent[]): number {
    const n = Math.min(max, this.count)
    for (let i = 0; i < n; i++) {
      out.push(this.slots[this.head] as QueuedEvent)
      this.slots[this.head] = undefined
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1
    }
    this.count -= n
    if (n > 0 && this.spaceListeners.length > 0) {
      const listeners = this.spaceListeners
      this.spaceListeners = []
      for (const l of listeners) l()
    }
    return n
  }

  complete(): void {}

  recordAttempts(): void {}

  onSpace(listener: () => void): void {
    this.spaceListeners.push(listener)
  }

  onData(listener: () => void): void {
    this.dataListener = listener
  }

  close(): void {}
}
