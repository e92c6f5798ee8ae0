/**
 * The simulator's Events API over real sockets: ilert's answers (202 + correlation-id, 400 naming
 * the field, 429 per key per fixed window), the alert state machine and the counters tests rely on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { KEY, alert, ev, getJson, nextWindow, post, startSim } from './helpers'

type Sim = Awaited<ReturnType<typeof startSim>>
let sim: Sim
beforeAll(async () => {
  sim = await startSim({ rateLimit: { perKey: 0 } })
})
beforeEach(() => sim.reset())
afterAll(() => sim.stop())

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('POST /api/events', () => {
  test('202 with an empty body and a correlation-id, on /api/events and /api/v1/events', async () => {
    const res = await post(sim.base, alert('a1'))
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    expect(res.headers.get('correlation-id')).toMatch(UUID)
    const v1 = await fetch(`${sim.base}/api/v1/events`, { method: 'POST', body: JSON.stringify(alert('a2')) })
    expect(v1.status).toBe(202)
    expect(res.headers.get('correlation-id')).not.toBe(v1.headers.get('correlation-id'))
    expect(sim.alerts().map((a) => a.alertKey)).toEqual(['a1', 'a2'])
  })

  const bad: [string, unknown, string][] = [
    ['missing summary on ALERT', { integrationKey: KEY, eventType: 'ALERT' }, "'summary'"],
    ['lower-case eventType', { ...alert('x'), eventType: 'alert' }, "'eventType'"],
    ['severity 7', alert('x', { severity: 7 }), "'severity'"],
    ['severity "SEV1"', alert('x', { severity: 'SEV1' }), "'severity'"],
    ['missing integrationKey', { eventType: 'ALERT', summary: 's' }, "'integrationKey'"],
    ['link without href', alert('x', { links: [{ text: 't' }] }), "'links.0.href'"],
    ['not JSON', '{nope', 'not valid JSON'],
  ]
  for (const [name, body, field] of bad) {
    test(`400 in ilert's error shape naming the field: ${name}`, async () => {
      const res = await post(sim.base, body)
      expect(res.status).toBe(400)
      const json = (await res.json()) as { status: number; message: string; code: string }
      expect(json).toMatchObject({ status: 400, code: 'BAD_REQUEST' })
      expect(json.message).toContain(field)
      expect(sim.alerts()).toHaveLength(0)
      expect(sim.stats().badRequests).toBe(1)
    })
  }

  test('summary is optional for RESOLVE (ilert examples omit it)', async () => {
    expect((await post(sim.base, ev('RESOLVE', 'nothing-open'))).status).toBe(202)
  })

  test('unknown integration keys get 404 NOT_FOUND when a key list is configured', async () => {
    const strict = await startSim({ integrationKeys: [KEY] })
    try {
      expect((await post(strict.base, alert('k'))).status).toBe(202)
      const res = await post(strict.base, { ...alert('k'), integrationKey: 'il1api-unknown' })
      expect(res.status).toBe(404)
      expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' })
      expect(strict.alerts()).toHaveLength(1)
    } finally {
      await strict.stop()
    }
  })
})

describe('alert state', () => {
  test('ALERT → ACCEPT → RESOLVE, and an ALERT after RESOLVE opens a new alert', async () => {
    await post(sim.base, alert('disk', { priority: 'LOW', severity: 3, labels: { env: 'prod' } }))
    let [a] = (await getJson(sim.base, '/api/alerts')).body
    expect(a).toMatchObject({ id: 1, status: 'PENDING', alertKey: 'disk', priority: 'LOW', severity: 3, labels: { env: 'prod' }, resolvedOn: null })
    expect(a.alertSource).toMatchObject({ id: 1 })
    expect(Number.isNaN(Date.parse(a.reportTime))).toBe(false)

    await post(sim.base, alert('disk', { summary: 'worse' }))
    await post(sim.base, ev('ACCEPT', 'disk'))
    a = (await getJson(sim.base, '/api/alerts/1')).body
    expect(a).toMatchObject({ status: 'ACCEPTED', summary: 'worse', eventCount: 3 })

    await post(sim.base, ev('RESOLVE', 'disk'))
    a = (await getJson(sim.base, '/api/alerts/1')).body
    expect(a.status).toBe('RESOLVED')
    expect(typeof a.resolvedOn).toBe('string')

    await post(sim.base, alert('disk'))
    const all = (await getJson(sim.base, '/api/alerts')).body
    expect(all.map((x: any) => [x.id, x.status])).toEqual([[2, 'PENDING'], [1, 'RESOLVED']])
    expect(sim.events().map((e) => e.outcome)).toEqual(['ALERT_CREATED', 'ALERT_APPENDED', 'ALERT_ACCEPTED', 'ALERT_RESOLVED', 'ALERT_CREATED'])
  })

  test('alertKey comparison is case-insensitive and scoped to the integration key', async () => {
    await post(sim.base, alert('Disk-Full'))
    await post(sim.base, { ...alert('disk-full'), integrationKey: 'il2other' })
    await post(sim.base, ev('RESOLVE', 'DISK-FULL'))
    const alerts = sim.alerts()
    expect(alerts.map((a) => [a.alertKey, a.status])).toEqual([['Disk-Full', 'RESOLVED'], ['disk-full', 'PENDING']])
  })

  test('ACCEPT/RESOLVE/COMMENT without an open alert: 202, logged as NO_OPEN_ALERT_WITH_KEY', async () => {
    for (const t of ['ACCEPT', 'RESOLVE', 'COMMENT']) expect((await post(sim.base, ev(t, 'ghost'))).status).toBe(202)
    expect(sim.alerts()).toHaveLength(0)
    expect(sim.events().map((e) => e.outcome)).toEqual(['NO_OPEN_ALERT_WITH_KEY', 'NO_OPEN_ALERT_WITH_KEY', 'NO_OPEN_ALERT_WITH_KEY'])
  })

  test('an ALERT without alertKey always opens a new alert with a generated key', async () => {
    await post(sim.base, alert())
    await post(sim.base, alert())
    const [a, b] = sim.alerts()
    expect(a?.alertKey).toBeTruthy()
    expect(a?.alertKey).not.toBe(b?.alertKey)
    await post(sim.base, ev('RESOLVE', a!.alertKey))
    expect(sim.alerts().map((x) => x.status)).toEqual(['RESOLVED', 'PENDING'])
  })

  test('the event log masks the integration key and filters by alert key', async () => {
    await post(sim.base, alert('one', { comments: [{ creator: 'me', content: 'hi' }] }))
    await post(sim.base, alert('two'))
    await post(sim.base, ev('COMMENT', 'ONE'))
    const res = await fetch(`${sim.base}/api/events/log?alert-key=one`)
    const log = (await res.json()) as any[]
    expect(log.map((e) => e.outcome)).toEqual(['ALERT_CREATED', 'COMMENT_ADDED'])
    expect(log[0]).toMatchObject({ integrationKey: 'il1a…', eventType: 'ALERT', alertKey: 'one', summary: 'summary one', alertId: 1 })
    expect(log[0].body).toMatchObject({ integrationKey: 'il1a…', comments: [{ creator: 'me', content: 'hi' }] })
    expect(typeof log[0].receivedAt).toBe('number')
    const everything = await (await fetch(`${sim.base}/api/events/log`)).text()
    expect(everything).not.toContain(KEY)
    expect(JSON.stringify(sim.stats())).not.toContain(KEY)
  })

  test('the event log is bounded: the oldest entries go and are counted', async () => {
    const small = await startSim({ maxLog: 3 })
    try {
      for (let i = 0; i < 5; i++) await post(small.base, alert(`k${i}`))
      expect(small.events().map((e) => e.alertKey)).toEqual(['k2', 'k3', 'k4'])
      expect(small.stats().logDropped).toBe(2)
    } finally {
      await small.stop()
    }
  })

  test('onAccepted sees every accepted event, beyond the log bound, and nothing refused', async () => {
    const seen: (string | null)[] = []
    const tapped = await startSim({ maxLog: 2, rateLimit: { perKey: 3, windowMs: 60_000 }, onAccepted: (e) => seen.push(e.alertKey) })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await post(tapped.base, alert(`t${i}`))).status)
      statuses.push((await post(tapped.base, { ...alert('bad'), integrationKey: 'il2-other', eventType: 'NOPE' })).status)
      expect(statuses).toEqual([202, 202, 202, 429, 400])
      expect(seen).toEqual(['t0', 't1', 't2'])
      expect(tapped.events().map((e) => e.alertKey)).toEqual(['t1', 't2'])
    } finally {
      await tapped.stop()
    }
  })
})

describe('rate limit: per key, fixed windows aligned to epoch multiples', () => {
  const windowMs = 300
  test('the (perKey+1)-th request in a window gets 429 without Retry-After; the next window recovers', async () => {
    const rl = await startSim({ rateLimit: { perKey: 3, windowMs } })
    try {
      await nextWindow(windowMs)
      const statuses: number[] = []
      let limited: Response | undefined
      for (let i = 0; i < 4; i++) {
        const res = await post(rl.base, alert(`r${i}`))
        statuses.push(res.status)
        if (res.status === 429) limited = res
      }
      const other = await post(rl.base, { ...alert('o'), integrationKey: 'il2-other-key' })
      expect(statuses).toEqual([202, 202, 202, 429])
      expect(other.status).toBe(202)
      expect(limited!.headers.get('retry-after')).toBeNull()
      expect(await limited!.json()).toEqual({ status: 429, message: 'Too many requests', code: 'TOO_MANY_REQUESTS' })

      await nextWindow(windowMs)
      expect((await post(rl.base, alert('after'))).status).toBe(202)
      const s = rl.stats()
      expect(s).toMatchObject({ received: 6, accepted: 5, rateLimited: 1 })
      expect(s.perKey['il1a…']).toEqual({ received: 5, accepted: 4, rateLimited: 1 })
      expect(s.maxPerWindowObserved).toEqual({ 'il1a…': 4, 'il2-…': 1 })
      expect(rl.keyStats(KEY)).toEqual({ received: 5, accepted: 4, rateLimited: 1, maxPerWindowObserved: 4 })
    } finally {
      await rl.stop()
    }
  })

  test('windows are epoch-aligned, not sliding: a new window starts at the next multiple of windowMs', async () => {
    let now = 1_999
    const clocked = await startSim({ rateLimit: { perKey: 2, windowMs: 1000 }, now: () => now })
    try {
      const codes = async (n: number) => {
        const out: number[] = []
        for (let i = 0; i < n; i++) out.push((await post(clocked.base, alert(`w${now}-${i}`))).status)
        return out
      }
      expect(await codes(3)).toEqual([202, 202, 429])
      now = 2_000 // 1 ms later, but a new fixed window: a sliding window would still say 429
      expect(await codes(3)).toEqual([202, 202, 429])
      now = 2_999
      expect(await codes(1)).toEqual([429])
      expect(clocked.stats().maxPerWindowObserved).toEqual({ 'il1a…': 4 })
    } finally {
      await clocked.stop()
    }
  })

  test('maxPerWindowObserved counts every request naming the key, also 400s and with limiting disabled', async () => {
    const clocked = await startSim({ rateLimit: { perKey: 0, windowMs: 1000 }, now: () => 5_000 })
    try {
      for (let i = 0; i < 7; i++) expect((await post(clocked.base, alert(`m${i}`))).status).toBe(202)
      expect((await post(clocked.base, alert('bad', { severity: 9 }))).status).toBe(400)
      const s = clocked.stats()
      expect(s.maxPerWindowObserved).toEqual({ 'il1a…': 8 })
      expect(s).toMatchObject({ rateLimited: 0, received: 8, accepted: 7, badRequests: 1 })
    } finally {
      await clocked.stop()
    }
  })
})

describe('GET /stats and admin routes', () => {
  test('counters over HTTP match stats(); reset clears them; healthz answers', async () => {
    await post(sim.base, alert('s1'))
    await post(sim.base, { ...alert('s2'), eventType: 'nope' })
    const { status, body } = await getJson(sim.base, '/stats')
    expect(status).toBe(200)
    expect(body).toMatchObject({ received: 2, accepted: 1, badRequests: 1, rateLimited: 0, faults: 0 })
    expect(body).toEqual(sim.stats())
    expect((await fetch(`${sim.base}/admin/reset`, { method: 'POST' })).status).toBe(204)
    expect(sim.stats()).toMatchObject({ received: 0, accepted: 0, alerts: 0, perKey: {} })
    expect((await fetch(`${sim.base}/healthz`)).status).toBe(200)
  })
})
