/**
 * MCP-specific counters on the bridge's registry: tool calls by tool and outcome (labels are the
 * fixed tool names and a small outcome set, never arguments) and refused /mcp requests by reason.
 * Events sent with send_event are counted where every event is: mcp_in_events_total{transport="mcp"}.
 */
import * as client from '../../observability/prom'

export interface McpMetrics {
  toolCalls: client.Counter<'tool' | 'outcome'>
  refused: client.Counter<'reason'>
}

export function createMcpMetrics(register: client.Registry): McpMetrics {
  const existing = (name: string) => register.getSingleMetric(name) as client.Counter<string> | undefined
  return {
    toolCalls:
      (existing('mcp_tool_calls_total') as client.Counter<'tool' | 'outcome'> | undefined) ??
      new client.Counter({ name: 'mcp_tool_calls_total', help: 'MCP tool calls, by tool and outcome (ok, error, invalid_arguments).', labelNames: ['tool', 'outcome'], registers: [register] }),
    refused:
      (existing('mcp_requests_refused_total') as client.Counter<'reason'> | undefined) ??
      new client.Counter({ name: 'mcp_requests_refused_total', help: 'Requests to /mcp refused before the MCP layer, by reason.', labelNames: ['reason'], registers: [register] }),
  }
}
