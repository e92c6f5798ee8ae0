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

/** One accepted event as it travels from ingest through the store's lanes to the dispatcher. */
export interface QueuedEvent {
  /** Sequence number in the store (assigned at commit; 0 before). */
  id: number
  body: IlertEventBody
  /**
   * Lane key for ordering and coalescing: the alert key, or '' when the sender gave none (the
   * store then gives the event a lane of its own, "A:<sequence number>", stable across a replay).
   */
  laneKey: string
  /** performance.now() at acceptance, for mcp_processing_latency_seconds. */
  acceptedAt: number
  /** Delivery attempts so far (survives coalescing; kept with the event). */
  attempts: number
}

/**
 * The dispatcher lane an event belongs to. ilert compares alert keys case-insensitively, so lanes
 * do too: a keyed lane is the lower-cased alert key itself (no prefix, so the string JSON.parse
 * made is the map key and no new string is built per event). An event without a key gets '' here
 * and "A:<seq>" from the store; a lower-cased key never holds a capital A, so no alert key a
 * sender chooses can land in (and be merged into) such a lane.
 */
export function laneKeyFor(alertKey: string | undefined): string {
  return alertKey === undefined ? '' : alertKey.toLowerCase()
}
