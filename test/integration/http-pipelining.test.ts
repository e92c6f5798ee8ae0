/**
 * Audit finding 16.5: 200 `POST /events` written at once on one keep-alive connection got no
 * answer in durable mode (Bun wrote no response while a handler awaited the group commit and the
 * next request was already buffered). Every pipelined request must be answered, in order, in both
 * queue modes, and each answered event must be stored once.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack, waitFor } from '../helpers/harness'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-pipe-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const N = 200

async function pipelined(port: number): Promise<string> {
  let requests = ''
  for (let i = 0; i < N; i++) {
    const body = JSON.stringify({ alert_key: `pipe-${i}`, summary: `pipelined ${i}` })
    requests += `POST /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  }
  let received = ''
  let closed = false
  let pending = Buffer.from(requests)
  const sock = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_s, chunk) {
        received += chunk.toString('latin1')
      },
      drain(s) {
        if (pending.length > 0) pending = pending.subarray(s.write(pending))
      },
      close() {
        closed = true
      },
    },
  })
  // All of it at once, before any answer (the rest as soon as the socket takes it).
  pending = pending.subarray(sock.write(pending))
  const answers = () => received.split('HTTP/1.1 ').length - 1
  const until = Date.now() + 15_000
  while (answers() < N && !closed && Date.now() < until) await Bun.sleep(10)
  sock.end()
  return received
}

const MODES = [
  ['memory', { durable: false }],
  ['durable, sync: normal', { durable: true, sync: 'normal' }],
] as const

for (const [name, queue] of MODES) {
  test(`${N} pipelined requests on one connection are all answered, in order (${name})`, async () => {
    const stack = await startStack({
      config: { queue: { ...queue, path: join(dir, name.replace(/\W+/g, '-')) }, rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000 } },
      sim: { rateLimit: { perKey: 0 } },
    })
    try {
      const text = await pipelined(stack.bound.http.port)
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])
      expect(statuses).toHaveLength(N)
      expect(statuses.every((s) => s === '202')).toBe(true)
      expect(await stack.metric('mcp_in_events_total', { transport: 'http' })).toBe(N)
      await waitFor('all delivered', () => stack.sim.alerts().length === N, 20_000)
    } finally {
      await stack.stop()
    }
  }, 30_000)
}
