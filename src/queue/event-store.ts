/**
 * The store contract between ingest and dispatch. The coalescing lanes (dispatch/lanes.ts) ARE the
 * store's index: what is held is what ilert still has to receive, one entry per pending call,
 * however many events were merged into it. Ingest stages events with `offer` and makes them
 * durable with `commit` before it acknowledges anything; a commit puts them into the lanes, where
 * the dispatcher finds them (`onEntry`). The dispatcher reports outcomes (`completeHead`,
 * `recordAttempt`, `noteSent`), which a durable store logs so a restart rebuilds exactly the
 * pending calls. Implementations: memory-store.ts (queue.durable: false) and log-store.ts (a
 * write-ahead log with checkpoints) and nats/nats-store.ts (a JetStream stream shared by several bridges).
 */
import type { Entry } from '../dispatch/coalesce'
import type { Lane, LaneTable } from '../dispatch/lanes'
import type { QueuedEvent } from '../pipeline/ilert-event'

export type OfferResult = { kind: 'accepted' } | { kind: 'full'; reason: 'queue_full' }

export type StorageFailure = 'storage_full' | 'storage_error'

export type CommitResult = { kind: 'ok'; committed: number } | { kind: 'error'; reason: StorageFailure; message: string; lost: number }

/** Why the store cannot take events right now (readiness), or ok. */
export type StoreHealth = { kind: 'ok' } | { kind: 'unavailable'; reason: StorageFailure; message: string }

export interface EventStore {
  readonly kind: 'durable' | 'memory'
  /** Pending calls (lane entries) the store may hold; ingest pushes back beyond it. */
  readonly capacity: number
  /** True when a commit costs a write: callers may share commits across requests. */
  readonly groupCommit: boolean
  /** The coalescing lanes: the store's index and the dispatcher's work list. */
  readonly table: LaneTable
  /** Room for this many more events, counting each staged one as a possible new entry. */
  freeSlots(): number
  /**
   * True while events staged for the next group commit reached the store's staging bound (a write
   * or sync is in flight). Stream sources (TCP, syslog) stop reading until `onSpace`; HTTP does
   * not ask (a request is never refused for it). Absent: no bound beyond capacity.
   */
  stagingFull?(): boolean
  /** Stages one event (`raw`: the text it arrived as, when the transport has it). */
  offer(event: QueuedEvent, raw: string | undefined): OfferResult
  /** Events staged so far in this group (a mark for `keepBatchText`). */
  stagedCount(): number
  /**
   * The events staged since `from` (offered without `raw`) are, in order, exactly the items of
   * the JSON array `text`: a durable store may keep that text once for all of them instead of
   * serializing each event (a 100-event HTTP body costs one record, not 100 JSON.stringify).
   */
  keepBatchText(from: number, text: string): void
  /**
   * Makes staged events durable and puts them into the lanes. Acknowledge only after `ok`: with
   * `queue.sync: full` the result is a promise that settles once the covering sync is done.
   * On error the staged events are discarded and must not be acknowledged.
   */
  commit(): CommitResult | Promise<CommitResult>
  /** Called once per commit write with its outcome and size (the ingest counters). */
  onWrite(listener: (r: CommitResult) => void): void
  /** A lane got a new entry: the dispatcher may need to make it ready. */
  onEntry(listener: (lane: Lane) => void): void
  /** The lane's head call has an outcome (delivered, or stored as a dead letter). */
  completeHead(lane: Lane): void
  /** The lane's head call failed and will be retried; its attempt count survives a restart. */
  recordAttempt(lane: Lane): void
  /** A call left for this integration key now: the send history survives a restart. */
  noteSent(integrationKey: string): void
  /** Send times (epoch ms) recovered for each integration key, newest last. */
  recoveredSends(): ReadonlyMap<string, readonly number[]>
  /**
   * The source's storm digest is open in ilert (its ALERT left) or resolved: kept with the store so
   * a restart resolves a digest it would otherwise never hear of again. Absent: not kept.
   */
  noteDigest?(integrationKey: string, open: boolean): void
  /** Integration keys whose storm digest was open in ilert when the store was last written. */
  recoveredDigests?(): ReadonlySet<string>
  /** Called (once per registration) when room frees up. */
  onSpace(listener: () => void): void
  health(): StoreHealth
  /**
   * May the dispatcher send this lane's head now? (Absent: always.) The shared store answers
   * false for a partition whose lease this instance does not hold (the fence against two
   * senders), and wakes the lane through `onEntry` once it may.
   */
  mayDeliver?(lane: Lane): boolean
  /**
   * Brings the whole body of an entry kept on disk only (queue.max_memory_bytes) back into memory
   * before its call leaves; false when it cannot be read now (the call waits and is tried again).
   * Absent: bodies are always in memory.
   */
  materialize?(entry: Entry): boolean
  /** Bytes the store occupies on disk (0 in memory). */
  diskBytes(): number
  close(): void
}
