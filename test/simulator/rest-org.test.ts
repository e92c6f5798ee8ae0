// The simulator's REST API as ilert's: auth semantics (401 / 403 KEY_ERROR / 429), the seeded org,
// pagination caps (400 above them), on-calls, alert actions and incidents with If-Match.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startSim } from './helpers'

type Sim = Awaited<ReturnType<typeof startSim>>
let sim: Sim
beforeAll(async () => {
  sim = await startSim({ demoAlerts: true })
})
afterAll(() => sim.stop())

const req = (path: string, init: RequestInit & { key?: string | null } = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'sim-user-key'}`
  return fetch(sim.base + path, { ...init, headers })
}
const body = async (r: Response) => (await r.json()) as any

describe('auth', () => {
  test('401 without a header, 403 KEY_ERROR for an unknown or prefix-less key, on reads and writes', async () => {
    for (const [path, method] of [['/api/alerts', 'GET'], ['/api/users', 'GET'], ['/api/alerts/1/accept', 'PUT'], ['/api/incidents', 'POST']]) {
      expect((await req(path!, { method, key: null })).status).toBe(401)
      const r = await req(path!, { method, key: 'nope-not-a-key' })
      expect(r.status).toBe(403)
      expect(await body(r)).toMatchObject({ status: 403, code: 'KEY_ERROR' })
    }
    const noPrefix = await fetch(`${sim.base}/api/users`, { headers: { authorization: 'sim-user-key' } })
    expect(noPrefix.status).toBe(403)
    expect((await body(await req('/api/users/current'))).email).toBe('ava.fischer@example.com')
    expect((await body(await req('/api/users/current', { key: 'sim-responder-key' }))).email).toBe('ben.okafor@example.com')
  })

  test('openReads allows GETs without a header, still checks a present header, never writes', async () => {
    const open = await startSim({ openReads: true })
    try {
      expect((await fetch(`${open.base}/api/alerts`)).status).toBe(200)
      expect((await fetch(`${open.base}/api/alerts`, { headers: { authorization: 'Bearer bad' } })).status).toBe(403)
      expect((await fetch(`${open.base}/api/incidents`, { method: 'POST', body: '{}' })).status).toBe(401)
    } finally {
      await open.stop()
    }
  })

  test('over restPerKey calls in a window → 429 without Retry-After', async () => {
    const limited = await startSim({ rateLimit: { restPerKey: 2, windowMs: 60_000 } })
    try {
      const get = () => fetch(`${limited.base}/api/users/current`, { headers: { authorization: 'Bearer sim-user-key' } })
      expect((await get()).status).toBe(200)
      expect((await get()).status).toBe(200)
      const third = await get()
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBeNull()
    } finally {
      await limited.stop()
    }
  })
})

describe('the seeded org and paging caps', () => {
  test('caps per endpoint: at the cap 200, above it 400', async () => {
    for (const [path, cap] of [['/api/users', 100], ['/api/schedules', 20], ['/api/escalation-policies', 50], ['/api/services', 100], ['/api/on-calls', 250], ['/api/incidents', 100], ['/api/alerts', 100]] as const) {
      expect((await req(`${path}?max-results=${cap}`)).status).toBe(200)
      const over = await req(`${path}?max-results=${cap + 1}`)
      expect(over.status).toBe(400)
      expect((await body(over)).message).toBe(`'max-results' must not be above ${cap}`)
    }
  })

  test('users, search by email, schedules with include, user-on-call, policies, services', async () => {
    expect((await body(await req('/api/users'))).length).toBe(5)
    expect((await body(await req('/api/users/search-email', { method: 'POST', body: JSON.stringify({ email: 'Emma.Schulz@example.com' }) }))).id).toBe(5)
    expect((await req('/api/users/search-email', { method: 'POST', body: JSON.stringify({ email: 'x@y.z' }) })).status).toBe(404)
    const [s1] = await body(await req('/api/schedules?include=currentShift&include=nextShift'))
    expect(s1.currentShift.user.id).not.toBe(s1.nextShift.user.id)
    expect((await body(await req('/api/schedules'))).every((s: any) => s.currentShift === undefined)).toBe(true)
    expect((await body(await req('/api/schedules/1/user-on-call'))).user.id).toBe(s1.currentShift.user.id)
    expect((await body(await req('/api/escalation-policies/1'))).escalationRules).toHaveLength(3)
    expect((await body(await req('/api/services/2'))).status).toBe('DEGRADED') // from the open incident
  })

  test('on-calls: rotation arithmetic, filters, 3-month span limit', async () => {
    const at = '2026-01-06T12:00:00Z'
    const rows = await body(await req(`/api/on-calls?policies=1&from=${at}&until=${at}`))
    expect(rows.map((r: any) => [r.escalationLevel, r.user.id, r.schedule?.id ?? null])).toEqual([[1, 2, 1], [2, 4, 2], [3, 1, null]])
    const payments = await body(await req('/api/on-calls?schedules=3&from=2026-01-06T12:00:00Z&until=2026-01-06T12:00:00Z'))
    expect(payments.map((r: any) => r.user.id)).toEqual([1]) // day 2 of the 24 h rotation [3, 1]
    expect((await req('/api/on-calls?from=2026-01-01T00:00:00Z&until=2026-06-01T00:00:00Z')).status).toBe(400)
  })
})

describe('alert actions', () => {
  test('accept, assign (exactly one target), responders (405 when present), resolve, log entries', async () => {
    expect((await body(await req('/api/alerts/3/accept', { method: 'PUT' }))).status).toBe('ACCEPTED')
    expect((await req('/api/alerts/3/assign?user=2&policy=1', { method: 'PUT' })).status).toBe(400)
    expect((await body(await req('/api/alerts/3/assign?user=4', { method: 'PUT' }))).assignedTo.id).toBe(4)
    expect((await req('/api/alerts/3/assign?user=99', { method: 'PUT' })).status).toBe(404)
    const added = await req('/api/alerts/3/responders', { method: 'POST', body: JSON.stringify({ user: { id: 3 } }) })
    expect(added.status).toBe(201)
    expect((await req('/api/alerts/3/responders', { method: 'POST', body: JSON.stringify({ user: { id: 3 } }) })).status).toBe(405)
    expect((await body(await req('/api/alerts/3/resolve', { method: 'PUT' }))).status).toBe('RESOLVED')
    const log = await body(await req('/api/alerts/3/log-entries'))
    expect(log.map((e: any) => e.logEntryType)).toContain('UserResponseLogEntry')
    expect((await req('/api/alerts/3/log-entries?max-results=101')).status).toBe(400)
  })

  test('an ALERT event after a REST resolve opens a new alert', async () => {
    const before = sim.alerts().length
    await fetch(`${sim.base}/api/events`, { method: 'POST', body: JSON.stringify({ integrationKey: 'il1api-sim-prometheus', eventType: 'ALERT', alertKey: 'checkout-p99', summary: 'again' }) })
    expect(sim.alerts().length).toBe(before + 1)
  })
})

describe('incidents', () => {
  test('POST 201, GET with ETag, PUT full replace; a stale If-Match is 412', async () => {
    const created = await req('/api/incidents', { method: 'POST', body: JSON.stringify({ summary: 'Search down', status: 'INVESTIGATING', affectedServices: [{ impact: 'MAJOR_OUTAGE', service: { id: 3 } }] }) })
    expect(created.status).toBe(201)
    const inc = await body(created)
    expect((await body(await req('/api/services/3'))).status).toBe('MAJOR_OUTAGE')
    const got = await req(`/api/incidents/${inc.id}`)
    const etag = got.headers.get('etag')!
    const put = (tag: string) =>
      fetch(`${sim.base}/api/incidents/${inc.id}`, {
        method: 'PUT',
        headers: { authorization: 'Bearer sim-user-key', 'content-type': 'application/json', 'if-match': tag },
        body: JSON.stringify({ summary: 'Search down', status: 'RESOLVED' }),
      })
    expect((await put(etag)).status).toBe(200)
    expect((await put(etag)).status).toBe(412)
    expect((await body(await req(`/api/incidents/${inc.id}`))).affectedServices).toEqual([]) // full replace
    expect((await body(await req('/api/services/3'))).status).toBe('OPERATIONAL')
    expect((await req('/api/incidents', { method: 'POST', body: JSON.stringify({ summary: 'x', status: 'BROKEN' }) })).status).toBe(400)
  })
})
