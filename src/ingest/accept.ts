/**
 * The one path every transport uses to turn a parsed value into a queued event:
 * validate ► normalize ► offer to the queue, then `commit` once per request or TCP chunk (group
 * commit) before anything is acknowledged. Returns tagged outcomes whose reasons are also the
 * metric labels. Allocation-light: no closures or promises per event.
 */
import type { CommitResult, EventQueue } from '../queue/event-queue'
import { laneKeyFor, type QueuedEvent } from '../pipeline/ilert-event'
import type { Normalizer } from '../pipeline/normalize'
import { validateEvent } from '../pipeline/validate'
import { type Metrics, type Transport, TRANSPORTS } from '../observability/metrics'

export type AcceptOutcome =
  | { kind: 'accepted' }
  | { kind: 'invalid'; reason: RejectReason; field: string; message: string }
  | { kind: 'full'; reason: 'queue_full' }

export type RejectReason =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'schema'
  | 'missing_integration_key'
  | 'unknown_priority'
  | 'line_too_long'
  | 'storage_full'
  | 'storage_error'

const ACCEPTED: AcceptOutcome = { kind: 'accepted' }
const FULL: AcceptOutcome = { kind: 'full', reason: 'queue_full' }

export interface Ingestor {
  /** Validates, normalizes and stages one parsed JSON value; not acknowledged until `commit`. */
  accept(value: unknown, transport: Transport): AcceptOutcome
  /**
   * Makes everything staged since the last commit durable. Only after `ok` may the transport
   * acknowledge; on error nothing staged may be acknowledged (counted as storage rejects).
   */
  commit(transport: Transport): CommitResult
  /**
   * Group commit across requests: resolves with the result of the next commit, which a
   * setImmediate issues (or any transport's `commit` before it), so concurrent HTTP requests
   * share one transaction. A store without a write cost (memory) commits at once and answers
   * synchronously (no promise, no microtask hop on the hot path).
   */
  commitShared(): CommitResult | Promise<CommitResult>
  /** True while the queue has no room; callers should stop reading until `onSpace`. */
  isFull(): boolean
  /** Free queue slots now; HTTP checks a whole batch fits before accepting any of it. */
  freeSlots(): number
  onSpace(listener: () => void): void
  /** Counts a rejection made by a transport before `accept` (bad JSON, oversize line...). */
  countRejected(transport: Transport, reason: string): void
}

export function createIngestor(queue: EventQueue, normalizer: Normalizer, metrics: Metrics): Ingestor {
  // Label lookups hash their arguments; resolve the per-transport children once.
  const inCounters = Object.fromEntries(TRANSPORTS.map((t) => [t, metrics.inEvents.labels(t)])) as Record<Transport, ReturnType<typeof metrics.inEvents.labels>>
  /** Events staged since the last commit, per transport: whoever commits, each is counted once. */
  const staged = Object.fromEntries(TRANSPORTS.map((t) => [t, 0])) as Record<Transport, number>
  /** Requests waiting for the next commit's result. */
  let waiters: ((r: CommitResult) => void)[] = []
  let flushScheduled = false

  const commitNow = (): CommitResult => {
    const r = queue.commit()
    for (const t of TRANSPORTS) {
      const n = staged[t]
      if (n === 0) continue
      staged[t] = 0
      if (r.kind === 'ok') inCounters[t].inc(n)
      else metrics.rejected.labels(t, r.reason).inc(n)
    }
    if (waiters.length > 0) {
      const ws = waiters
      waiters = []
      for (const w of ws) w(r)
    }
    return r
  }
  const flush = () => {
    flushScheduled = false
    if (waiters.length > 0) commitNow()
  }

  return {
    accept(value, transport) {
      const v = validateEvent(value)
      if (v.kind === 'invalid') {
        metrics.rejected.labels(transport, v.reason).inc()
        return v
      }
      const n = normalizer.normalize(v.event)
      if (n.kind === 'invalid') {
        metrics.rejected.labels(transport, n.reason).inc()
        return n
      }
      const body = n.body
      // Built with every field the queue sets (id), so the object keeps one shape on its way.
      const event: QueuedEvent = { id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }
      const res = queue.offer(event)
      if (res.kind === 'full') {
        metrics.rejected.labels(transport, 'queue_full').inc()
        return FULL
      }
      staged[transport]++
      return ACCEPTED
    },
    commit: () => commitNow(),
    commitShared() {
      if (!queue.groupCommit) return commitNow()
      return new Promise<CommitResult>((resolve) => {
        waiters.push(resolve)
        if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      })
    },
    isFull: () => queue.freeSlots() <= 0,
    freeSlots: () => queue.freeSlots(),
    onSpace: (l) => queue.onSpace(l),
    countRejected(transport, reason) {
      metrics.rejected.labels(transport, reason).inc()
    },
  }
}
