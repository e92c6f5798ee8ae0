// Slow request bodies (issue 16, item 9): many clients from several addresses trickling bodies,
// each address at its per-peer cap and together more than the listener-wide cap, must not lock
// out a well-behaved client, and every trickled body is cut after listen.body_timeout_seconds
// with a counted 408. Real sockets from distinct loopback addresses (127.0.0.x are distinct peers).
import { afterAll, beforeAll, expect, test } from 'bun:test'
import net from 'node:net'
import { startStack, waitFor, type Stack } from '../helpers/harness'

const PEERS = 6
const PER_PEER = 8
const LISTENER = 32 // fewer than PEERS * PER_PEER trickled bodies

interface Trickler {
  out(): string
  closed: Promise<void>
  stop(): void
}

/** Opens a POST /events from `localAddress` whose body arrives one byte every 200 ms and never completes. */
async function trickle(port: number, localAddress: string): Promise<Trickler> {
  const s = net.connect({ port, host: '127.0.0.1', localAddress })
  await new Promise((r) => s.once('connect', r))
  let out = ''
  s.on('data', (d) => (out += d.toString('latin1')))
  s.on('error', () => undefined)
  const closed = new Promise<void>((r) => s.on('close', () => r()))
  s.write('POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"summary":"')
  const drip = setInterval(() => s.writable && s.write('a'), 200)
  void closed.then(() => clearInterval(drip))
  return { out: () => out, closed, stop: () => (clearInterval(drip), s.destroy()) }
}

let s: Stack
beforeAll(async () => {
  s = await startStack({
    config: {
      listen: { max_requests_in_flight: LISTENER, max_requests_in_flight_per_peer: PER_PEER, body_timeout_seconds: 3, idle_timeout_seconds: 30 },
    },
  })
})
afterAll(() => s.stop())

test('trickled bodies from many addresses at their per-peer cap do not lock out other clients; each is cut with a counted 408', async () => {
  const port = s.bound.http.port
  const tricklers: Trickler[] = []
  try {
    for (let p = 0; p < PEERS; p++) for (let i = 0; i < PER_PEER; i++) tricklers.push(await trickle(port, `127.0.0.${10 + p}`))
    await Bun.sleep(500) // let every trickled request reach its handler
    const oneMore = await trickle(port, '127.0.0.10')
    await waitFor('an answer to one request more', () => oneMore.out().includes('\r\n\r\n'))
    oneMore.stop()
    // The per-peer cap still bounds each address.
    expect(oneMore.out()).toStartWith('HTTP/1.1 429')

    // A well-behaved client is served while all the bodies are still trickling.
    for (let i = 0; i < 5; i++) {
      const r = await fetch(s.eventsUrl, { method: 'POST', body: JSON.stringify({ summary: `served ${i}`, alert_key: `served-${i}` }) })
      expect(r.status).toBe(202)
    }
    expect(tricklers.every((t) => t.out() === '')).toBe(true)
    // So are the probes, and a body that is slow but complete within the deadline.
    expect((await fetch(`${s.bound.http.url}/healthz`)).status).toBe(200)
    const slow = new ReadableStream<Uint8Array>({
      async start(c) {
        for (const part of ['{"summary":"slow ', 'but complete","alert_key":', '"slow-ok"}']) {
          c.enqueue(new TextEncoder().encode(part))
          await Bun.sleep(300)
        }
        c.close()
      },
    })
    expect((await fetch(s.eventsUrl, { method: 'POST', body: slow })).status).toBe(202)

    // Each trickled body is answered 408 body_timeout and its connection closed.
    await Promise.all(tricklers.map((t) => t.closed))
    for (const t of tricklers) {
      expect(t.out()).toStartWith('HTTP/1.1 408')
      expect(t.out()).toContain('"reason":"body_timeout"')
    }
    expect(await s.metric('mcp_rejected_events_total', { transport: 'http', reason: 'body_timeout' })).toBe(PEERS * PER_PEER)
    const sim = await (await fetch(`${s.simUrl}/api/alerts`)).json()
    expect(JSON.stringify(sim)).toContain('served 4')
  } finally {
    for (const t of tricklers) t.stop()
  }
}, 30_000)
