// The ilert REST client: per-key window budget (never more than N calls in a window), pagination
// clamped to each endpoint's cap (never a 400 from overshooting), and ilert's errors mapped to
// reasons and model-actionable messages that never contain the key.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { clampPage, PAGE_CAPS } from '../../src/ilert/pagination'
import { RestBudget } from '../../src/ilert/rest-budget'
import { buildUrl, createIlertRest } from '../../src/ilert/rest-client'
import { createSimulator, type Simulator } from '../../src/simulator/simulator'

let sim: Simulator
let base: string
beforeAll(async () => {
  sim = createSimulator({ port: 0, demoAlerts: true })
  base = (await sim.start()).url
})
afterAll(() => sim.stop())

const client = (perMinute = 120, windowMs = 60_000, maxWaitMs = 3_000) =>
  createIlertRest({ apiUrl: base, userAgent: 'test', timeoutMs: 2_000, perMinute, windowMs, maxWaitMs })

describe('pagination', () => {
  test('clampPage never exceeds a cap, and every cap is accepted by the simulator', async () => {
    expect(clampPage('schedules', -5, 500)).toEqual({ 'start-index': 0, 'max-results': 20 })
    expect(clampPage('alerts')).toEqual({ 'start-index': 0, 'max-results': 50 })
    expect(clampPage('onCalls', 3, 0)).toEqual({ 'start-index': 3, 'max-results': 1 })
    const rest = client()
    const paths = { alerts: '/alerts', alertLogEntries: '/alerts/1/log-entries', incidents: '/incidents', services: '/services', onCalls: '/on-calls', schedules: '/schedules', escalationPolicies: '/escalation-policies', users: '/users' }
    for (const [endpoint, path] of Object.entries(paths)) {
      const r = await rest.call('sim-user-key', { method: 'GET', path, query: clampPage(endpoint as keyof typeof PAGE_CAPS, 0, 10_000) })
      expect(r.kind).toBe('ok')
      // one above the cap is ilert's hard 400 (the simulator mirrors it), which clampPage avoids
      const over = await rest.call('sim-user-key', { method: 'GET', path, query: { 'max-results': PAGE_CAPS[endpoint as keyof typeof PAGE_CAPS].max + 1 } })
      if (endpoint !== 'alertLogEntries') expect(over).toMatchObject({ kind: 'error', reason: 'bad_request', status: 400 })
    }
  })

  test('buildUrl repeats list parameters and drops undefined ones', () => {
    expect(buildUrl('https://api.ilert.com/', '/alerts', { states: ['PENDING', 'ACCEPTED'], from: undefined, 'max-results': 5 })).toBe(
      'https://api.ilert.com/api/alerts?states=PENDING&states=ACCEPTED&max-results=5',
    )
  })
})

describe('errors', () => {
  test('401, 403 KEY_ERROR, 404 and network failures become reasons with actionable messages', async () => {
    const rest = client()
    const missing = await rest.call('', { method: 'GET', path: '/alerts' })
    expect(missing).toMatchObject({ kind: 'error', status: 403 }) // "Bearer " with no key is malformed
    const bad = await rest.call('il1-revoked-key-1234', { method: 'GET', path: '/alerts' })
    expect(bad).toMatchObject({ kind: 'error', reason: 'key_error', status: 403, code: 'KEY_ERROR' })
    if (bad.kind === 'error') {
      expect(bad.message).toContain('Profile → API Keys')
      expect(bad.message).not.toContain('il1-revoked-key-1234')
    }
    expect(await rest.call('sim-user-key', { method: 'GET', path: '/alerts/424242' })).toMatchObject({ kind: 'error', reason: 'not_found', status: 404 })
    const down = createIlertRest({ apiUrl: 'http://127.0.0.1:9', userAgent: 't', timeoutMs: 1_000, perMinute: 10 })
    expect(await down.call('k', { method: 'GET', path: '/alerts' })).toMatchObject({ kind: 'error', reason: 'network' })
  })

  test("the simulator's own 401 for a missing header", async () => {
    const res = await fetch(`${base}/api/alerts`)
    expect(res.status).toBe(401)
  })
})

describe('per-key budget', () => {
  test('a key gets at most N calls per window; other keys are unaffected; a short wait is absorbed', async () => {
    const rest = client(3, 400, 1_000)
    const t0 = Date.now()
    for (let i = 0; i < 3; i++) expect((await rest.call('sim-user-key', { method: 'GET', path: '/users/current' })).kind).toBe('ok')
    expect((await rest.call('sim-responder-key', { method: 'GET', path: '/users/current' })).kind).toBe('ok')
    expect((await rest.call('sim-user-key', { method: 'GET', path: '/users/current' })).kind).toBe('ok') // waited for a token
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
  })

  test('a long wait is refused with budget_exhausted instead of blocking the agent', async () => {
    const rest = client(1, 60_000, 100)
    expect((await rest.call('sim-user-key', { method: 'GET', path: '/users/current' })).kind).toBe('ok')
    const r = await rest.call('sim-user-key', { method: 'GET', path: '/users/current' })
    expect(r).toMatchObject({ kind: 'error', reason: 'budget_exhausted' })
    if (r.kind === 'error') expect(r.message).toMatch(/retry in about \d+ s/)
  })

  test('RestBudget bounds its key map', () => {
    const b = new RestBudget(1, 60_000, 0, 2)
    expect(b.take('a', 0)).toEqual({ kind: 'granted' })
    expect(b.take('a', 1).kind).toBe('wait')
    b.take('b', 1)
    b.take('c', 1) // evicts a
    expect(b.take('a', 2)).toEqual({ kind: 'granted' })
  })

  test("a burst through the bridge never trips the simulator's 120/min per key", async () => {
    const s2 = createSimulator({ port: 0, rateLimit: { restPerKey: 5, windowMs: 300 } })
    const url = (await s2.start()).url
    try {
      const rest = createIlertRest({ apiUrl: url, userAgent: 't', timeoutMs: 2_000, perMinute: 5, windowMs: 300, maxWaitMs: 2_000 })
      const results = await Promise.all(Array.from({ length: 12 }, () => rest.call('sim-user-key', { method: 'GET', path: '/users/current' })))
      expect(results.every((r) => r.kind === 'ok')).toBe(true)
      expect(s2.maxRestCallsPerWindow()).toBeLessThanOrEqual(5)
    } finally {
      await s2.stop()
    }
  })
})
