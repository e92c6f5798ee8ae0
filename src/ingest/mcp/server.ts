/**
 * Builds one MCP server for one request, on the v2 SDK (`@modelcontextprotocol/server`), which
 * serves the same server to both protocol eras: 2025-era `initialize` traffic through its
 * stateless fallback and 2026-07-28 per-request traffic (server/discover, resultType, cache hints).
 * Tools are registered once with their TypeBox input and output schemas published as JSON Schema
 * (outputSchema in tools/list for both eras; structuredContent matches it). Argument checks
 * run here, not in the SDK, so a failure is counted, audited and worded for the model as an
 * `isError` result (2025-11-25: validation errors are tool results, so the model can correct
 * itself). An unknown or hidden tool is a JSON-RPC -32602 error. Tools get a bound REST caller,
 * never the raw API key.
 */
import { McpServer, type StandardSchemaWithJSON, type CallToolResult } from '@modelcontextprotocol/server'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { describeError } from '../../pipeline/schema-errors'
import { VERSION } from '../../version'
import type { McpMetrics } from './metrics'
import type { ToolContext, ToolDef } from './tools/types'

const INSTRUCTIONS =
  'mcp-ilert: triage and act on ilert alerts, on-call and status-page incidents, and send events through the bridge. ' +
  'Start with list_alerts {"states":["PENDING"]} or search; who_is_on_call tells who gets paged. ' +
  'Tools that change state act with the connected user\'s ilert permissions; confirm destructive actions with the user.'

/** The 2025 revisions we serve through `initialize` (2024-11-05 is not claimed: no HTTP+SSE). */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const
export const MODERN_VERSIONS = ['2026-07-28'] as const

/**
 * A TypeBox schema as the Standard Schema the SDK takes: it publishes the JSON Schema as is and
 * lets every value through, because the tool callback checks arguments itself (see above), and
 * an answer ilert shaped a little differently should reach the model rather than become an error
 * (test/mcp/output-schemas.test.ts checks every tool's structuredContent against its schema).
 */
function published(schema: TSchema): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = () => schema as unknown as Record<string, unknown>
  return { '~standard': { version: 1, vendor: 'typebox', validate: (value) => ({ value: value as Record<string, unknown> }), jsonSchema: { input: json, output: json } } }
}

export function buildMcpServer(tools: readonly ToolDef[], ctx: ToolContext, metrics: McpMetrics): McpServer {
  const mcp = new McpServer(
    { name: 'mcp-ilert', title: 'ilert (via mcp-ilert bridge)', version: VERSION },
    {
      // The tool set is fixed for the life of the process: no list_changed is ever sent.
      capabilities: { tools: { listChanged: false } },
      instructions: INSTRUCTIONS,
      supportedProtocolVersions: [...MODERN_VERSIONS, ...LEGACY_VERSIONS],
      cacheHints: { 'tools/list': { ttlMs: 300_000, cacheScope: 'public' }, 'server/discover': { ttlMs: 300_000, cacheScope: 'public' } },
    },
  )
  for (const tool of tools) {
    mcp.registerTool(
      tool.name,
      { title: tool.annotations.title, description: tool.description, inputSchema: published(tool.input), outputSchema: published(tool.output), annotations: tool.annotations },
      async (rawArgs: Record<string, unknown> | undefined): Promise<CallToolResult> => {
        const args = rawArgs ?? {}
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
          // No structuredContent: it would have to match the success outputSchema (SDK clients check it even on errors).
          return { isError: true, content: [{ type: 'text', text: out.message }] }
        }
        return { content: [{ type: 'text', text: out.text }], structuredContent: out.data }
      },
    )
  }
  return mcp
}
