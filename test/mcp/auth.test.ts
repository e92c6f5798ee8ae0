// Auth as ilert's hosted server does it (the bearer is the user's ilert API key, so the agent has
// that user's permissions), plus bridge-issued tokens mapped to a configured key, anonymous mode,
// and read-only mode. Keys never appear in tool results or logs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { call, initialize, rpc, startMcpStack, USER_KEY, type McpStack } from './helpers'

const BRIDGE_TOKEN = 'bridge-token-0123456789abcdef'
const UNKNOWN_KEY = 'il1-unknown-user-key-424242'

describe('bearer = ilert user API key (default)', () => {
  let stack: McpStack
  beforeAll(async () => {
    stack = await startMcpStack({ mcp: { tokens: [{ token: BRIDGE_TOKEN, ilert_api_key: 'sim-responder-key', name: 'cursor' }] } })
  })
  afterAll(() => stack.closeAll())

  test('no Authorization → 401 with WWW-Authenticate, before any MCP processing; the SDK client fails to connect', async () => {
    const res = await rpc(stack.mcpUrl, initialize(), { authorization: '' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="mcp-ilert", resource_metadata="${stack.mcpUrl.replace(/\/mcp$/, '')}/.well-known/oauth-protected-resource/mcp", scope="mcp"`)
    expect(((await res.json()) as any).error.message).toContain('Authorization')
    const bad = await rpc(stack.mcpUrl, initialize(), { authorization: 'Basic abc' })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token')
    await expect(stack.connect({})).rejects.toThrow()
    expect(await stack.metric('mcp_requests_refused_total', { reason: 'missing' })).toBeGreaterThanOrEqual(1)
  })

  test("a key ilert refuses (403 KEY_ERROR) gets 401 before any tool runs, without the key in the answer or the logs", async () => {
    const res = await rpc(stack.mcpUrl, initialize(), { authorization: `Bearer ${UNKNOWN_KEY}` })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
    const text = await res.text()
    expect(text).toContain('ilert refused this API key')
    expect(text).not.toContain(UNKNOWN_KEY)
    await expect(stack.connect({ Authorization: `Bearer ${UNKNOWN_KEY}` })).rejects.toThrow()
    expect(stack.log.lines.join('\n')).not.toContain(UNKNOWN_KEY)
  })

  test("the agent acts as the key's user: accept records that user", async () => {
    const client = await stack.connect({ Authorization: `Bearer ${USER_KEY}` })
    const r = await call(client, 'accept_alert', { id: 3 })
    expect(r.isError).toBe(false)
    expect(r.data.alert.assignedTo.email).toBe('ava.fischer@example.com')
  })

  test('a bridge token maps to its configured ilert key (here Ben Okafor) and never leaves the bridge', async () => {
    const client = await stack.connect({ Authorization: `Bearer ${BRIDGE_TOKEN}` })
    const r = await call(client, 'accept_alert', { id: 2 })
    expect(r.isError).toBe(false)
    expect(r.data.alert.assignedTo.email).toBe('ben.okafor@example.com')
    expect(stack.log.lines.join('\n')).not.toContain(BRIDGE_TOKEN)
    expect(stack.log.lines.join('\n')).not.toContain('sim-responder-key')
  })
})

describe('accept_ilert_keys: false and allow_anonymous', () => {
  test('only bridge tokens are accepted; anything else is 401 invalid_token', async () => {
    const stack = await startMcpStack({ ilert: { api_key: USER_KEY }, mcp: { accept_ilert_keys: false, tokens: [{ token: BRIDGE_TOKEN }] } })
    try {
      const res = await rpc(stack.mcpUrl, initialize(), { authorization: `Bearer ${USER_KEY}` })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
      const client = await stack.connect({ Authorization: `Bearer ${BRIDGE_TOKEN}` })
      expect((await call(client, 'find_user_by_email', { email: 'AVA.FISCHER@example.com' })).data.user.id).toBe(1) // ilert.api_key is the default
    } finally {
      await stack.closeAll()
    }
  })

  test('allow_anonymous: no header acts with ilert.api_key', async () => {
    const stack = await startMcpStack({ ilert: { api_key: USER_KEY }, mcp: { allow_anonymous: true } })
    try {
      const client = await stack.connect({})
      const r = await call(client, 'list_users')
      expect(r.isError).toBe(false)
      expect(r.data.count).toBe(5)
    } finally {
      await stack.closeAll()
    }
  })
})

describe('read-only mode', () => {
  test('hides every tool that changes state, and refuses calls to them as unknown tools', async () => {
    const stack = await startMcpStack({ mcp: { read_only: true } })
    try {
      const client = await stack.connect()
      const { tools } = await client.listTools()
      expect(tools.length).toBe(21)
      expect(tools.every((t) => t.annotations?.readOnlyHint === true && t.annotations.destructiveHint === false)).toBe(true)
      for (const name of ['send_event', 'accept_alert', 'resolve_alert', 'assign_alert', 'add_alert_responder', 'create_incident', 'update_incident', 'comment_on_alert', 'escalate_alert', 'create_maintenance_window', 'end_maintenance_window']) {
        expect(tools.some((t) => t.name === name)).toBe(false)
        await expect(client.callTool({ name, arguments: { id: 1 } })).rejects.toThrow(/Tool \w+ not found/)
      }
      expect((await call(client, 'search', { query: 'disk' })).isError).toBe(false)
    } finally {
      await stack.closeAll()
    }
  })
})
