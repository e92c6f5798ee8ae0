/**
 * The outbound shape: ilert's Events API body (spec `components.schemas.Event`), camelCase and
 * upper-case enums as ilert requires. The queue and the dispatcher carry this, plus routing info.
 */
export type IlertEventType = 'ALERT' | 'ACCEPT' | 'RESOLVE' | 'COMMENT'

export interface IlertEventBody {
  integrationKey: string
  eventType: IlertEventType
  summary: string
  details?: string
  alertKey?: string
  priority?: 'HIGH' | 'LOW'
  severity?: number
  images?: { src: string; href?: string; alt?: string }[]
  links?: { href: string; text?: string }[]
  comments?: { creator: string; content: string }[]
  labels?: Record<string, string>
  services?: { alias?: string; id?: number }[]
  customDetails?: Record<string, unknown>
  routingKey?: string
}

/** One accepted event as it travels from ingest through the queue to the dispatcher. */
export interface QueuedEvent {
  /** Store id (durable queue) or 0 (memory); the dispatcher completes events by id. */
  id: number
  body: IlertEventBody
  /** Lane key for ordering and coalescing: alertKey, or a unique id when the sender gave none. */
  laneKey: string
  /** performance.now() at acceptance, for mcp_processing_latency_seconds. */
  acceptedAt: number
  /** Delivery attempts so far (survives coalescing; kept with the event). */
  attempts: number
}

let anonymous = 0
/** Lanes are stored with durable events, so anonymous ones must not repeat across restarts. */
const BOOT = Date.now().toString(36) + Math.random().toString(36).slice(2, 8)

/**
 * The dispatcher lane an event belongs to. ilert compares alert keys case-insensitively, so lanes
 * do too: a keyed lane is the lower-cased alert key itself (no prefix, so the string JSON.parse
 * made is the map key and no new string is built per event). A lane for an event without a key
 * starts with "A:", and a lower-cased key never holds a capital A, so no alert key a sender
 * chooses can land in (and be merged into) such a lane.
 */
export function laneKeyFor(alertKey: string | undefined): string {
  return alertKey === undefined ? `A:${BOOT}:${++anonymous}` : alertKey.toLowerCase()
}
