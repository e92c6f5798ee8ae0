/**
 * Builds one MCP server for one request (stateless mode): tools/list and tools/call handlers on the
 * SDK's low-level server, with TypeBox input schemas published as JSON Schema (sdk 1.32's
 * registerTool takes only zod). A call validates its arguments against the tool's schema (a
 * failure is an `isError` result so the model can correct itself, as the 2025-11-25 spec asks),
 * runs the tool, and returns structured content plus a text rendering. An unknown or hidden tool
 * is a JSON-RPC -32602 error. Nothing here sees the raw API key: tools get a bound REST caller.
 */
import { describeError } from '../../pipeline/schema-errors'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { Value } from '@sinclair/typebox/value'
import { VERSION } from '../../version'
import type { McpMetrics } from './metrics'
import type { ToolContext, ToolDef } from './tools/types'

const INSTRUCTIONS =
  'mcp-ilert: triage and act on ilert alerts, on-call and status-page incidents, and send events through the bridge. ' +
  'Start with list_alerts {"states":["PENDING"]} or search; who_is_on_call tells who gets paged. ' +
  'Tools that change state act with the connected user\'s ilert permissions; confirm destructive actions with the user.'

export function buildMcpServer(tools: readonly ToolDef[], ctx: ToolContext, metrics: McpMetrics): McpServer {
  const byName = new Map(tools.map((t) => [t.name, t]))
  const mcp = new McpServer({ name: 'mcp-ilert', title: 'ilert (via mcp-ilert bridge)', version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS })
  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({ name: t.name, title: t.annotations.title, description: t.description, inputSchema: t.input as never, annotations: t.annotations })),
  }))
  mcp.server.setRequestHandler(CallToolRequestSchema, async ({ params }): Promise<CallToolResult> => {
    const tool = byName.get(params.name)
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${params.name}`)
    const args = params.arguments ?? {}
    if (!Value.Check(tool.input, args)) {
      metrics.toolCalls.labels(tool.name, 'invalid_arguments').inc()
      const problems = [...Value.Errors(tool.input, args)].slice(0, 5).map((e) => `${e.path || '(arguments)'}: ${describeError(e)}`)
      if (!tool.annotations.readOnlyHint) ctx.audit?.({ tool: tool.name, args, outcome: { kind: 'invalid_arguments', message: problems.join('; ') } })
      return { isError: true, content: [{ type: 'text', text: `Invalid arguments for ${tool.name}: ${problems.join('; ')}` }] }
    }
    let out
    try {
      out = await tool.run(args as never, ctx)
    } catch (err) {
      out = { kind: 'error' as const, reason: 'internal', message: `The tool failed unexpectedly (${(err as Error).name}); try again.` }
    }
    metrics.toolCalls.labels(tool.name, out.kind).inc()
    if (!tool.annotations.readOnlyHint) ctx.audit?.({ tool: tool.name, args, outcome: out })
    if (out.kind === 'error') {
      return { isError: true, content: [{ type: 'text', text: out.message }], structuredContent: { error: { reason: out.reason, message: out.message } } }
    }
    return { content: [{ type: 'text', text: out.text }], structuredContent: out.data }
  })
  return mcp
}
