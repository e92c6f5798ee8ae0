// /mcp speaks both protocol eras on one endpoint: initialize for each supported 2025 revision and
// the stateless 2026-07-28 revision (server/discover, per-request _meta, Mcp-Method/Mcp-Name
// checked against the body, resultType, cache hints, its error codes), the same tools in both,
// tools/list with TypeBox schemas, the status codes for malformed requests (JSON-RPC -32600,
// batches only at 2025-03-26, the body limit), 405 for GET/DELETE, CORS for configured origins,
// and DNS-rebinding protection (bad Host or foreign Origin → 403).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { EventSchema } from '../../src/pipeline/event-schema'
import { initialize, rpc, startMcpStack, type McpStack } from './helpers'

const MAX_BODY = 64 * 1024
let stack: McpStack
beforeAll(async () => {
  stack = await startMcpStack({ listen: { max_body_bytes: MAX_BODY }, mcp: { allowed_origins: ['https://chatgpt.com'] } })
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
    expect(((await list.json()) as any).result.tools.length).toBe(32)
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
      [
        'fetch', 'find_user_by_email', 'get_alert', 'get_incident', 'list_alert_log_entries', 'list_alerts', 'list_escalation_policies', 'list_incidents', 'list_schedules', 'list_services', 'list_users', 'search', 'who_is_on_call',
        'list_my_alerts', 'list_alert_sources', 'get_current_user', 'list_teams', 'list_heartbeat_monitors', 'get_heartbeat_monitor', 'list_maintenance_windows', 'list_status_pages',
      ].sort(),
    )
    for (const name of ['send_event', 'resolve_alert', 'assign_alert', 'update_incident', 'escalate_alert', 'end_maintenance_window']) expect(byName.get(name)!.annotations!.destructiveHint).toBe(true)
    for (const name of ['accept_alert', 'add_alert_responder', 'create_incident', 'comment_on_alert', 'create_maintenance_window']) expect(byName.get(name)!.annotations!.destructiveHint).toBe(false)
    expect(byName.get('create_incident')!.description).toContain('PUBLIC')
    expect(byName.get('create_incident')!.annotations!.idempotentHint).toBe(false)
    expect(JSON.parse(JSON.stringify(byName.get('send_event')!.inputSchema))).toEqual(JSON.parse(JSON.stringify(EventSchema)))
    expect(byName.get('search')!.inputSchema).toMatchObject({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] })
    expect(byName.get('fetch')!.inputSchema).toMatchObject({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] })
    expect(byName.get('list_alerts')!.inputSchema.properties!.max_results).toMatchObject({ maximum: 100 })
    expect(byName.get('list_schedules')!.inputSchema.properties!.max_results).toMatchObject({ maximum: 20 })
  })
})

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} }
/** A 2026-07-28 request: the per-request _meta envelope plus the routing headers. */
function modern(method: string, params: Record<string, unknown> = {}, id = 1, headers: Record<string, string> = {}) {
  const name: Record<string, string> = typeof params.name === 'string' ? { 'mcp-name': params.name } : {}
  return rpc(stack.mcpUrl, { jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...name, ...headers })
}

