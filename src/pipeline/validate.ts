/**
 * Validation of one parsed inbound value against the event contract, with an error that names
 * the field. The compiled checker runs on every event; the slower error walk only on failure.
 * A few rules JSON Schema cannot say are checked after it: summary for alerts, a key for state
 * changes, label-name length, and numbers that JSON cannot carry to ilert unchanged.
 */
import { ValueErrorType } from '@sinclair/typebox/errors'
import { checkEvent, eventCheck, LABEL_NAME_MAX, type McpEvent } from './event-schema'

export type Validation =
  | { kind: 'valid'; event: McpEvent }
  | { kind: 'invalid'; reason: 'schema'; field: string; message: string }

export function validateEvent(value: unknown): Validation {
  if (!checkEvent(value)) return firstError(value)
  const ev = value as McpEvent
  const type = ev.event_type ?? 'alert'
  if (type === 'alert' && ev.summary === undefined) return invalid('summary', 'is required for alert events')
  if (type !== 'alert' && ev.alert_key === undefined && ev.mcp_id === undefined) {
    return invalid('alert_key', `is required for ${type} events (or give mcp_id)`)
  }
  if (ev.labels !== undefined) {
    for (const name in ev.labels) {
      if (name.length > LABEL_NAME_MAX) return invalid('labels', `has a label name longer than ${LABEL_NAME_MAX} characters`)
    }
  }
  if (ev.custom_details !== undefined) {
    const bad = nonFiniteNumberPath(ev.custom_details)
    if (bad !== undefined) return invalid(`custom_details${bad}`, 'is a number too large for JSON (it would reach ilert as null)')
  }
  return { kind: 'valid', event: ev }
}

function firstError(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('(root)', 'must be a JSON object')
  }
  for (const err of eventCheck().Errors(value)) {
    const field = fieldName(err.path)
    if (err.type === ValueErrorType.ObjectAdditionalProperties) return invalid(field, 'is not a known field')
    return invalid(field, err.message.toLowerCase())
  }
  return invalid('(root)', 'is not a valid event')
}

/** JSON pointer (`/links/0/href`, keys escaped ~0 ~1) to the dotted name users see (`links.0.href`). */
function fieldName(pointer: string): string {
  if (pointer === '') return '(root)'
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.')
}

/**
 * Path (".a.0.b") of the first Infinity/NaN inside a JSON value, or undefined. JSON.parse turns
 * 1e400 into Infinity and JSON.stringify turns that into null: refusing it beats altering it.
 * Iterative, so a deeply nested value cannot overflow the stack.
 */
function nonFiniteNumberPath(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']]
  while (stack.length > 0) {
    const [v, path] = stack.pop()!
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}.${i}`])
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) stack.push([(v as Record<string, unknown>)[k], `${path}.${k}`])
    }
  }
  return undefined
}

function invalid(field: string, message: string): Validation {
  return { kind: 'invalid', reason: 'schema', field, message }
}
