/**
 * Starts the real bridge against the simulator's seeded org (demo alerts on, REST auth enforced)
 * and connects the MCP SDK's own Client to /mcp over a real socket.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Config } from '../../src/config/schema'
import { startStack } from '../helpers/harness'
import type { SimulatorOptions } from '../../src/simulator/options'

export const USER_KEY = 'sim-user-key'

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }

export async function startMcpStack(config: DeepPartial<Config> = {}, sim: SimulatorOptions = {}) {
  const stack = await startStack({ config, sim: { demoAlerts: true, openReads: false, ...sim } })
  const mcpUrl = `${stack.bound.http.url}/mcp`
  const clients: Client[] = []
  return Object.assign(stack, {
    mcpUrl,
    async connect(headers: Record<string, string> = { Authorization: `Bearer ${USER_KEY}` }): Promise<Client> {
      const client = new Client({ name: 'mcp-ilert-test', version: '0' })
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }))
      clients.push(client)
      return client
    },
    async closeAll() {
      for (const c of clients.splice(0)) await c.close().catch(() => undefined)
      await stack.stop()
    },
  })
}

export type McpStack = Awaited<ReturnType<typeof startMcpStack>>

/** Calls a tool and returns its result with the first text item and the structured content. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult
  const text = r.content[0]?.type === 'text' ? r.content[0].text : ''
  return { isError: r.isError === true, text, data: (r.structuredContent ?? {}) as any, raw: r }
}

/** A raw JSON-RPC POST to /mcp with the headers a compliant client sends, plus `extra`. */
export function rpc(url: string, body: unknown, extra: Record<string, string> = {}, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${USER_KEY}`, ...extra },
    body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
  })
}

export const initialize = (protocolVersion = '2025-11-25', id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
})

/**
 * Hands a seeded alert to whoever holds `scheduleId`'s shift now, through the simulator's REST
 * API. The demo alerts were assigned when they opened (up to 95 minutes before the simulator
 * started), so in the hour or two after a rotation hands over their assignee may no longer be on
 * the first level, and escalate_alert then rightly answers "already at the last level". Tests
 * that escalate call this first, so they do not depend on the time of day.
 */
export async function assignToCurrentShift(stack: McpStack, alertId: number, scheduleId: number): Promise<void> {
  const r = await fetch(`${stack.simUrl}/api/alerts/${alertId}/assign?schedule=${scheduleId}`, { method: 'PUT', headers: { Authorization: `Bearer ${USER_KEY}`, Accept: 'application/json' } })
  if (r.status !== 200) throw new Error(`assigning alert ${alertId} via schedule ${scheduleId}: HTTP ${r.status} ${await r.text()}`)
}
