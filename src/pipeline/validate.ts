/**
 * Validation of one parsed inbound value against the event contract, with an error that names
 * the field. The checker compiled ahead of time runs on every event; TypeBox's error walk (loaded
 * then) only on failure.
 * A few rules JSON Schema cannot say are checked after it: summary for alerts, a key for state
 * changes, label-name length, and numbers that JSON cannot carry to ilert unchanged.
 */
import { schemaErrors, valueErrorType } from './compiled'
import { checkEvent } from './event-check'
import { LABEL_NAME_MAX } from './event-constants'
import type { McpEvent } from './event-schema'
import { describeError } from './schema-errors'

export type Validation =
  | { kind: 'valid'; event: McpEvent }
  | { kind: 'invalid'; reason: 'schema'; field: string; message: string }

/**
 * `source`, the JSON text `value` was parsed from, is read only when custom_details holds a number
 * beyond ±(2^53 − 1): one written exactly as it will be sent (1e308) passes, one that parsing
 * changed (12345678901234567890) is refused. Without a source (MCP) every such number is refused.
 */
export function validateEvent(value: unknown, source?: string): Validation {
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
  if (ev.custom_details !== undefined && hasSuspectNumber(ev.custom_details)) {
    const bad = alteredNumberAt(ev.custom_details, source)
    if (bad !== undefined) {
      const [path, n] = bad
      if (!Number.isFinite(n)) return invalid(`custom_details${path}`, 'is a number too large for JSON (it would reach ilert as null)')
      return invalid(`custom_details${path}`, `is an integer beyond ±${Number.MAX_SAFE_INTEGER} that a JSON number cannot carry exactly (it would reach ilert as ${JSON.stringify(n)}); send it as a string`)
    }
  }
  return { kind: 'valid', event: ev }
}

function firstError(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('(root)', 'must be a JSON object')
  }
  for (const err of schemaErrors('event', value)) {
    const field = fieldName(err.path)
    if (err.type === valueErrorType().ObjectAdditionalProperties) return invalid(field, 'is not a known field')
    return invalid(field, describeError(err))
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

const MAX_SAFE = Number.MAX_SAFE_INTEGER

/**
 * A number that may not reach ilert as it was sent: Infinity (JSON.parse turns 1e400 into it,
 * JSON.stringify into null) or anything beyond ±(2^53 − 1), where not every integer is a double:
 * 12345678901234567890 parses to 12345678901234567168 and would be sent as 12345678901234567000.
 * One comparison for a usual number (NaN, not from JSON, is caught too).
 */
const suspect = (n: number): boolean => n > MAX_SAFE || n < -MAX_SAFE || n !== n

/** Whether a JSON value holds a suspect number. Iterative (deep values cannot overflow the stack), no paths built. */
function hasSuspectNumber(root: unknown): boolean {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'number') {
      if (suspect(v)) return true
    } else if (typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push(v[i])
      else for (const k in v) stack.push((v as Record<string, unknown>)[k])
    }
  }
  return false
}

/**
 * Path (".a.0.b") and value of the first number that would be altered: non-finite, or beyond
 * 2^53 and among the numbers whose literal in `source` differs from what JSON.stringify writes
 * (every one of them when there is no source). The slow walk, run only after hasSuspectNumber.
 */
function alteredNumberAt(root: unknown, source: string | undefined): [string, number] | undefined {
  const changed = source === undefined ? undefined : changedLiterals(source)
  const stack: [unknown, string][] = [[root, '']]
  while (stack.length > 0) {
    const [v, path] = stack.pop()!
    if (typeof v === 'number') {
      if (suspect(v) && (!Number.isFinite(v) || changed === undefined || changed.has(v))) return [path, v]
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}.${i}`])
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) stack.push([(v as Record<string, unknown>)[k], `${path}.${k}`])
    }
  }
  return undefined
}

/**
 * The values of number literals beyond 2^53 in one JSON text whose parsed value is not the
 * number written (JSON.parse source text access gives each literal). Undefined if unreadable.
 */
function changedLiterals(source: string): Set<number> | undefined {
  const out = new Set<number>()
  try {
    JSON.parse(source, (_key, v: unknown, ctx?: { source?: string }) => {
      if (typeof v === 'number' && suspect(v) && (ctx?.source === undefined || decimal(ctx.source) !== decimal(JSON.stringify(v)))) out.add(v)
      return v
    })
  } catch {
    return undefined
  }
  return out
}

/** A number literal's exact decimal value as "[-]digits e exponent" (1e308, 1E+308, 10e307 alike). */
function decimal(literal: string): string {
  let s = literal
  let sign = ''
  if (s.startsWith('-')) {
    sign = '-'
    s = s.slice(1)
  }
  let exp = 0
  const e = s.search(/[eE]/)
  if (e !== -1) {
    exp = Number(s.slice(e + 1))
    s = s.slice(0, e)
  }
  const dot = s.indexOf('.')
  if (dot !== -1) {
    exp -= s.length - dot - 1
    s = s.slice(0, dot) + s.slice(dot + 1)
  }
  s = s.replace(/^0+/, '')
  const digits = s.replace(/0+$/, '')
  exp += s.length - digits.length
  return digits === '' ? '0' : `${sign}${digits}e${exp}`
}

function invalid(field: string, message: string): Validation {
  return { kind: 'invalid', reason: 'schema', field, message }
}
