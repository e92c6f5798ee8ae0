/**
 * Coalescing rules. Events waiting for the same (integration key, alert key) form a lane of
 * entries, one entry per state change. A new event merges into the lane's last entry when that
 * entry has the same event type and is not on the wire; otherwise it starts a new entry. So an
 * alert storm becomes one ilert call per alert and state change, and per-key order is kept
 * (ALERT, RESOLVE, ALERT stays three calls in that order).
 */
import type { IlertEventBody, QueuedEvent } from '../pipeline/ilert-event'
import type { SpillRef } from '../queue/wal/spill'

/** One pending ilert call: the newest event of a run of same-type events. */
export interface Entry {
  body: IlertEventBody
  /**
   * body.eventType, and the name of body's only label (null: no labels; undefined: several),
   * kept on the entry so a merge need not load the previous body from memory.
   */
  readonly type: IlertEventBody['eventType']
  soleLabel: string | null | undefined
  /** Events merged into this call (1 = not coalesced). */
  count: number
  /** Acceptance time of the oldest merged event (performance.now()). */
  acceptedAt: number
  attempts: number
  /** Sequence numbers of the oldest and newest event merged into this call (0 in memory). */
  firstSeq: number
  lastSeq: number
  /** Bytes of the stored record whose body this entry carries (what a checkpoint would keep). */
  bytes: number
  /**
   * The JSON text the newest merged event arrived as, while `body` is exactly that event's body
   * (the durable store sets it): a checkpoint writes this text instead of serializing the body.
   */
  raw?: string
  /** Set once a call with it left for ilert: from then on ilert may hold it, so it never cancels. */
  sent?: boolean
  /**
   * Set while the body lives only on disk (queue.max_memory_bytes): `body` is then a skeleton
   * (queue/wal/spill.ts) and the store's `materialize` reads the whole body back before a send.
   */
  spill?: SpillRef
}

/** Comments are appended rather than replaced; beyond this many a new call starts. */
export const MAX_MERGED_COMMENTS = 50

export function newEntry(ev: QueuedEvent, bytes = 0): Entry {
  return {
    body: ev.body,
    type: ev.body.eventType,
    soleLabel: soleLabelOf(ev.body.labels),
    count: 1,
    acceptedAt: ev.acceptedAt,
    attempts: ev.attempts,
    firstSeq: ev.id,
    lastSeq: ev.id,
    bytes,
  }
}

/** The name of the only label, null for none, undefined for several. */
export function soleLabelOf(labels: Record<string, string> | undefined): string | null | undefined {
  if (labels === undefined) return null
  let only: string | undefined
  for (const k in labels) {
    if (only !== undefined) return undefined
    only = k
  }
  return only ?? null
}

/**
 * Merges `ev` into `tail` if allowed and returns true; otherwise leaves both untouched.
 * The newest event's fields win (latest summary, details, priority); labels are unioned;
 * comments accumulate.
 */
export function tryMerge(tail: Entry, ev: QueuedEvent, bytes = 0): boolean {
  const next = ev.body
  if (tail.type !== next.eventType) return false
  if (next.eventType === 'COMMENT') {
    const prev = tail.body
    const merged = (prev.comments?.length ?? 0) + (next.comments?.length ?? 0)
    if (merged > MAX_MERGED_COMMENTS) return false
    tail.body = prev.comments && next.comments ? { ...next, comments: [...prev.comments, ...next.comments] } : next
  } else {
    const sole = tail.soleLabel
    if (sole === null || (sole !== undefined && next.labels !== undefined && sole in next.labels)) {
      // The common case (a storm repeats its labels): the newest body as it is.
      tail.body = next
      tail.soleLabel = soleLabelOf(next.labels)
    } else {
      const prev = tail.body
      if (!coversLabels(next.labels, prev.labels!)) tail.body = { ...next, labels: { ...prev.labels, ...next.labels } }
      else tail.body = next
      tail.soleLabel = soleLabelOf(tail.body.labels)
    }
  }
  tail.count++
  tail.lastSeq = ev.id
  // Merged comments accumulate; any other merge keeps only the newest body.
  tail.bytes = next.eventType === 'COMMENT' ? tail.bytes + bytes : bytes
  if (ev.attempts > tail.attempts) tail.attempts = ev.attempts
  return true
}

/** True when `next` already names every label of `prev` (a storm repeats its labels): no union needed. */
function coversLabels(next: Record<string, string> | undefined, prev: Record<string, string>): boolean {
  if (next === undefined) return false
  for (const k in prev) if (!(k in next)) return false
  return true
}

/** The body to send: records how many events the call stands for in customDetails. */
export function bodyForSend(entry: Entry): IlertEventBody {
  if (entry.count === 1) return entry.body
  return { ...entry.body, customDetails: { ...entry.body.customDetails, coalesced_events: entry.count } }
}
