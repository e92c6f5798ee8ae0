/**
 * Heartbeat pings through the bridge: devices ping /api/heartbeats/{key} and /api/pings/{key} on
 * the bridge as often as they like; the ilert simulator's heartbeat endpoint receives at most 5
 * per key per minute (ilert's limit), never answers 429, and every device ping gets a 2xx.
 * The bridge's own heartbeat (heartbeat.key) pings the simulator on start and every interval.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, waitFor } from '../helpers/harness'

describe('heartbeat proxy', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ config: { heartbeat: { key: 'il1hbt-bridge-own-key', interval_seconds: 12 } } })
  })
  afterAll(() => stack.stop())

  test('12 pings of one device in a burst: all answered 2xx, 5 reach ilert, none refused there', async () => {
    const base = stack.bound.http.url
    const methods = ['GET', 'HEAD', 'POST']
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${base}/api/heartbeats/il1hbt-device-a`, { method: methods[i % 3] })
      expect(r.status).toBe(202)
      expect(r.headers.get('x-heartbeat')).toBe(i < 5 ? 'forwarded' : 'coalesced')
    }
    const rec = stack.sim.heartbeats('il1hbt-device-a')!
    expect(rec.accepted).toBe(5)
    expect(rec.rateLimited).toBe(0)
    expect(rec.maxPerWindowObserved).toBeLessThanOrEqual(5)
    expect(rec.pings.map((p) => p.method)).toEqual(['GET', 'HEAD', 'POST', 'GET', 'HEAD'])
    expect(await stack.metric('mcp_heartbeat_pings_total', { kind: 'proxy', outcome: 'coalesced' })).toBe(7)
  })

  test('ilert\'s current ping path /api/pings/{key} and the legacy /api/v1 path are proxied to the same paths', async () => {
    const base = stack.bound.http.url
    expect((await fetch(`${base}/api/pings/monitor-key-1`, { method: 'HEAD' })).status).toBe(202)
    expect((await fetch(`${base}/api/v1/heartbeats/legacy-key-1`)).status).toBe(202)
    expect(stack.sim.heartbeats('monitor-key-1')!.pings[0]!.path).toBe('pings')
    expect(stack.sim.heartbeats('legacy-key-1')!.pings[0]!.path).toBe('heartbeats')
  })

  test('a key that cannot be one gets 400, nothing forwarded', async () => {
    const r = await fetch(`${stack.bound.http.url}/api/heartbeats/${'k'.repeat(300)}`)
    expect(r.status).toBe(400)
    expect(((await r.json()) as any).message).toMatch(/'key'/)
  })

  test('the bridge pings its own heartbeat monitor', async () => {
    const rec = await waitFor('own heartbeat', () => stack.sim.heartbeats('il1hbt-bridge-own-key'))
    expect(rec.pings[0]!.path).toBe('pings')
    expect(await stack.metric('mcp_heartbeat_pings_total', { kind: 'own', outcome: 'forwarded' })).toBeGreaterThanOrEqual(1)
  })

  test('ilert unreachable: 502, the ping is not counted against the key', async () => {
    const sim = stack.sim
    const dead = await startStack({ config: { ilert: { api_url: 'http://127.0.0.1:1' } } })
    try {
      const r = await fetch(`${dead.bound.http.url}/api/pings/k-unreachable`)
      expect(r.status).toBe(502)
      expect(await dead.metric('mcp_heartbeat_pings_total', { kind: 'proxy', outcome: 'failed' })).toBe(1)
      expect(sim.heartbeats('k-unreachable')).toBeUndefined()
    } finally {
      await dead.stop()
    }
  })
})
