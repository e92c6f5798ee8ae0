/**
 * The queue contract between ingest and dispatch. Ingest stages events with `offer` and makes
 * them durable with `commit` before it acknowledges anything; the dispatcher takes them in
 * batches and calls `complete` once each has an outcome (delivered or dead-lettered), which is
 * when a durable backend forgets them. Implementations: the in-memory ring buffer and the SQLite
 * store; a distributed backend can come later behind the same interface.
 */
import type { QueuedEvent } from '../pipeline/ilert-event'

export type OfferResult = { kind: 'accepted' } | { kind: 'full'; reason: 'queue_full' }

export type CommitResult =
  | { kind: 'ok'; committed: number }
  | { kind: 'error'; reason: 'storage_full' | 'storage_error'; message: string; lost: number }

export interface EventQueue {
  readonly capacity: number
  /** True when a commit costs a write (durable): callers then share commits across requests. */
  readonly groupCommit: boolean
  /** Events waiting to be taken by the dispatcher (the depth gauge). */
  readonly size: number
  /** Room for more events: capacity minus everything the backend still holds undelivered. */
  freeSlots(): number
  /** Stages one event; O(1). Returns `full` instead of waiting or dropping. */
  offer(event: Omit<QueuedEvent, 'id'>): OfferResult
  /**
   * Makes staged events durable (one transaction: group commit). Acknowledge only after `ok`.
   * On error the staged events are discarded and must not be acknowledged.
   */
  commit(): CommitResult
  /** Moves up to `max` committed events, oldest first, into `out`; returns how many. */
  takeBatch(max: number, out: QueuedEvent[]): number
  /** The events with these ids have an outcome; a durable backend deletes them. */
  complete(ids: readonly number[]): void
  /** Persists the attempt count of these events (kept with the event across restarts). */
  recordAttempts(ids: readonly number[], attempts: number): void
  /** Called (once per registration) when space frees up. */
  onSpace(listener: () => void): void
  /** Called when committed events arrive on an idle queue, so the dispatcher can wake. */
  onData(listener: () => void): void
  close(): void
}
