/** The REST slice (GET /api/alerts, /count, /{id}) with ilert's paging rules and states filter. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { alert, ev, getJson, post, startSim } from './helpers'

type Sim = Awaited<ReturnType<typeof startSim>>
let sim: Sim
beforeAll(async () => {
  sim = await startSim({ rateLimit: { perKey: 0 } })
  // ids 1..5; 2 accepted, 4 resolved
  for (let i = 1; i <= 5; i++) await post(sim.base, alert(`k${i}`))
  await post(sim.base, ev('ACCEPT', 'k2'))
  await post(sim.base, ev('RESOLVE', 'k4'))
})
afterAll(() => sim.stop())

const ids = (body: any[]) => body.map((a) => a.id)

describe('GET /api/alerts', () => {
  test('a bare array, newest first, paged with start-index and max-results', async () => {
    expect(ids((await getJson(sim.base, '/api/alerts')).body)).toEqual([5, 4, 3, 2, 1])
    expect(ids((await getJson(sim.base, '/api/alerts?start-index=1&max-results=2')).body)).toEqual([4, 3])
    expect(ids((await getJson(sim.base, '/api/alerts?start-index=9')).body)).toEqual([])
  })

  test("max-results above 100 is a hard 400, as ilert's", async () => {
    const { status, body } = await getJson(sim.base, '/api/alerts?max-results=101')
    expect(status).toBe(400)
    expect(body).toEqual({ status: 400, message: "'max-results' must not be above 100", code: 'BAD_REQUEST' })
    expect((await getJson(sim.base, '/api/alerts?max-results=100')).status).toBe(200)
    expect((await getJson(sim.base, '/api/alerts?start-index=-1')).status).toBe(400)
  })

  test('states filter: repeatable and comma-separated; unknown state → 400', async () => {
    expect(ids((await getJson(sim.base, '/api/alerts?states=PENDING')).body)).toEqual([5, 3, 1])
    expect(ids((await getJson(sim.base, '/api/alerts?states=ACCEPTED&states=RESOLVED')).body)).toEqual([4, 2])
    expect(ids((await getJson(sim.base, '/api/alerts?states=ACCEPTED,RESOLVED&max-results=1')).body)).toEqual([4])
    const bad = await getJson(sim.base, '/api/alerts?states=OPEN')
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain("'states'")
  })

  test('count and by id', async () => {
    expect((await getJson(sim.base, '/api/alerts/count')).body).toEqual({ count: 5 })
    expect((await getJson(sim.base, '/api/alerts/count?states=PENDING,ACCEPTED')).body).toEqual({ count: 4 })
    const one = await getJson(sim.base, '/api/alerts/2')
    expect(one.body).toMatchObject({ id: 2, alertKey: 'k2', status: 'ACCEPTED' })
    const missing = await getJson(sim.base, '/api/alerts/999')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect((await getJson(sim.base, '/api/alerts/abc')).status).toBe(404)
  })
})
