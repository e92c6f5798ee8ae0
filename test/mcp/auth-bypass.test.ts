// Audit finding 16.1: with auth.tokens set, `POST /mcp` with any bearer and a tools/call of
// send_event was queued and delivered under the bridge's own integration key. Now every caller of
// /mcp presents a credential the bridge verified (bridge token, ingest token, or an ilert user key
// that ilert confirmed) before any tool runs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createIlertRest } from '../../src/ilert/rest-client'
import { createKeyChecker } from '../../src/ingest/mcp/key-check'
import { rpc, startMcpStack, USER_KEY, type McpStack } from './helpers'

const INGEST_TOKEN = 'ingest-token-0123456789abcdef'

const sendEvent = (eventType: string, id = 7) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'send_event', arguments: { event_type: eventType, alert_key: `bypass-${eventType}`, summary: 'should not pass' } },
})

async function waitFor(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await Bun.sleep(20)
  return cond()
}

describe('/mcp with auth.tokens set', () => {
  let stack: McpStack
  beforeAll(async () => {
    stack = await startMcpStack({ auth: { tokens: [INGEST_TOKEN] }, mcp: { allow_anonymous: true } })
  })
  afterAll(() => stack.closeAll())

  test('an arbitrary bearer gets 401 before any tool runs; nothing is queued or delivered', async () => {
    for (const type of ['resolve', 'alert']) {
      const res = await rpc(stack.mcpUrl, sendEvent(type), { authorization: 'Bearer anything-at-all' })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(((await res.json()) as any).error.message).toContain('ilert refused this API key')
    }
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(0)
    await Bun.sleep(200)
    expect(stack.sim.events().filter((e: any) => String(e.alertKey ?? e.body?.alertKey ?? '').startsWith('bypass-'))).toHaveLength(0)
    expect(await stack.metric('mcp_requests_refused_total', { reason: 'key_refused' })).toBeGreaterThanOrEqual(2)
  })

  test('no header is refused even with mcp.allow_anonymous (auth.tokens asks for authentication)', async () => {
    const res = await rpc(stack.mcpUrl, sendEvent('alert'), { authorization: '' })
    expect(res.status).toBe(401)
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(0)
  })

  test('an ingest token is a verified credential: send_event is stored and delivered', async () => {
    const res = await rpc(stack.mcpUrl, sendEvent('alert', 8), { authorization: `Bearer ${INGEST_TOKEN}` })
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).result.isError).not.toBe(true)
    expect(await waitFor(() => stack.sim.alerts().some((a: any) => a.alertKey === 'bypass-alert'))).toBe(true)
    expect(stack.log.lines.join('\n')).not.toContain(INGEST_TOKEN)
  })

  test('an ilert user key that ilert confirms works, and never appears in logs', async () => {
    const res = await rpc(stack.mcpUrl, { ...sendEvent('comment', 9), params: { name: 'send_event', arguments: { event_type: 'comment', alert_key: 'bypass-alert', summary: 'noted' } } }, { authorization: `Bearer ${USER_KEY}` })
    expect(res.status).toBe(200)
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(2)
    expect(stack.log.lines.join('\n')).not.toContain(USER_KEY)
  })
})

describe('/mcp when ilert cannot confirm a key', () => {
  test('ilert unreachable: 503 with Retry-After, nothing queued', async () => {
    const stack = await startMcpStack({})
    try {
      await stack.sim.stop()
      const res = await rpc(stack.mcpUrl, sendEvent('alert'), { authorization: 'Bearer some-ilert-looking-key-123' })
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(0)
    } finally {
      await stack.closeAll()
    }
  })
})

describe('key checker', () => {
  test('asks ilert once per key while its answer is cached; refused keys are refused', async () => {
    let calls = 0
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      routes: {
        '/api/users/current': (req) => {
          calls++
          return req.headers.get('authorization') === 'Bearer good-key'
            ? Response.json({ id: 1 })
            : Response.json({ code: 'KEY_ERROR', message: 'unknown key' }, { status: 403 })
        },
      },
    })
    try {
      const rest = createIlertRest({ apiUrl: `http://127.0.0.1:${server.port}`, userAgent: 't', timeoutMs: 2000, perMinute: 100 })
      const check = createKeyChecker(rest)
      expect((await check('good-key')).kind).toBe('confirmed')
      expect((await check('good-key')).kind).toBe('confirmed')
      expect(calls).toBe(1)
      expect((await check('bad-key')).kind).toBe('refused')
      expect((await check('bad-key')).kind).toBe('refused')
      expect(calls).toBe(2)
      const short = createKeyChecker(rest, { okMs: 0 })
      await short('good-key')
      await short('good-key')
      expect(calls).toBe(4)
    } finally {
      server.stop(true)
    }
  })
})
