/**
 * The one path every transport uses to turn a parsed value into a stored event:
 * validate ► normalize ► offer to the store, then `commit` once per request or TCP chunk (group
 * commit) before anything is acknowledged. Returns tagged outcomes whose reasons are also the
 * metric labels. Allocation-light: no closures or promises per event.
 */
import type { CommitResult, EventStore } from '../queue/event-store'
import type { InvalidStored } from '../queue/replay-invalid'
import { type IlertEventBody, laneKeyFor, type QueuedEvent } from '../pipeline/ilert-event'
import { type Normalizer, TYPE_MAP } from '../pipeline/normalize'
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
  /**
   * Validates, normalizes and stages one parsed JSON value; not acknowledged until `commit`.
   * `raw` is the event's own text, when the transport has it: the durable store keeps those bytes
   * as they are instead of serializing the event again. `source` (default `raw`) is the JSON text
   * the value was parsed from, which validation reads only for a number beyond ±(2^53 − 1).
   * `at` (performance.now()) is when the read or request that carried it was taken up: a transport
   * that accepts many events from one read passes it, read once, instead of a clock read per event.
   */
  accept(value: unknown, transport: Transport, raw?: string, source?: string, at?: number): AcceptOutcome
  /**
   * Makes everything staged since the last commit durable. Only after `ok` may the transport
   * acknowledge; on error nothing staged may be acknowledged (counted as storage rejects). With
   * `queue.sync: full` the result is a promise: commits made while a sync is in flight are written
   * together once it is done (group commit), so callers simply await their own.
   */
  commit(transport: Transport): CommitResult | Promise<CommitResult>
  /** Events staged so far (a mark for `keepBatchText`). */
  stagedCount(): number
  /**
   * Every event staged since `mark` was accepted from the items of the JSON array `text`, in
   * order: the durable store keeps that text once instead of serializing each event.
   */
  keepBatchText(mark: number, text: string): void
  /** Same as `commit`, for callers that share commits across requests (kept for the HTTP path). */
  commitShared(): CommitResult | Promise<CommitResult>
  /** True while the store has no room; callers should stop reading until `onSpace`. */
  isFull(): boolean
  /** For stream sources: stop reading until `onSpace` (no room, or the store's staging bound reached). */
  shouldPause(): boolean
  /** Free slots now; HTTP checks a whole batch fits before accepting any of it. */
  freeSlots(): number
  onSpace(listener: () => void): void
  /** Counts a rejection made by a transport before `accept` (bad JSON, oversize line...). */
  countRejected(transport: Transport, reason: string): void
}

export function createIngestor(store: EventStore, normalizer: Normalizer, metrics: Metrics): Ingestor {
  /** Events staged since the last write, per transport: whoever commits, each is counted once. */
  const staged = Object.fromEntries(TRANSPORTS.map((t) => [t, 0])) as Record<Transport, number>
  store.onWrite((r) => {
    for (const t of TRANSPORTS) {
      const n = staged[t]
      if (n === 0) continue
      staged[t] = 0
      if (r.kind === 'ok') metrics.countAccepted(t, n)
      else metrics.rejected.labels(t, r.reason).inc(n)
    }
  })
  const commit = () => store.commit()

  return {
    accept(value, transport, raw, source = raw, at = performance.now()) {
      const v = validateEvent(value, source)
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
      // Built with every field the store sets (id), so the object keeps one shape on its way.
      const event: QueuedEvent = { id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: at, attempts: 0 }
      if (store.offer(event, raw).kind === 'full') {
        metrics.rejected.labels(transport, 'queue_full').inc()
        return FULL
      }
      staged[transport]++
      return ACCEPTED
    },
    commit,
    stagedCount: () => store.stagedCount(),
    keepBatchText: (mark, text) => store.keepBatchText(mark, text),
    commitShared: commit,
    isFull: () => store.freeSlots() <= 0,
    shouldPause: () => store.freeSlots() <= 0 || store.stagingFull?.() === true,
    freeSlots: () => store.freeSlots(),
    onSpace: (l) => store.onSpace(l),
    countRejected(transport, reason) {
      metrics.rejected.labels(transport, reason).inc()
    },
  }
}

/** Rebuilds the ilert body of an event the store kept as received (a restart's replay). */
export function decodeStoredEvent(normalizer: Normalizer): (text: string) => IlertEventBody | undefined {
  return (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    const v = validateEvent(value, text)
    if (v.kind === 'invalid') return undefined
    const n = normalizer.normalize(v.event)
    return n.kind === 'ok' ? n.body : undefined
  }
}

/** Explains why a stored event (its text as received) no longer validates, with a preview of it. */
export function explainStoredEvent(normalizer: Normalizer, defaultIntegrationKey: string): (text: string) => InvalidStored {
  return (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      return { error: `invalid_json: ${(err as Error).message}`, preview: { integrationKey: defaultIntegrationKey, eventType: 'ALERT', summary: '' }, laneKey: '' }
    }
    const v = validateEvent(value, text)
    const n = v.kind === 'valid' ? normalizer.normalize(v.event) : undefined
    const error = v.kind === 'invalid' ? `${v.field} ${v.message}` : n?.kind === 'invalid' ? `${n.field} ${n.message}` : 'valid again'
    const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
    const str = (x: unknown) => (typeof x === 'string' ? x : undefined)
    const alertKey = str(o.alert_key) ?? str(o.mcp_id)
    const type = str(o.event_type) ?? 'alert'
    const preview: IlertEventBody = {
      integrationKey: str(o.integration_key) ?? defaultIntegrationKey,
      eventType: Object.hasOwn(TYPE_MAP, type) ? TYPE_MAP[type]! : 'ALERT',
      summary: str(o.summary) ?? '',
    }
    if (alertKey !== undefined) preview.alertKey = alertKey
    return { error, preview, laneKey: laneKeyFor(alertKey) }
  }
}
