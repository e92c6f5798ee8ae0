/**
 * POST /events as clients use it: single events, arrays, NDJSON, partial rejection naming the
 * field, body limits, and 503 + Retry-After when the queue is full. Real listener, real simulator.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ config: { listen: { max_body_bytes: 64 * 1024 } } })
})
afterAll(() => stack.stop())

const ev = (i: number, extra: object = {}) => ({ mcp_id: `http-${i}`, priority: 3, summary: `event ${i}`, ...extra })

describe('POST /events', () => {
  test('a JSON array: 202 with the count, and each event reaches ilert', async () => {
    const res = await postEvents(stack, [ev(1), ev(2), ev(3)])
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 3 })
    await waitFor('3 alerts', () => stack.sim.alerts().filter((a: any) => /^http-[123]$/.test(a.alertKey)).length === 3)
  })

  test('partial rejection: valid events are queued, each invalid one reported by index, field and reason', async () => {
    const res = await postEvents(stack, [ev(10), ev(11, { priority: 9 }), { ...ev(12), summary: undefined }, ev(13)])
    expect(res.status).toBe(202)
    const body = (await res.json()) as any
    expect(body.accepted).toBe(2)
    expect(body.rejected).toHaveLength(2)
    expect(body.rejected[0]).toMatchObject({ index: 1, reason: 'schema', field: 'priority' })
    expect(body.rejected[1]).toMatchObject({ index: 2, reason: 'schema', field: 'summary' })
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'http', reason: 'schema' })).toBeGreaterThanOrEqual(2)
  })

  test('NDJSON: a bad line is reported with its line number, the others are accepted', async () => {
    const body = [JSON.stringify(ev(20)), '{not json', '', JSON.stringify(ev(21))].join('\r\n')
    const res = await postEvents(stack, body, 'application/x-ndjson')
    expect(res.status).toBe(202)
    const j = (await res.json()) as any
    expect(j.accepted).toBe(2)
    expect(j.rejected).toEqual([expect.objectContaining({ line: 2, reason: 'invalid_json' })])
  })

  test('nothing valid: 400', async () => {
    const res = await postEvents(stack, [{ priority: 2 }])
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).rejected[0]).toMatchObject({ index: 0, field: 'summary' })
  })

  test('malformed JSON body: 400 naming the problem', async () => {
    const res = await postEvents(stack, '{"mcp_id": ')
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).reason).toBe('invalid_json')
  })

  test('over listen.max_body_bytes: 413, counted', async () => {
    const big = JSON.stringify(ev(30, { details: 'x'.repeat(70 * 1024) }))
    const res = await postEvents(stack, big)
    expect(res.status).toBe(413)
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'http', reason: 'body_too_large' })).toBe(1)
  })

  test('a chunked body without Content-Length is bounded too', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(chunk)
        c.close()
      },
    })
    const res = await fetch(stack.eventsUrl, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(413)
  })

  test('health and readiness', async () => {
    expect((await fetch(`${stack.bound.http.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${stack.bound.http.url}/readyz`)
    expect(ready.status).toBe(200)
  })
})

describe('queue full', () => {
  let small: Stack
  beforeAll(async () => {
    // ilert hangs, so nothing leaves: 4 pending calls (one per alert key) fill the store.
    small = await startStack({
      config: { queue: { capacity: 4 }, dispatch: { concurrency: 1, drain_timeout_seconds: 0.5 }, ilert: { timeout_seconds: 30 } },
      sim: { faults: { hangMs: 60_000 } },
    })
  })
  afterAll(async () => {
    small.sim.setFaults({ hangMs: 0 })
    await small.stop()
  })

  test('a batch that does not fit is refused whole with 503 and Retry-After; readiness reports it', async () => {
    expect((await postEvents(small, [ev(1), ev(2)])).status).toBe(202)
    expect((await postEvents(small, [ev(3), ev(4), ev(5)])).status).toBe(503) // 2 + 3 > 4: refused whole
    expect((await postEvents(small, [ev(3), ev(4)])).status).toBe(202)
    const res = await postEvents(small, [ev(7)])
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(((await res.json()) as any).reason).toBe('queue_full')
    const ready = await fetch(`${small.bound.http.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as any).reason).toBe('queue_full')
    expect(await small.metric('mcp_rejected_events_total', { transport: 'http', reason: 'queue_full' })).toBe(2)
    expect(await small.metric('mcp_in_events_total', { transport: 'http' })).toBe(4)
  })
})
