// /mcp speaks MCP Streamable HTTP as the spec and the SDK transport define it: initialize for each
// supported revision, tools/list with TypeBox schemas, the status codes for malformed requests,
// 405 for GET/DELETE, and DNS-rebinding protection (bad Host or foreign Origin → 403).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { EventSchema } from '../../src/pipeline/event-schema'
import { initialize, rpc, startMcpStack, type McpStack } from './helpers'

let stack: McpStack
beforeAll(async () => {
  stack = await startMcpStack({ mcp: { allowed_origins: ['https://chatgpt.com'] } })
})
afterAll(() => stack.closeAll())

describe('lifecycle', () => {
  test.each(['2025-03-26', '2025-06-18', '2025-11-25'])('initialize with %s negotiates that revision, then tools/list works', async (version) => {
    const res = await rpc(stack.mcpUrl, initialize(version))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.headers.get('mcp-session-id')).toBeNull() // stateless
    const body = (await res.json()) as any
    expect(body.result.protocolVersion).toBe(version)
    expect(body.result.serverInfo.name).toBe('mcp-ilert')
    expect(body.result.capabilities.tools).toBeDefined()
    expect(typeof body.result.instructions).toBe('string')
    const note = await rpc(stack.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-protocol-version': version })
    expect(note.status).toBe(202)
    const list = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-protocol-version': version })
    expect(((await list.json()) as any).result.tools.length).toBe(20)
  })

  test('the SDK client: initialize, ping, tools/list with honest annotations and send_event = the event contract', async () => {
    const client = await stack.connect()
    expect(client.getServerVersion()?.name).toBe('mcp-ilert')
    await client.ping()
    const { tools } = await client.listTools()
    const byName = new Map(tools.map((t) => [t.name, t]))
    expect(tools.every((t) => /^[a-z_]+$/.test(t.name) && t.description!.length > 40 && t.inputSchema.type === 'object')).toBe(true)
    const readOnly = tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name)
    expect(readOnly.sort()).toEqual(
      ['fetch', 'find_user_by_email', 'get_alert', 'get_incident', 'list_alert_log_entries', 'list_alerts', 'list_escalation_policies', 'list_incidents', 'list_schedules', 'list_services', 'list_users', 'search', 'who_is_on_call'].sort(),
    )
    for (const name of ['send_event', 'resolve_alert', 'assign_alert', 'update_incident']) expect(byName.get(name)!.annotations!.destructiveHint).toBe(true)
    for (const name of ['accept_alert', 'add_alert_responder', 'create_incident']) expect(byName.get(name)!.annotations!.destructiveHint).toBe(false)
    expect(byName.get('create_incident')!.annotations!.idempotentHint).toBe(false)
    expect(JSON.parse(JSON.stringify(byName.get('send_event')!.inputSchema))).toEqual(JSON.parse(JSON.stringify(EventSchema)))
    expect(byName.get('search')!.inputSchema).toMatchObject({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] })
    expect(byName.get('fetch')!.inputSchema).toMatchObject({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] })
    expect(byName.get('list_alerts')!.inputSchema.properties!.max_results).toMatchObject({ maximum: 100 })
    expect(byName.get('list_schedules')!.inputSchema.properties!.max_results).toMatchObject({ maximum: 20 })
  })
})

describe('malformed requests get the spec status codes', () => {
  test('GET and DELETE → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await rpc(stack.mcpUrl, undefined, {}, method)
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
      expect(((await res.json()) as any).error.code).toBe(-32000)
    }
  })

  test('Accept without text/event-stream → 406; non-JSON Content-Type → 415; bad JSON → 400 -32700', async () => {
    expect((await rpc(stack.mcpUrl, initialize(), { accept: 'application/json' })).status).toBe(406)
    expect((await rpc(stack.mcpUrl, initialize(), { 'content-type': 'text/plain' })).status).toBe(415)
    const bad = await rpc(stack.mcpUrl, '{"jsonrpc":')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.code).toBe(-32700)
  })

  test('unsupported MCP-Protocol-Version → 400; unknown method → -32601; unknown tool → -32602', async () => {
    expect((await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-protocol-version': '1999-01-01' })).status).toBe(400)
    const m = (await (await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 4, method: 'nope/nope' })).json()) as any
    expect(m.error.code).toBe(-32601)
    const t = (await (await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'zzz', arguments: {} } })).json()) as any
    expect(t.error.code).toBe(-32602)
    expect(t.error.message).toContain('Unknown tool: zzz')
  })

  test('invalid arguments are an isError result the model can correct', async () => {
    const r = (await (await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'list_alerts', arguments: { max_results: 500 } } })).json()) as any
    expect(r.result.isError).toBe(true)
    expect(r.result.content[0].text).toContain('/max_results')
  })
})

describe('DNS-rebinding protection', () => {
  test('a foreign Origin is rejected with 403 before auth; loopback and configured origins pass', async () => {
    const evil = await rpc(stack.mcpUrl, initialize(), { origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    expect(((await evil.json()) as any).error.message).toContain('Invalid Origin')
    expect((await rpc(stack.mcpUrl, initialize(), { origin: 'https://evil.example', authorization: '' })).status).toBe(403)
    expect((await rpc(stack.mcpUrl, initialize(), { origin: 'http://localhost:6274' })).status).toBe(200)
    expect((await rpc(stack.mcpUrl, initialize(), { origin: 'https://chatgpt.com' })).status).toBe(200)
    expect((await rpc(stack.mcpUrl, initialize(), { origin: 'null' })).status).toBe(403)
  })

  test('a Host header that is not loopback (or configured) is rejected with 403', async () => {
    const res = await fetchWithHost(stack.mcpUrl, 'evil.example:8080')
    expect(res.status).toBe(403)
    expect(((await res.json()) as any).error.message).toContain('Invalid Host')
    expect((await fetchWithHost(stack.mcpUrl, `localhost:${stack.bound.http.port}`)).status).toBe(200)
  })
})

/** Bun's fetch keeps an explicit Host header, which is how a rebinding attack arrives. */
function fetchWithHost(url: string, host: string) {
  return rpc(url, initialize(), { host })
}
