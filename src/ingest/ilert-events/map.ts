/**
 * ilert's Event body → our inbound event shape (pipeline/event-schema.ts), so it takes the one
 * validate ► normalize ► queue path. ilert's `priority` (HIGH/LOW) becomes the lowest
 * mapping.priority_map number whose level has that ilert priority; `severity` is kept as given.
 * Field names in our validation errors are translated back to ilert's (alert_key → alertKey).
 * Unknown properties are ignored as ilert ignores them, at the top level and inside images, links,
 * comments and services alike: only the fields ilert's schema names are carried over.
 */
import type { Config } from '../../config/schema'
import type { McpEvent } from '../../pipeline/event-schema'
import type { IlertEvent } from '../../ilert/event-schema'

export type PriorityFor = (p: 'HIGH' | 'LOW') => number | undefined

/** Inverse of mapping.priority_map/levels for ilert's two priorities. */
export function priorityLookup(mapping: Config['mapping']): PriorityFor {
  const found: Partial<Record<'HIGH' | 'LOW', number>> = {}
  const nums = Object.keys(mapping.priority_map).map(Number).sort((a, b) => a - b)
  for (const n of nums) {
    const target = mapping.levels[mapping.priority_map[String(n)]!]
    if (target && n >= 1 && n <= 4 && found[target.priority] === undefined) found[target.priority] = n
  }
  return (p) => found[p]
}

/** A valid ilert body (checked by schema.ts; `apiKey` already folded into integrationKey). */
export function ilertToEvent(ev: IlertEvent, priorityFor: PriorityFor): McpEvent {
  const out: McpEvent = { integration_key: ev.integrationKey, event_type: ev.eventType.toLowerCase() as McpEvent['event_type'] }
  if (ev.summary !== undefined && ev.summary !== '') out.summary = ev.summary
  if (ev.details !== undefined) out.details = ev.details
  if (ev.alertKey !== undefined && ev.alertKey !== '') out.alert_key = ev.alertKey
  if (ev.priority !== undefined) {
    const n = priorityFor(ev.priority)
    if (n !== undefined) out.priority = n
  }
  if (ev.severity !== undefined) out.severity = ev.severity
  if (ev.images !== undefined) out.images = ev.images.map((i) => known(i, ['src', 'href', 'alt']) as NonNullable<McpEvent['images']>[number])
  if (ev.links !== undefined) out.links = ev.links.map((l) => known(l, ['href', 'text']) as NonNullable<McpEvent['links']>[number])
  if (ev.comments !== undefined) out.comments = ev.comments.map((c) => known(c, ['creator', 'content']) as NonNullable<McpEvent['comments']>[number])
  if (ev.labels !== undefined) out.labels = ev.labels
  if (ev.services !== undefined) out.services = ev.services.map((x) => known(x, ['alias', 'id']) as NonNullable<McpEvent['services']>[number])
  if (ev.customDetails !== undefined) out.custom_details = ev.customDetails
  if (ev.routingKey !== undefined && ev.routingKey !== '') out.routing_key = ev.routingKey
  return out
}

/** The named properties of `o` that are present (ilert ignores the others). */
function known(o: object, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const n of names) {
    const v = (o as Record<string, unknown>)[n]
    if (v !== undefined && Object.hasOwn(o, n)) out[n] = v
  }
  return out
}

/** Accepts the legacy `apiKey` for `integrationKey`, as ilert's older clients send it. */
export function foldLegacyKey(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>
    if (b.integrationKey === undefined && typeof b.apiKey === 'string') {
      const { apiKey, ...rest } = b
      return { ...rest, integrationKey: apiKey }
    }
  }
  return body
}

const ILERT_NAMES: Record<string, string> = {
  integration_key: 'integrationKey',
  event_type: 'eventType',
  alert_key: 'alertKey',
  custom_details: 'customDetails',
  routing_key: 'routingKey',
}

/** Our field path (`custom_details.x`, `alert_key`) in ilert's spelling. */
export function ilertFieldName(field: string): string {
  const dot = field.indexOf('.')
  const head = dot === -1 ? field : field.slice(0, dot)
  const name = ILERT_NAMES[head] ?? head
  return dot === -1 ? name : name + field.slice(dot)
}
