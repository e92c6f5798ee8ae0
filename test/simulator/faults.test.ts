/**
 * Fault injection over real sockets: each fault must be visible to a real fetch client the way a
 * failing ilert would be (status codes, a connection reset, a hang the client times out on).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { alert, post, startSim } from './helpers'

type Sim = Awaited<ReturnType<typeof startSim>>
let sim: Sim
beforeAll(async () => {
  sim = await startSim({ rateLimit: { perKey: 0 } })
})
beforeEach(() => sim.reset())
afterAll(() => sim.stop())

describe('fault injection', () => {
  for (const [status, code] of [[400, 'BAD_REQUEST'], [404, 'NOT_FOUND'], [429, 'TOO_MANY_REQUESTS'], [500, 'INTERNAL_SERVER_ERROR'], [503, 'SERVICE_UNAVAILABLE']] as const) {
    test(`forceStatus ${status}: every event answered ${status} ${code}, nothing applied`, async () => {
      sim.setFaults({ forceStatus: status })
      const res = await post(sim.base, alert('f'))
      expect(res.status).toBe(status)
      expect(await res.json()).toMatchObject({ status, code })
      expect(sim.alerts()).toHaveLength(0)
      sim.setFaults({ forceStatus: undefined })
      expect((await post(sim.base, alert('f'))).status).toBe(202)
    })
  }

  test('times bounds forced status, resets and hang to the next N requests, then the simulator recovers', async () => {
    sim.setFaults({ forceStatus: 503, times: 2 })
    expect((await post(sim.base, alert('t'))).status).toBe(503)
    expect((await post(sim.base, alert('t'))).status).toBe(503)
    expect((await post(sim.base, alert('t'))).status).toBe(202)
    expect(sim.alerts()).toHaveLength(1)
    sim.setFaults({ forceStatus: undefined, resetRatio: 1, times: 1 })
    await expect(post(sim.base, alert('u'))).rejects.toThrow()
    expect((await post(sim.base, alert('u'))).status).toBe(202)
  })

  test('errorRatio 1 answers 503 (and counts faults); errorStatus changes the status', async () => {
    sim.setFaults({ errorRatio: 1 })
    const res = await post(sim.base, alert('e'))
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
    sim.setFaults({ errorStatus: 500 })
    expect((await post(sim.base, alert('e'))).status).toBe(500)
    expect(sim.stats()).toMatchObject({ received: 2, accepted: 0, faults: 2 })
    expect(sim.alerts()).toHaveLength(0)
  })

  test('a seeded errorRatio injects the same faults in the same order', async () => {
    const run = async () => {
      const s = await startSim({ faults: { errorRatio: 0.5, seed: 42 } })
      const out: number[] = []
      for (let i = 0; i < 40; i++) out.push((await post(s.base, alert(`p${i}`))).status)
      await s.stop()
      return out
    }
    const a = await run()
    expect(a).toEqual(await run())
    const errors = a.filter((x) => x === 503).length
    expect(errors).toBeGreaterThan(5)
    expect(errors).toBeLessThan(35)
  })

  test('resetRatio 1: fetch rejects with a network error, nothing applied; the server keeps serving', async () => {
    sim.setFaults({ resetRatio: 1 })
    const err = await post(sim.base, alert('r')).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    )
    expect(err).toBeDefined()
    expect(err?.code).toBe('ECONNRESET')
    expect(sim.stats()).toMatchObject({ received: 1, faults: 1, accepted: 0 })
    expect(sim.alerts()).toHaveLength(0)
    sim.setFaults({ resetRatio: 0 })
    expect((await post(sim.base, alert('r'))).status).toBe(202)
  })

  test('downUntil: 503 on every event until then, 202 after', async () => {
    sim.setFaults({ downUntil: Date.now() + 250 })
    const during = await post(sim.base, alert('d'))
    expect(during.status).toBe(503)
    expect((await post(sim.base, 'not even json')).status).toBe(503)
    await Bun.sleep(300)
    expect((await post(sim.base, alert('d'))).status).toBe(202)
    expect(sim.stats().faults).toBe(2)
  })

  test('hangMs: a client with a shorter timeout gives up; the event was still taken (as with ilert)', async () => {
    sim.setFaults({ hangMs: 2000 })
    const t0 = Date.now()
    const err = await post(sim.base, alert('h'), { signal: AbortSignal.timeout(150) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(err?.name).toBe('TimeoutError')
    expect(Date.now() - t0).toBeLessThan(1500)
    expect(sim.alerts().map((a) => a.alertKey)).toEqual(['h'])
  })

  test('latencyMs delays the answer', async () => {
    sim.setFaults({ latencyMs: 120 })
    const t0 = performance.now()
    expect((await post(sim.base, alert('l'))).status).toBe(202)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100)
  })

  test('faults can be set over HTTP (POST /admin/faults), null switches one off; reset restores the initial faults', async () => {
    const res = await fetch(`${sim.base}/admin/faults`, { method: 'POST', body: JSON.stringify({ forceStatus: 500 }) })
    expect(await res.json()).toMatchObject({ forceStatus: 500 })
    expect((await post(sim.base, alert('x'))).status).toBe(500)
    await fetch(`${sim.base}/admin/faults`, { method: 'POST', body: JSON.stringify({ forceStatus: null }) })
    expect((await post(sim.base, alert('x'))).status).toBe(202)
    const bad = await fetch(`${sim.base}/admin/faults`, { method: 'POST', body: JSON.stringify({ nope: 1 }) })
    expect(bad.status).toBe(400)
    sim.setFaults({ forceStatus: 400 })
    sim.reset()
    expect((await post(sim.base, alert('x'))).status).toBe(202)
  })
})
