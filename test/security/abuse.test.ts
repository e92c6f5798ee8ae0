// Abuse, all at once against one bridge (tokens on, durable queue): token guessing over HTTP and
// TCP, unauthenticated and silent TCP connections, oversized headers and bodies, too many events,
// absurdly nested JSON. Afterwards: the bridge still serves, every connection was reclaimed,
// memory and log volume stayed bounded, and no secret (configured or guessed) appears in any output.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import net from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack, waitFor, type Stack } from '../helpers/harness'
import { ackOf, connectLines } from './helpers/line-client'

const TOKEN = 'abuse-real-token-0123456789'
const guess = (i: number) => `abuse-guess-token-${String(i).padStart(8, '0')}`

let s: Stack
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-abuse-'))
  s = await startStack({
    config: {
      queue: { durable: true, path: dir },
      auth: { tokens: [TOKEN], failure_delay_max_seconds: 0.05 },
      tcp: { auth_timeout_seconds: 1, max_connections_per_peer: 400 },
      listen: { max_requests_in_flight_per_peer: 32, max_body_bytes: 100_000, max_events_per_request: 10 },
    },
  })
})
afterAll(async () => {
  await s.stop()
  rmSync(dir, { recursive: true, force: true })
})

const heap = () => {
  Bun.gc(true)
  return process.memoryUsage().heapUsed
}

function rawTcp(port: number, payload: string | undefined): Promise<void> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => {
      if (payload !== undefined) c.write(payload)
    })
    c.on('data', () => undefined)
    c.on('error', () => resolve())
    c.on('close', () => resolve())
  })
}

test('no crash, bounded memory, every connection reclaimed, no secret in any output', async () => {
  const before = heap()
  const http = s.bound.http.url
  const port = s.bound.tcp!.port
  const statuses = new Map<number, number>()
  const count = (st: number) => statuses.set(st, (statuses.get(st) ?? 0) + 1)
  const post = (body: string, auth: string, headers: Record<string, string> = {}) =>
    fetch(`${http}/events`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, ...headers }, body }).then(
      (r) => count(r.status),
      () => count(0),
    )
  const deep = `{"summary":"deep","custom_details":{"a":${'['.repeat(40_000)}${']'.repeat(40_000)}}}`
  const payloads = [
    ...Array.from({ length: 30 }, () => () => post('x'.repeat(150_000), TOKEN)),
    ...Array.from({ length: 30 }, () => () => post(JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ summary: `m${i}` }))), TOKEN)),
    ...Array.from({ length: 30 }, () => () => post(deep, TOKEN)),
    ...Array.from({ length: 30 }, () => () => post('{"summary":"big header"}', TOKEN, { 'x-pad': 'a'.repeat(20_000) })),
  ]
  await Promise.all([
    // Guessing, far beyond the per-peer request cap (so also 429s), beside abusive TCP clients...
    ...Array.from({ length: 300 }, (_, i) => post('{"summary":"x"}', guess(i))),
    ...Array.from({ length: 150 }, () => rawTcp(port, '{"summary":"no auth"}\n')),
    ...Array.from({ length: 150 }, (_, i) => rawTcp(port, JSON.stringify({ auth: guess(1000 + i) }) + '\n{"summary":"guessed"}\n')),
    ...Array.from({ length: 50 }, () => rawTcp(port, undefined)), // silent: cut by auth_timeout_seconds
    // ...and, with the real token, bad payloads in waves, retried while the guesses fill the cap.
    (async () => {
      for (let i = 0; i < payloads.length; i += 8) await Promise.all(payloads.slice(i, i + 8).map((f) => f()))
    })(),
  ])
  expect(statuses.get(202) ?? 0).toBe(0) // nothing got in without the real token and a valid body
  expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBeGreaterThanOrEqual(300)
  // Once the guesses are done, each bad payload gets its own answer.
  for (const f of [payloads[0]!, payloads[30]!, payloads[60]!, payloads[90]!]) await f()
  for (const st of [413, 400, 431]) expect(statuses.get(st) ?? 0).toBeGreaterThan(0)

  // Still serving, over both transports.
  const ok = await fetch(`${http}/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"summary":"after abuse","alert_key":"abuse-ok-1"}' })
  expect(ok.status).toBe(202)
  const c = await connectLines({ port })
  c.write(JSON.stringify({ auth: TOKEN }) + '\n' + JSON.stringify({ summary: 'after abuse tcp', alert_key: 'abuse-ok-2' }) + '\n')
  await c.waitFor('ack 2', (r) => ackOf(r)?.ack === 2)
  c.end()
  await waitFor('both delivered', () => s.sim.alerts().filter((a) => a.summary.startsWith('after abuse')).length === 2)
  await waitFor('connections reclaimed', () => (s.app as unknown as { tcp: { connections(): number } }).tcp.connections() === 0)
  expect(s.sim.alerts().some((a) => ['x', 'guessed', 'no auth', 'deep'].includes(a.summary))).toBe(false)

  const grown = heap() - before
  expect(grown).toBeLessThan(64 * 1024 * 1024)
  expect(s.app.security.failures.trackedPeers).toBeLessThanOrEqual(1)

  // Hundreds of refusals, a handful of log lines: the log cannot be used to fill the disk.
  const warnings = s.log.lines.filter((l) => l.includes('authentication failed') || l.includes('connection refused'))
  expect(warnings.length).toBeLessThan(40)
  const outputs = [s.log.lines.join('\n'), await s.registry.metrics()]
  for (const out of outputs) {
    expect(out).not.toContain(TOKEN)
    expect(out).not.toContain('abuse-guess-token')
  }
  expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'missing' })).toBe(150)
  expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'invalid' })).toBe(150)
  expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'timeout' })).toBe(50)
}, 60_000)
