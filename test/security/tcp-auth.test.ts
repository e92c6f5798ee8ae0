// TCP ingest authentication: with auth.tokens set, the first line must be {"auth":"<token>"};
// without it (or with a wrong token) the client gets one `unauthorized` error line for line 1 and
// the connection is closed, nothing of it queued. Without tokens an auth line is accepted and
// ignored. Unauthenticated connections are cut after tcp.auth_timeout_seconds, and one address
// cannot hold more than tcp.max_connections_per_peer connections.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, waitFor, type Stack } from '../helpers/harness'
import { ackOf, connectLines, errorsOf } from './helpers/line-client'

const TOKEN = 'device-token-0123456789abcdef'
const GUESS = 'device-guess-0123456789abcdef'
const ev = (n: number) => JSON.stringify({ summary: `tcp auth ${n}`, alert_key: `tcp-auth-${n}` }) + '\n'
const auth = (t: string) => JSON.stringify({ auth: t }) + '\n'

describe('TCP with auth.tokens', () => {
  let s: Stack
  const port = () => s.bound.tcp!.port
  beforeAll(async () => {
    s = await startStack({ config: { auth: { tokens: [TOKEN], failure_delay_max_seconds: 0.2 }, tcp: { auth_timeout_seconds: 1, max_connections_per_peer: 5 } } })
  })
  afterAll(() => s.stop())

  test('auth line first, then events: acknowledged as usual (the auth line is line 1)', async () => {
    const c = await connectLines({ port: port() })
    c.write(auth(TOKEN) + ev(1) + ev(2))
    await c.waitFor('ack 3', (r) => (ackOf(r)?.ack ?? 0) >= 3)
    expect(ackOf(c.replies)).toEqual({ ack: 3, accepted: 2, rejected: 0 })
    expect(errorsOf(c.replies)).toEqual([])
    c.end()
    await c.waitForClose()
    await waitFor('delivered', () => s.sim.alerts().filter((a) => a.summary.startsWith('tcp auth')).length === 2)
  })

  test('no auth line: one unauthorized error for line 1, closed, nothing queued', async () => {
    const before = await s.metric('mcp_in_events_total', { transport: 'tcp' })
    const c = await connectLines({ port: port() })
    c.write(ev(10) + ev(11))
    await c.waitForClose()
    expect(c.replies).toHaveLength(1)
    expect(errorsOf(c.replies)[0]).toMatchObject({ line: 1, reason: 'unauthorized' })
    expect(await s.metric('mcp_in_events_total', { transport: 'tcp' })).toBe(before)
    expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'missing' })).toBe(1)
  })

  test('a wrong token: unauthorized and closed; the guess appears nowhere', async () => {
    const c = await connectLines({ port: port() })
    c.write(auth(GUESS) + ev(20))
    await c.waitForClose()
    expect(errorsOf(c.replies)).toEqual([expect.objectContaining({ line: 1, reason: 'unauthorized', message: 'invalid token' })])
    expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'invalid' })).toBe(1)
    const logs = s.log.lines.join('\n')
    expect(logs).toContain('tcp authentication failed')
    for (const secret of [TOKEN, GUESS]) {
      expect(logs).not.toContain(secret)
      expect(JSON.stringify(c.replies)).not.toContain(secret)
      expect(await s.registry.metrics()).not.toContain(secret)
    }
  })

  test('an auth line split across packets and with CRLF still authenticates', async () => {
    const c = await connectLines({ port: port() })
    const line = auth(TOKEN).replace('\n', '\r\n')
    c.write(line.slice(0, 5))
    await Bun.sleep(30)
    c.write(line.slice(5) + ev(30))
    await c.waitFor('ack 2', (r) => (ackOf(r)?.ack ?? 0) >= 2)
    expect(ackOf(c.replies)).toEqual({ ack: 2, accepted: 1, rejected: 0 })
    c.end()
  })

  test('silent after connecting: cut after tcp.auth_timeout_seconds with an unauthorized line', async () => {
    const c = await connectLines({ port: port() })
    c.write('{"auth":') // a slow start does not extend the deadline
    const ms = await c.waitForClose(10_000)
    expect(ms).toBeLessThan(9000) // 1 s, rounded up to Bun's 4 s timer ticks
    expect(errorsOf(c.replies)[0]).toMatchObject({ line: 1, reason: 'unauthorized' })
    expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'timeout' })).toBe(1)
  })

  test('beyond tcp.max_connections_per_peer: too_many_connections_per_peer, counted', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => connectLines({ port: port() })))
    for (const c of held) c.write(auth(TOKEN))
    await Promise.all(held.map((c) => c.waitFor('ack 1', (r) => ackOf(r)?.ack === 1)))
    const extra = await connectLines({ port: port() })
    await extra.waitForClose()
    expect(extra.replies).toEqual([{ error: { reason: 'too_many_connections_per_peer' } }])
    expect(await s.metric('mcp_rejected_events_total', { transport: 'tcp', reason: 'too_many_connections_per_peer' })).toBe(1)
    for (const c of held) c.destroy()
    // Slots come back when connections close.
    await waitFor('slots released', async () => {
      const c = await connectLines({ port: port() })
      c.write(auth(TOKEN))
      const ok = await c.waitFor('ack', (r) => ackOf(r)?.ack === 1, 500).then(() => true, () => false)
      c.destroy()
      return ok
    })
  })
})

describe('TCP without auth.tokens', () => {
  test('an auth line is accepted and skipped; plain events work as before', async () => {
    const s = await startStack()
    try {
      const a = await connectLines({ port: s.bound.tcp!.port })
      a.write(auth('any-token-at-all-0123') + ev(40))
      await a.waitFor('ack 2', (r) => (ackOf(r)?.ack ?? 0) >= 2)
      expect(ackOf(a.replies)).toEqual({ ack: 2, accepted: 1, rejected: 0 })
      const b = await connectLines({ port: s.bound.tcp!.port })
      b.write(ev(41))
      await b.waitFor('ack 1', (r) => (ackOf(r)?.ack ?? 0) >= 1)
      expect(ackOf(b.replies)).toEqual({ ack: 1, accepted: 1, rejected: 0 })
      a.end()
      b.end()
    } finally {
      await s.stop()
    }
  })
})

describe('TCP structural bounds', () => {
  test('a line nested deeper than limits.max_json_depth gets json_too_deep; the connection carries on', async () => {
    const s = await startStack({ config: { limits: { max_json_depth: 4 } } })
    try {
      const c = await connectLines({ port: s.bound.tcp!.port })
      const deep = JSON.stringify({ summary: 'deep', custom_details: { a: [[[[1]]]] } }) + '\n'
      const huge = `{"summary":"huge","custom_details":{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}}\n`
      c.write(deep + huge + ev(50))
      await c.waitFor('ack 3', (r) => (ackOf(r)?.ack ?? 0) >= 3)
      expect(errorsOf(c.replies).map((e) => [e.line, e.reason])).toEqual([
        [1, 'json_too_deep'],
        [2, 'json_too_deep'],
      ])
      expect(ackOf(c.replies)).toEqual({ ack: 3, accepted: 1, rejected: 2 })
      expect(await s.metric('mcp_rejected_events_total', { transport: 'tcp', reason: 'json_too_deep' })).toBe(2)
      c.end()
    } finally {
      await s.stop()
    }
  })
})
