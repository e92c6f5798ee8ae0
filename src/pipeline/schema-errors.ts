/**
 * TypeBox validation errors in words a sender can act on, for the event contract (validate.ts)
 * and every MCP tool's arguments (ingest/mcp/server.ts): a closed set lists its values instead of
 * "expected union value", a bounded number gives its range, both with what was sent.
 */
import type { ValueError } from '@sinclair/typebox/errors'

interface SchemaBits {
  anyOf?: { const?: unknown }[]
  type?: unknown
  minimum?: number
  maximum?: number
}

/**
 * The error in words a sender can act on: a closed set (event_type) lists its values, a bounded
 * number (priority, severity) its range, both with what was sent; otherwise TypeBox's message.
 */
export function describeError(err: ValueError): string {
  const s = err.schema as SchemaBits
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0 && s.anyOf.every((m) => typeof m.const === 'string' || typeof m.const === 'number')) {
    return `must be one of ${s.anyOf.map((m) => String(m.const)).join(', ')} (got ${shown(err.value)})`
  }
  if ((s.type === 'integer' || s.type === 'number') && s.minimum !== undefined && s.maximum !== undefined) {
    return `must be ${s.type === 'integer' ? 'an integer' : 'a number'} from ${s.minimum} to ${s.maximum} (got ${shown(err.value)})`
  }
  return err.message.toLowerCase()
}

/** A sent value for an error message, cut short (it is the sender's own input, never a secret field). */
function shown(v: unknown): string {
  if (typeof v === 'number') return String(v)
  let text: string
  try {
    text = JSON.stringify(v) ?? String(v)
  } catch {
    text = typeof v
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

