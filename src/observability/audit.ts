/**
 * Audit trail for MCP tool calls that change state (send_event, accept/resolve/assign, incidents):
 * one JSON log line per call, whatever its outcome, saying who (a non-secret caller id), which
 * tool, with which arguments, and what came back. Secrets never reach it: argument fields named
 * like a secret (integration_key, *token*, *password*, ...) are masked, the caller is named by its
 * bridge-token name or a short fingerprint of its ilert key, and the logger redacts configured
 * secrets once more. Answers are trimmed, so an audit line stays one readable line.
 */
import { sha256Text } from '../security/digest'
import type { Logger } from './logger'

/** What a tool call came back with (the MCP tools' ToolOutcome, or refused arguments). */
export type AuditOutcome =
  | { kind: 'ok'; data: Record<string, unknown> }
  | { kind: 'error'; reason: string; message: string }
  | { kind: 'invalid_arguments'; message: string }

export interface AuditEntry {
  tool: string
  args: unknown
  outcome: AuditOutcome
}

/** The caller as the MCP route knows it (structural, so this module does not depend on it). */
export type AuditCaller =
  | { kind: 'bridge_token'; name: string }
  | { kind: 'ingest_token'; name: string }
  | { kind: 'ilert_key'; ilertKey: string }
  | { kind: 'anonymous' }

const SECRET_FIELD = /key|token|secret|passw|authoriz|credential/i
const MAX_ANSWER_CHARS = 1000

/** A non-secret, stable id for the caller. */
export function callerId(caller: AuditCaller): string {
  if (caller.kind === 'bridge_token') return `mcp-token:${caller.name}`
  if (caller.kind === 'ingest_token') return `ingest-token:${caller.name}`
  if (caller.kind === 'anonymous') return 'anonymous'
  return `ilert-key:${sha256Text(caller.ilertKey, 'hex').slice(0, 8)}`
}

/** A copy of `value` with every secret-named string field replaced by a mask (depth-bounded). */
export function maskArguments(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]'
  if (Array.isArray(value)) return value.map((v) => maskArguments(v, depth + 1))
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    // alert_key is ilert's dedup key, not a credential.
    out[k] = SECRET_FIELD.test(k) && k !== 'alert_key' && typeof v === 'string' && v !== '' ? `[masked, ${v.length} chars]` : maskArguments(v, depth + 1)
  }
  return out
}

function answer(outcome: AuditOutcome): unknown {
  if (outcome.kind !== 'ok') return { reason: outcome.kind === 'error' ? outcome.reason : 'invalid_arguments', message: outcome.message.slice(0, MAX_ANSWER_CHARS) }
  const text = JSON.stringify(maskArguments(outcome.data))
  return text.length <= MAX_ANSWER_CHARS ? JSON.parse(text) : `${text.slice(0, MAX_ANSWER_CHARS)}… (${text.length} chars)`
}

export type Auditor = (entry: AuditEntry) => void

/** An auditor for one caller: every entry becomes one info line "mcp audit". */
export function createAuditor(log: Logger, caller: AuditCaller): Auditor {
  const id = callerId(caller)
  return (e) =>
    log.info('mcp audit', {
      audit: 'mcp_tool_call',
      caller: id,
      tool: e.tool,
      arguments: maskArguments(e.args),
      outcome: e.outcome.kind,
      answer: answer(e.outcome),
    })
}
