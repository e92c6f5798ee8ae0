// Inbound auth on the HTTP listener: POST /events and /admin/* need "Authorization: Bearer <token>"
// when auth.tokens is set (401 otherwise, with WWW-Authenticate), /admin/* only an admin token when
// auth.admin_tokens is set (403), the probes stay open, failures are counted and slowed per peer,
// and no presented or configured token appears in a log line, a response or the metrics.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack } from '../helpers/harness'

const TOKEN = 'edge-token-0123456789abcdef'
const ADMIN = 'admin-token-0123456789abcdef'
const GUESS = 'guess-token-0123456789abcdef'
const EVENT = { summary: 'disk full', alert_key: 'auth-1' }

const post = (s: Stack, path: string, body: unknown, auth?: string) =>
  fetch(`${s.bound.http.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth !== undefined ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  })

describe('HTTP auth with auth.tokens and auth.admin_tokens', () => {
  let s: Stack
  beforeAll(async () => {
    s = await startStack({ config: { auth: { tokens: [TOKEN], admin_tokens: [ADMIN], failure_delay_max_seconds: 0.4 } } })
  })
  afterAll(() => s.stop())

  test('POST /events without a token: 401 with a Bearer challenge; nothing queued', async () => {
    const r = await post(s, '/events', EVENT)
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="mcp-ilert"')
    expect(await r.json()).toMatchObject({ reason: 'unauthorized' })
    expect(await s.metric('mcp_in_events_total', { transport: 'http' })).toBe(0)
    expect(await s.metric('mcp_auth_failures_total', { transport: 'http', reason: 'missing' })).toBe(1)
  })

  test('a wrong or malformed token: 401 invalid_token', async () => {
    const r = await post(s, '/events', EVENT, `Bearer ${GUESS}`)
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect((await post(s, '/events', EVENT, `Basic ${TOKEN}`)).status).toBe(401)
    expect(await s.metric('mcp_auth_failures_total', { transport: 'http', reason: 'malformed' })).toBe(1)
  })

  test('the right token: 202; an admin token works for ingest too', async () => {
    expect((await post(s, '/events', EVENT, `Bearer ${TOKEN}`)).status).toBe(202)
    expect((await post(s, '/events', { ...EVENT, alert_key: 'auth-2' }, `bearer ${ADMIN}`)).status).toBe(202)
  })

  test('admin API: no token 401, an ingest token 403, an admin token 200', async () => {
    const url = `${s.bound.http.url}/admin/dead-letters`
    expect((await fetch(url)).status).toBe(401)
    const forbidden = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(forbidden.status).toBe(403)
    expect(await forbidden.json()).toMatchObject({ reason: 'forbidden' })
    expect((await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200)
    expect((await post(s, '/admin/dead-letters/purge', { all: true }, `Bearer ${TOKEN}`)).status).toBe(403)
    expect((await post(s, '/admin/dead-letters/purge', { all: true }, `Bearer ${ADMIN}`)).status).toBe(200)
  })

  test('probes are open; unknown paths need a token too (default deny)', async () => {
    expect((await fetch(`${s.bound.http.url}/healthz`)).status).toBe(200)
    expect((await fetch(`${s.bound.http.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${s.bound.http.url}/events/`)).status).toBe(401)
    expect((await fetch(`${s.bound.http.url}/whatever`)).status).toBe(401)
  })

  test('repeated failures from one address are answered ever slower, up to the cap', async () => {
    const times: number[] = []
    for (let i = 0; i < 6; i++) {
      const t = performance.now()
      expect((await post(s, '/events', EVENT, `Bearer ${GUESS}${i}`)).status).toBe(401)
      times.push(performance.now() - t)
    }
    // Earlier tests already failed from 127.0.0.1 (same window): the delay is at its 400 ms cap.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(350)
    expect(Math.max(...times)).toBeLessThan(1500)
    // The right token is not slowed by the failures before it.
    const t = performance.now()
    expect((await post(s, '/events', { ...EVENT, alert_key: 'auth-3' }, `Bearer ${TOKEN}`)).status).toBe(202)
    expect(performance.now() - t).toBeLessThan(300)
  })

  test('no token, configured or guessed, in the logs, the metrics or a response', async () => {
    const body = await (await post(s, '/events', EVENT, `Bearer ${GUESS}`)).text()
    const metrics = await s.registry.metrics()
    const logs = s.log.lines.join('\n')
    for (const secret of [TOKEN, ADMIN, GUESS]) {
      expect(logs).not.toContain(secret)
      expect(metrics).not.toContain(secret)
      expect(body).not.toContain(secret)
    }
    expect(logs).toContain('http authentication failed')
  })
})

describe('HTTP without auth.tokens (the default)', () => {
  test('POST /events and the admin API need no token', async () => {
    const s = await startStack()
    try {
      expect((await post(s, '/events', EVENT)).status).toBe(202)
      expect((await fetch(`${s.bound.http.url}/admin/dead-letters`)).status).toBe(200)
    } finally {
      await s.stop()
    }
  })
})
