/**
 * MCP-specific counters on the bridge's registry: tool calls by tool and outcome (labels are the
 * fixed tool names and a small outcome set, never arguments) and refused /mcp requests by reason.
 * Events sent with send_event are counted where every event is: mcp_in_events_total{transport="mcp"}.
 */
import * as client from '../../observability/prom'
import type { DeniedReason } from './auth'
import type { EnvelopeOutcome } from './envelope'
import type { GuardOutcome } from './origin-guard'
import { TOOL_NAMES } from './tools/names'

type RefusalReason = Extract<GuardOutcome, { kind: 'denied' }>['reason'] | DeniedReason | Extract<EnvelopeOutcome, { kind: 'rejected' }>['reason'] | 'method' | 'key_unverifiable'

/** Every reason route.ts counts a refusal under (the type keeps this list complete). */
const REFUSAL_REASONS: Record<RefusalReason, true> = {
  host: true, origin: true, method: true, key_unverifiable: true,
  missing: true, malformed: true, unknown_token: true, expired_token: true, wrong_resource: true, key_refused: true,
  body_too_large: true, content_type: true, invalid_json: true, invalid_request: true, batch: true,
}
const TOOL_OUTCOMES = ['ok', 'error', 'invalid_arguments'] as const

export interface McpMetrics {
  toolCalls: client.Counter<'tool' | 'outcome'>
  refused: client.Counter<'reason'>
}

export function createMcpMetrics(register: client.Registry): McpMetrics {
  const existing = (name: string) => register.getSingleMetric(name) as client.Counter<string> | undefined
  let toolCalls = existing('mcp_tool_calls_total') as client.Counter<'tool' | 'outcome'> | undefined
  if (toolCalls === undefined) {
    toolCalls = new client.Counter({ name: 'mcp_tool_calls_total', help: 'MCP tool calls, by tool and outcome (ok, error, invalid_arguments).', labelNames: ['tool', 'outcome'], registers: [register] })
    // Every series exists at 0 from the first scrape, so increase() and rate() see the first call.
    for (const tool of TOOL_NAMES) for (const outcome of TOOL_OUTCOMES) toolCalls.labels(tool, outcome).inc(0)
  }
  let refused = existing('mcp_requests_refused_total') as client.Counter<'reason'> | undefined
  if (refused === undefined) {
    refused = new client.Counter({ name: 'mcp_requests_refused_total', help: 'Requests to /mcp refused before the MCP layer, by reason.', labelNames: ['reason'], registers: [register] })
    for (const reason of Object.keys(REFUSAL_REASONS)) refused.labels(reason).inc(0)
  }
  return { toolCalls, refused }
}
