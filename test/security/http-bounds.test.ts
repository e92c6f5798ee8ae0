// Bounds on what one HTTP client can make the bridge hold, each refusal counted with its reason:
// body size (413), events per request (413), header size (431, Bun's own 16 KiB limit), JSON
// nesting depth, requests in flight per peer (429) and per listener (503), and slow or silent
// connections (slowloris) closed by Bun's header timeout, listen.idle_timeout_seconds and
// listen.body_timeout_seconds.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import net from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { startStack, testConfig, waitFor, type Stack } from '../helpers/harness'
import { healthz } from '../../src/ingest/http/events'
import { startHttpServer } from '../../src/ingest/http/server'
import { FailureLimiter } from '../../src/security/failures'
import { createHttpGate } from '../../src/security/http-gate'
import { createSecurityMetrics } from '../../src/security/metrics'
import { createTokenVerifier } from '../../src/security/tokens'

const ev = (n: number) => ({ summary: `bound ${n}`, alert_key: `bound-${n}` })
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

/** A raw HTTP/1.1 connection: what it received, and when it closed (ms after connecting). */
async function raw(port: number, localAddress?: string) {
  const s = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) })
  await new Promise((r) => s.once('connect', r))
  const t0 = Date.now()
  let out = ''
  s.on('data', (d) => (out += d.toString('latin1')))
  s.on('error', () => undefined)
  const closed = new Promise<number>((r) => s.on('close', () => r(Date.now() - t0)))
  return { s, closed, out: () => out }
}

describe('HTTP bounds', () => {
  let s: Stack
  let dir: string
  const url = () => s.eventsUrl
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-bounds-'))
    // Durable store: a too-deep event must be refused before it reaches JSON.stringify there.
    s = await startStack({
      config: {
        queue: { durable: true, path: dir },
        listen: { max_body_bytes: 300_000, max_events_per_request: 3, idle_timeout_seconds: 2 },
        limits: { max_json_depth: 8 },
      },
    })
  })
  afterAll(async () => {
    await s.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const rejected = (reason: string) => s.metric('mcp_rejected_events_total', { transport: 'http', reason })

  test('413: body over listen.max_body_bytes, by Content-Length or while streaming', async () => {
    const big = JSON.stringify({ summary: 'x'.repeat(310_000) })
    const r1 = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })
    expect(r1.status).toBe(413)
    expect(await r1.json()).toMatchObject({ reason: 'body_too_large' })
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode('x'.repeat(10_000)))
        c.close()
      },
    })
    const r2 = await fetch(url(), { method: 'POST', body: stream })
    expect(r2.status).toBe(413)
    expect(await rejected('body_too_large')).toBe(2)
  })

  test('413: more events than listen.max_events_per_request (array or NDJSON); nothing queued', async () => {
    const r1 = await fetch(url(), { method: 'POST', body: JSON.stringify([ev(1), ev(2), ev(3), ev(4)]) })
    expect(r1.status).toBe(413)
    expect(await r1.json()).toMatchObject({ reason: 'too_many_events' })
    const nd = [1, 2, 3, 4].map((n) => JSON.stringify(ev(n))).join('\n')
    const r2 = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: nd })
    expect(r2.status).toBe(413)
    expect(await rejected('too_many_events')).toBe(2)
    expect((await fetch(url(), { method: 'POST', body: JSON.stringify([ev(1), ev(2), ev(3)]) })).status).toBe(202)
  })

  test('431: request headers over 16 KiB, answered by Bun before any handler', async () => {
    const c = await raw(s.bound.http.port)
    c.s.write(`POST /events HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`)
    await c.closed
    expect(c.out()).toStartWith('HTTP/1.1 431')
  })

  test('JSON nesting deeper than limits.max_json_depth: that event refused, the others queued, no crash', async () => {
    const deep = `{"summary":"deep","custom_details":{"a":${nested(100_000)}}}`
    const r1 = await fetch(url(), { method: 'POST', body: deep })
    expect(r1.status).toBe(400)
    expect(((await r1.json()) as { rejected: unknown[] }).rejected[0]).toMatchObject({ reason: 'json_too_deep' })
    const mixed = [JSON.stringify(ev(7)), `{"summary":"d","custom_details":{"a":${nested(9)}}}`].join('\n')
    const r2 = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: mixed })
    expect(r2.status).toBe(202)
    expect(await r2.json()).toMatchObject({ accepted: 1, rejected: [{ line: 2, reason: 'json_too_deep' }] })
    expect(await rejected('json_too_deep')).toBe(2)
    const ok = `{"summary":"shallow enough","alert_key":"depth-ok","custom_details":{"a":${nested(6)}}}`
    expect((await fetch(url(), { method: 'POST', body: ok })).status).toBe(202)
  })

  test('slowloris: headers sent a byte at a time, a silent connection and a trickled body are all closed', async () => {
    const port = s.bound.http.port
    const [drip, silent, body] = await Promise.all([raw(port), raw(port), raw(port)])
    let stop = false
    void (async () => {
      const req = 'POST /events HTTP/1.1\r\nHost: localhost\r\n' + 'X-A: b\r\n'.repeat(200)
      for (let i = 0; i < req.length && !stop; i++) {
        drip.s.write(req[i]!)
        await Bun.sleep(200)
      }
    })()
    body.s.write('POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n')
    void (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        body.s.write(' ')
        await Bun.sleep(200)
      }
    })()
    try {
      // Bun's header deadline is ~10 s (its timers tick every 4 s); idle_timeout_seconds is 2 here.
      const [dripMs, silentMs, bodyMs] = await Promise.all([drip.closed, silent.closed, body.closed])
      expect(dripMs).toBeLessThan(16_000)
      expect(silentMs).toBeLessThan(16_000)
      expect(bodyMs).toBeLessThan(8_000)
    } finally {
      stop = true
    }
    expect((await fetch(`${s.bound.http.url}/healthz`)).status).toBe(200)
  }, 25_000)
})

