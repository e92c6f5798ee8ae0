/**
 * Lifecycle and observability of the whole bridge: /metrics with the seed's names, draining
 * on stop, the shutdown deadline counted as a drop, fairness across alert keys, and order per
 * alert key while ilert is failing.
 */
import { expect, test } from 'bun:test'
import { postEvents, startStack, TEST_KEY, waitFor } from '../helpers/harness'

test('/metrics serves the seed names, queue depth, rejects and process metrics', async () => {
  const stack = await startStack({ config: { metrics: { enabled: true, listen_port: 0 } } })
  try {
    await postEvents(stack, { mcp_id: 'm-1', summary: 'x' })
    await waitFor('delivered', async () => (await stack.metric('mcp_out_success_total')) === 1)
    const text = await (await fetch(stack.bound.metrics!.url)).text()
    for (const name of [
      'mcp_in_events_total{transport="http"} 1',
      'mcp_out_success_total 1',
      'mcp_out_failed_total',
      'mcp_out_retries_total',
      'mcp_processing_latency_seconds_bucket',
      'mcp_queue_depth 0',
      'mcp_coalesced_events_total',
      'mcp_rejected_events_total',
      'mcp_out_rate_limited_total',
    ]) {
      expect(text).toContain(name)
    }
    expect(text).not.toContain(TEST_KEY)
  } finally {
    await stack.stop()
  }
})

test('stop() drains what was accepted before resolving', async () => {
  const stack = await startStack({ sim: { faults: { latencyMs: 30 } } })
  const events = Array.from({ length: 50 }, (_, i) => ({ mcp_id: `drain-${i}`, summary: 'x' }))
  expect((await postEvents(stack, events)).status).toBe(202)
  const report = await stack.app.stop()
  expect(report.undelivered).toBe(0)
  expect(stack.sim.alerts().filter((a: any) => a.alertKey.startsWith('drain-')).length).toBe(50)
  await stack.stop()
})

test('at the drain deadline what remains is counted as dropped with a reason and logged', async () => {
  const stack = await startStack({
    config: { dispatch: { drain_timeout_seconds: 0.3 }, ilert: { timeout_seconds: 0.2 }, retries: { max_attempts: 1000 } },
    sim: { faults: { forceStatus: 503 } },
  })
  await postEvents(stack, [{ mcp_id: 'stuck-1', summary: 'x' }, { mcp_id: 'stuck-2', summary: 'y' }])
  const report = await stack.app.stop()
  expect(report.undelivered).toBe(2)
  expect(await stack.metric('mcp_dropped_events_total', { reason: 'shutdown_deadline' })).toBe(2)
  expect(stack.log.lines.some((l) => l.includes('remained undelivered'))).toBe(true)
  await stack.stop()
})

test('one noisy alert key cannot starve the others on the same integration key', async () => {
  // 5 calls per 400 ms window. The noisy key alternates ALERT/RESOLVE, so nothing coalesces: 40 calls.
  const stack = await startStack({
    config: { rate_limit: { per_key_per_minute: 5, per_minute: 100, window_seconds: 0.4, margin_seconds: 0.02 } },
    sim: { rateLimit: { perKey: 5, windowMs: 400 } },
  })
  try {
    const noisy = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? { alert_key: 'noisy', summary: 'flap' } : { alert_key: 'noisy', event_type: 'resolve' }))
    await postEvents(stack, noisy)
    const quiet = Array.from({ length: 8 }, (_, i) => ({ alert_key: `quiet-${i}`, summary: 'x' }))
    await postEvents(stack, quiet)
    await waitFor('quiet keys delivered', () => stack.sim.alerts().filter((a: any) => a.alertKey.startsWith('quiet-')).length === 8, 20_000)
    const noisyCalls = stack.sim.events().filter((e: any) => e.alertKey === 'noisy').length
    // Round-robin: the quiet keys got their turns while the noisy key still had most calls waiting.
    expect(noisyCalls).toBeLessThan(20)
    expect(stack.sim.stats().rateLimited).toBe(0)
  } finally {
    await stack.stop()
  }
}, 30_000)

test('order per alert key survives failures: a RESOLVE never overtakes its ALERT', async () => {
  const stack = await startStack({
    config: {
      retries: { max_attempts: 50, base_interval_seconds: 0.02, max_interval_seconds: 0.05 },
      rate_limit: { per_key_per_minute: 10_000, per_minute: 10_000 },
    },
    sim: { faults: { errorRatio: 0.5, seed: 42 }, rateLimit: { perKey: 0 } },
  })
  try {
    const events: object[] = []
    for (let k = 0; k < 20; k++) events.push({ alert_key: `ord-${k}`, summary: 'up' }, { alert_key: `ord-${k}`, event_type: 'resolve' })
    await postEvents(stack, events)
    await waitFor('all resolved', () => stack.sim.alerts().filter((a: any) => a.alertKey.startsWith('ord-') && a.status === 'RESOLVED').length === 20, 20_000)
    for (let k = 0; k < 20; k++) {
      const seq = stack.sim.events().filter((e: any) => e.alertKey === `ord-${k}`).map((e: any) => e.eventType)
      expect(seq).toEqual(['ALERT', 'RESOLVE'])
    }
    expect(stack.sim.alerts().filter((a: any) => a.alertKey.startsWith('ord-') && a.status !== 'RESOLVED')).toHaveLength(0)
  } finally {
    await stack.stop()
  }
})
