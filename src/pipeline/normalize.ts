/**
 * Turns a valid inbound event into ilert's Events API body. Priority goes through
 * mapping.priority_map to a level, the level through mapping.levels to ilert's priority and
 * severity. Nothing the sender gave is dropped: source and tags travel as labels and custom details.
 */
import type { Config } from '../config/schema'
import type { McpEvent } from './event-schema'
import type { IlertEventBody, IlertEventType } from './ilert-event'

/** Our event_type values and ilert's eventType. */
export const TYPE_MAP: Record<string, IlertEventType> = {
  alert: 'ALERT',
  accept: 'ACCEPT',
  resolve: 'RESOLVE',
  comment: 'COMMENT',
}

export type Normalized =
  | { kind: 'ok'; body: IlertEventBody }
  | { kind: 'invalid'; reason: 'missing_integration_key' | 'unknown_priority'; field: string; message: string }

export interface Normalizer {
  normalize(ev: McpEvent): Normalized
}

export function createNormalizer(mapping: Config['mapping'], defaultIntegrationKey: string): Normalizer {
  const levels = mapping.levels
  // priority_map by the integer a sender gives (the event schema allows no other): looking it up
  // as String(priority) cost a string per event. A key like "02" stays unmatched, as it was.
  const levelOf = new Map<number, string>()
  for (const [k, level] of Object.entries(mapping.priority_map)) if (String(Number(k)) === k) levelOf.set(Number(k), level)
  return {
    normalize(ev) {
      const integrationKey = ev.integration_key ?? defaultIntegrationKey
      if (integrationKey === '') {
        return {
          kind: 'invalid',
          reason: 'missing_integration_key',
          field: 'integration_key',
          message: 'is required: no ilert.integration_key is configured',
        }
      }
      const level = ev.priority === undefined ? mapping.default_level : levelOf.get(ev.priority)
      const target = level === undefined ? undefined : levels[level]
      if (target === undefined) {
        return {
          kind: 'invalid',
          reason: 'unknown_priority',
          field: 'priority',
          message: `${ev.priority} has no level in mapping.priority_map/levels`,
        }
      }
      const eventType = TYPE_MAP[ev.event_type ?? 'alert'] as IlertEventType
      const body: IlertEventBody = {
        integrationKey,
        eventType,
        summary: ev.summary ?? `${eventType} ${ev.alert_key ?? ev.mcp_id ?? ''}`.trim(),
        priority: target.priority,
        severity: ev.severity ?? target.severity,
      }
      const alertKey = ev.alert_key ?? ev.mcp_id
      if (alertKey !== undefined) body.alertKey = alertKey
      if (ev.details !== undefined) body.details = ev.details
      if (ev.links !== undefined) body.links = ev.links
      if (ev.images !== undefined) body.images = ev.images
      if (ev.comments !== undefined) body.comments = ev.comments
      if (ev.services !== undefined) body.services = ev.services
      if (ev.routing_key !== undefined) body.routingKey = ev.routing_key
      // The parsed event is ours alone, so its objects are reused instead of copied where possible.
      if (ev.labels !== undefined) body.labels = ev.source === undefined ? ev.labels : { source: ev.source, ...ev.labels }
      else if (ev.source !== undefined) body.labels = { source: ev.source }
      const custom: Record<string, unknown> = ev.custom_details ?? {}
      if (ev.mcp_id !== undefined) custom.mcp_id = ev.mcp_id
      if (ev.source !== undefined) custom.source = ev.source
      if (ev.tags !== undefined) custom.tags = ev.tags
      if (ev.priority !== undefined) custom.mcp_priority = ev.priority
      custom.level = level
      body.customDetails = custom
      return { kind: 'ok', body }
    },
  }
}