describe('requests in flight', () => {
  /** Opens a POST /events whose body never completes, so the request stays in flight. */
  async function hold(port: number, localAddress = '127.0.0.1') {
    const c = await raw(port, localAddress)
    c.s.write('POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"summary":')
    return c
  }

  /** POST /events from `localAddress` on a connection of its own; the answer's status. */
  async function postFrom(port: number, localAddress: string, body: string): Promise<number> {
    const c = await raw(port, localAddress)
    c.s.write(`POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    await waitFor('an answer', () => c.out().includes('\r\n\r\n'))
    c.s.destroy()
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(c.out())?.[1] ?? 0)
  }

  // Addresses are looked up only once as many requests are in flight as one address may hold
  // (src/security/peer-slots.ts): those admitted before then must count under their own address.
  test('per peer: requests admitted before the cap could bind count under their own address', async () => {
    const s = await startStack({ config: { listen: { max_requests_in_flight_per_peer: 2 } } })
    const port = s.bound.http.port
    try {
      const held = [await hold(port, '127.0.0.1'), await hold(port, '127.0.0.2')]
      await Bun.sleep(50)
      // One each in flight: 127.0.0.2 may have a second.
      expect(await postFrom(port, '127.0.0.2', JSON.stringify(ev(3)))).toBe(202)
      held.push(await hold(port, '127.0.0.1'))
      await Bun.sleep(50)
      // 127.0.0.1 now holds two: a third is refused, 127.0.0.2 still has room.
      expect(await postFrom(port, '127.0.0.1', JSON.stringify(ev(4)))).toBe(429)
      expect(await postFrom(port, '127.0.0.2', JSON.stringify(ev(5)))).toBe(202)
      expect(await s.metric('mcp_rejected_events_total', { transport: 'http', reason: 'too_many_requests_per_peer' })).toBe(1)
      for (const h of held) h.s.destroy()
      await Promise.all(held.map((h) => h.closed))
      await Bun.sleep(50)
      expect(await postFrom(port, '127.0.0.1', JSON.stringify(ev(6)))).toBe(202)
    } finally {
      await s.stop()
    }
  })

  test('per peer: 429 too_many_requests_per_peer beyond listen.max_requests_in_flight_per_peer', async () => {
    const s = await startStack({ config: { listen: { max_requests_in_flight_per_peer: 2 } } })
    try {
      const held = [await hold(s.bound.http.port), await hold(s.bound.http.port)]
      await Bun.sleep(50)
      const r = await fetch(s.eventsUrl, { method: 'POST', body: JSON.stringify(ev(1)) })
      expect(r.status).toBe(429)
      expect(r.headers.get('retry-after')).toBe('1')
      expect(await r.json()).toMatchObject({ reason: 'too_many_requests_per_peer' })
      expect(await s.metric('mcp_rejected_events_total', { transport: 'http', reason: 'too_many_requests_per_peer' })).toBe(1)
      for (const h of held) h.s.destroy()
      await Promise.all(held.map((h) => h.closed))
      await Bun.sleep(50)
      expect((await fetch(s.eventsUrl, { method: 'POST', body: JSON.stringify(ev(2)) })).status).toBe(202)
    } finally {
      await s.stop()
    }
  })

  // Requests count against the listener-wide cap while the bridge works on them; a body still
  // arriving holds only its per-peer slot (test/security/http-slow-bodies.test.ts). So this runs
  // the real listener and gate with an events handler that holds requests until released.
  test('per listener: 503 too_many_requests beyond listen.max_requests_in_flight', async () => {
    const listen = { ...testConfig().listen, port: 0, max_requests_in_flight: 2 }
    const rejected: string[] = []
    const gate = createHttpGate({
      verifier: createTokenVerifier([]),
      failures: new FailureLimiter({ maxDelayMs: 0 }),
      metrics: createSecurityMetrics(new Registry()),
      maxInFlight: listen.max_requests_in_flight,
      maxInFlightPerPeer: listen.max_requests_in_flight_per_peer,
      bodyTimeoutSeconds: listen.body_timeout_seconds,
      countRejected: (reason) => rejected.push(reason),
    })
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    let working = 0
    const events = async (req: Request) => {
      await gate.awaitBody(req.arrayBuffer())
      working++
      await released
      return new Response('{"accepted":1}', { status: 202 })
    }
    const server = startHttpServer({ listen, gate, fetch: () => new Response('', { status: 404 }), native: { events, healthz, readyz: () => healthz() } })
    const url = `http://127.0.0.1:${server.port}`
    try {
      const held = [fetch(`${url}/events`, { method: 'POST', body: '{}' }), fetch(`${url}/events`, { method: 'POST', body: '{}' })]
      await waitFor('two requests being handled', () => working === 2)
      const r = await fetch(`${url}/healthz`)
      expect(r.status).toBe(503)
      expect(await r.json()).toMatchObject({ reason: 'too_many_requests' })
      expect(rejected).toEqual(['too_many_requests'])
      release()
      expect((await Promise.all(held)).map((h) => h.status)).toEqual([202, 202])
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
    } finally {
      release()
      await server.stop()
    }
  })
})

test('a client trickling a request body cannot hold up shutdown beyond the 5 s grace', async () => {
  const s = await startStack({ config: { listen: { idle_timeout_seconds: 60 } } })
  const c = await raw(s.bound.http.port)
  c.s.write('POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{')
  const drip = setInterval(() => c.s.write(' '), 200)
  try {
    await Bun.sleep(100)
    const t = Date.now()
    await s.stop()
    expect(Date.now() - t).toBeLessThan(8000)
    expect(await c.closed).toBeLessThan(8000)
  } finally {
    clearInterval(drip)
  }
}, 30_000) // waits out the 5 s grace: past bun test's default when run alone