describe('revision 2026-07-28 (stateless) on the same endpoint', () => {
  test('server/discover names the revision, the tools capability (listChanged false) and cache hints', async () => {
    const res = await modern('server/discover')
    expect(res.status).toBe(200)
    const r = ((await res.json()) as any).result
    expect(r.supportedVersions).toContain('2026-07-28')
    expect(r.capabilities).toEqual({ tools: { listChanged: false } })
    expect(r.resultType).toBe('complete')
    expect(r._meta['io.modelcontextprotocol/serverInfo'].name).toBe('mcp-ilert')
    expect(typeof r.instructions).toBe('string')
  })

  test('tools/list is the same list as in the 2025 era, with ttlMs and cacheScope', async () => {
    const m = ((await (await modern('tools/list')).json()) as any).result
    expect(m.resultType).toBe('complete')
    expect(m.ttlMs).toBeGreaterThan(0)
    expect(['public', 'private']).toContain(m.cacheScope)
    const l = ((await (await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-protocol-version': '2025-11-25' })).json()) as any).result
    expect(m.tools).toEqual(l.tools)
  })

  test('tools/call runs a tool; invalid arguments are an isError result', async () => {
    const r = ((await (await modern('tools/call', { name: 'fetch', arguments: { id: 'alert:2' } })).json()) as any).result
    expect(r.resultType).toBe('complete')
    expect(r.structuredContent.id).toBe('alert:2')
    const bad = ((await (await modern('tools/call', { name: 'list_alerts', arguments: { max_results: 500 } })).json()) as any).result
    expect(bad.isError).toBe(true)
    expect(bad.content[0].text).toContain('/max_results')
  })

  test('Mcp-Method or Mcp-Name that disagrees with the body → 400 -32020 with the request id', async () => {
    const m = await modern('tools/list', {}, 7, { 'mcp-method': 'tools/call' })
    expect(m.status).toBe(400)
    expect(((await m.json()) as any)).toMatchObject({ id: 7, error: { code: -32020 } })
    const n = await modern('tools/call', { name: 'search', arguments: { query: 'x' } }, 8, { 'mcp-name': 'fetch' })
    expect(n.status).toBe(400)
    expect(((await n.json()) as any).error.code).toBe(-32020)
  })

  test('unknown method → 404 -32601 (ping and initialize are not 2026 methods); unsupported version → 400 -32022', async () => {
    for (const method of ['nope/nope', 'ping']) {
      const res = await modern(method, {}, 9)
      expect(res.status).toBe(404)
      expect(((await res.json()) as any).error.code).toBe(-32601)
    }
    const v = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 10, method: 'tools/list', params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } }, { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' })
    expect(v.status).toBe(400)
    const e = ((await v.json()) as any).error
    expect(e.code).toBe(-32022)
    expect(e.data.supported).toContain('2026-07-28')
  })

  test('auth runs first in this era too: no credential → 401 before the envelope is read', async () => {
    const res = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list', authorization: '' })
    expect(res.status).toBe(401)
  })
})

describe('edges', () => {
  test('JSON that is not JSON-RPC → 400 -32600 (with the id when there is one), not -32700', async () => {
    const a = await rpc(stack.mcpUrl, { foo: 1 })
    expect(a.status).toBe(400)
    expect(((await a.json()) as any)).toMatchObject({ id: null, error: { code: -32600 } })
    const b = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 41, method: 5 })
    expect(((await b.json()) as any)).toMatchObject({ id: 41, error: { code: -32600 } })
  })

  test('batches: [] → 400 -32600; refused at 2025-06-18 and later; answered at 2025-03-26', async () => {
    const empty = await rpc(stack.mcpUrl, [])
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as any).error.code).toBe(-32600)
    const batch = [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }]
    for (const v of ['2025-06-18', '2025-11-25']) {
      const res = await rpc(stack.mcpUrl, batch, { 'mcp-protocol-version': v })
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.code).toBe(-32600)
    }
    const old = await rpc(stack.mcpUrl, batch, { 'mcp-protocol-version': '2025-03-26' })
    expect(old.status).toBe(200)
    expect(((await old.json()) as any[]).map((r) => r.result.tools.length)).toEqual([32, 32])
  })

  test('2024-11-05 is not negotiated (the server offers its newest revision instead)', async () => {
    const r = ((await (await rpc(stack.mcpUrl, initialize('2024-11-05'))).json()) as any).result
    expect(r.protocolVersion).toBe('2025-11-25')
    expect(r.capabilities.tools).toEqual({ listChanged: false })
  })

  test('a body over listen.max_body_bytes → 413 before anything is parsed or run', async () => {
    const query = 'a'.repeat(MAX_BODY + 10)
    const res = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { query } } })
    expect(res.status).toBe(413)
    expect(await stack.metric('mcp_requests_refused_total', { reason: 'body_too_large' })).toBe(1)
  })

  test('CORS: the preflight for a configured origin is answered without credentials; answers carry Allow-Origin', async () => {
    const pre = await fetch(stack.mcpUrl, { method: 'OPTIONS', headers: { origin: 'https://chatgpt.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com')
    expect(pre.headers.get('access-control-allow-headers')).toContain('mcp-protocol-version')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    const post = await rpc(stack.mcpUrl, initialize(), { origin: 'https://chatgpt.com' })
    expect(post.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com')
    expect(post.headers.get('access-control-expose-headers')).toContain('mcp-protocol-version')
    const foreign = await fetch(stack.mcpUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
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
    expect(t.error.message).toBe('Tool zzz not found') // once, not "MCP error -32602: MCP error -32602: ..."

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
