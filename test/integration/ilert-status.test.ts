/**
 * One test per ilert answer (202, 400, 404, 429, 500, 503, timeout, connection reset): the real
 * bridge against the real simulator over loopback, checking what ilert received and what the
 * bridge counted. Faults are switched on and off in the simulator at run time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

let stack: Stack
let n = 0
beforeAll(async () => {
  stack = await startStack({
    config: {
      retries: { max_attempts: 4, base_interval_seconds: 0.05, max_interval_seconds: 0.1 },
      ilert: { timeout_seconds: 0.3 },
      // Windows scaled down from ilert's 60 s so a 429 pause lasts half a second.
      rate_limit: { window_seconds: 0.5, per_key_per_minute: 1000, per_minute: 1000 },
    },
    sim: { rateLimit: { perKey: 1000, windowMs: 60_000 } },
  })
})
afterEach(() => {
  stack.sim.setFaults({ forceStatus: undefined, forceStatusKeys: undefined, errorRatio: 0, resetRatio: 0, hangMs: 0, times: undefined })
})
afterAll(() => stack.stop())

const alertsFor = async (key: string) =>
  ((await (await fetch(`${stack.simUrl}/api/alerts?max-results=100`)).json()) as any[]).filter((a) => a.alertKey === key)
const received = (key: string) => stack.sim.events().filter((e: any) => e.alertKey === key).length

async function send(): Promise<string> {
  const key = `status-${++n}`
  const res = await postEvents(stack, { mcp_id: key, priority: 1, summary: `test ${key}` })
  expect(res.status).toBe(202)
  return key
}

describe('ilert answers', () => {
  test('202: delivered once, counted as success', async () => {
    const before = await stack.metric('mcp_out_success_total')
    const key = await send()
    await waitFor('alert', async () => (await alertsFor(key)).length === 1)
    await waitFor('success count', async () => (await stack.metric('mcp_out_success_total')) === before + 1)
  })

  for (const status of [400, 404]) {
    test(`${status}: not retried, counted as failed, kept in the dead letters with ilert's message`, async () => {
      stack.sim.setFaults({ forceStatus: status })
      const statsBefore = stack.sim.stats().received
      const key = await send()
      await waitFor('failed count', async () => (await stack.metric('mcp_out_failed_total', { reason: `status_${status}` })) === 1)
      expect(stack.sim.stats().received - statsBefore).toBe(1)
      const dl = (await (await fetch(`${stack.bound.http.url}/admin/dead-letters`)).json()) as any
      const mine = dl.items.find((d: any) => d.event.alertKey === key)
      expect(mine).toMatchObject({ reason: `status_${status}`, attempts: 1 })
      expect(mine.lastAnswer).toContain(String(status))
      expect(JSON.stringify(dl)).not.toContain('il1api-test-key-0001')
      expect(stack.log.lines.some((l) => l.includes('dead letters') && l.includes(`HTTP ${status}`))).toBe(true)
    })
  }

  test('429: the key pauses until the next window and the event is delivered after (not an attempt)', async () => {
    stack.sim.setFaults({ forceStatus: 429 })
    const failedBefore = await stack.metric('mcp_out_failed_total')
    const key = await send()
    await waitFor('a 429', async () => (await stack.metric('mcp_out_rate_limited_total')) >= 1)
    stack.sim.setFaults({ forceStatus: undefined })
    await waitFor('delivery after the pause', async () => (await alertsFor(key)).length === 1)
    expect(await stack.metric('mcp_out_retries_total', { reason: 'status_429' })).toBeGreaterThanOrEqual(1)
    // A 429 is not a failed attempt: nothing went to the dead letters.
    expect(await stack.metric('mcp_out_failed_total')).toBe(failedBefore)
  })

  // Faults bounded by `times` fail exactly N attempts and then recover inside the simulator, so the
  // outcome does not depend on how fast the test notices the retries (max_attempts is 4 here).
  for (const status of [500, 503]) {
    test(`${status}: retried with backoff until ilert recovers, then delivered once`, async () => {
      const retriesBefore = await stack.metric('mcp_out_retries_total', { reason: `status_${status}` })
      const faultsBefore = stack.sim.stats().faults
      stack.sim.setFaults({ forceStatus: status, times: 2 })
      const key = await send()
      await waitFor('delivery', async () => (await alertsFor(key)).length === 1)
      expect(received(key)).toBe(1)
      expect(await stack.metric('mcp_out_retries_total', { reason: `status_${status}` })).toBe(retriesBefore + 2)
      expect(stack.sim.stats().faults - faultsBefore).toBe(2)
      // Visible at the default level: the retry with its alert key and reason.
      const retryLine = stack.log.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Delivery to ilert failed, will retry.' && l.alertKey === key)
      expect(retryLine).toMatchObject({ level: 'info', reason: `status_${status}`, lastAnswer: expect.stringContaining(`HTTP ${status}`) })
    })
  }

  test('timeout: a hanging ilert is abandoned after ilert.timeout_seconds and retried', async () => {
    const exhaustedBefore = await stack.metric('mcp_out_failed_total', { reason: 'attempts_exhausted' })
    const successBefore = await stack.metric('mcp_out_success_total')
    const timeoutsBefore = await stack.metric('mcp_out_retries_total', { reason: 'timeout' })
    stack.sim.setFaults({ hangMs: 2000, times: 1 })
    await send()
    await waitFor('delivery', async () => (await stack.metric('mcp_out_success_total')) > successBefore, 15_000)
    expect(await stack.metric('mcp_out_retries_total', { reason: 'timeout' })).toBe(timeoutsBefore + 1)
    expect(await stack.metric('mcp_out_failed_total', { reason: 'attempts_exhausted' })).toBe(exhaustedBefore)
  })

  test('connection reset: retried as a network error, then delivered', async () => {
    const before = await stack.metric('mcp_out_retries_total', { reason: 'network' })
    stack.sim.setFaults({ resetRatio: 1, times: 2 })
    const key = await send()
    await waitFor('delivery', async () => (await alertsFor(key)).length === 1)
    expect(await stack.metric('mcp_out_retries_total', { reason: 'network' })).toBe(before + 2)
  })

  test('out of attempts: one event failing while others succeed is dead-lettered as attempts_exhausted, never silently dropped', async () => {
    const before = await stack.metric('mcp_out_failed_total', { reason: 'attempts_exhausted' })
    const key = `status-${n + 1}`
    stack.sim.setFaults({ forceStatus: 503, forceStatusKeys: [key] })
    expect(await send()).toBe(key)
    // Other events keep succeeding meanwhile: ilert is up, the failure is this event's own.
    const others: string[] = []
    while ((await stack.metric('mcp_out_failed_total', { reason: 'attempts_exhausted' })) === before) {
      others.push(await send())
      await Bun.sleep(30)
      if (others.length > 300) throw new Error('never exhausted')
    }
    const dl = (await (await fetch(`${stack.bound.http.url}/admin/dead-letters`)).json()) as any
    expect(dl.items.find((d: any) => d.event.alertKey === key)).toMatchObject({ reason: 'attempts_exhausted', attempts: 4 })
    await waitFor('the others delivered', async () => (await alertsFor(others.at(-1)!)).length === 1)
  })
})
