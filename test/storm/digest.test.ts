// Issue 15.3: a backlog that would take longer than max_delay to drain opens one digest alert for
// the source, sent first out of the same budget, updated at most once a window, resolved when
// the backlog is back under the threshold. Real dispatcher and simulator, scaled window.
import { afterEach, expect, test } from 'bun:test'
import { DIGEST_ALERT_KEY, formatDuration } from '../../src/dispatch/storm-digest'
import { rig, until } from './helpers'

let r: Awaited<ReturnType<typeof rig>> | undefined
afterEach(async () => {
  await r?.stop()
  r = undefined
})

test('the digest goes out first, counts what waits, is updated at most once a window and resolved when the backlog drains', async () => {
  const windowMs = 200
  // 5 calls per 200 ms (+20 ms margin): 30 waiting calls take ~1.3 s to drain; threshold 0.5 s.
  r = await rig({ perKey: 5, windowMs, concurrency: 4, dispatcher: { storm: { enabled: true, maxDelayMs: 500, groupBy: ['team'] } } })
  r.add(Array.from({ length: 30 }, (_, i) => ({ alertKey: `host-${i}`, priority: i % 3 === 0 ? ('HIGH' as const) : ('LOW' as const), labels: { team: i % 2 ? 'db' : 'web' } })))
  await until('the digest resolved', () => r!.sim.events().some((e) => e.alertKey === DIGEST_ALERT_KEY && e.eventType === 'RESOLVE'), 15_000)
  await until('drained', () => r!.store.table.entries === 0)
  const ev = r.sim.events()
  const digest = ev.filter((e) => e.alertKey === DIGEST_ALERT_KEY)
  const first = digest[0]!
  expect(first.eventType).toBe('ALERT')
  expect(first.summary).toMatch(/^Alert storm: \d+ alerts waiting for /)
  const cd = first.body.customDetails as any
  expect(cd.by_priority.HIGH + cd.by_priority.LOW).toBe(cd.waiting_alerts)
  expect(cd.by_label.team.db + cd.by_label.team.web).toBe(cd.waiting_alerts)
  expect(cd.top_alert_keys.length).toBeGreaterThan(0)
  expect(cd.projected_drain_seconds).toBeGreaterThanOrEqual(0)
  // Sent within the first window of the backlog, before most of it.
  expect(ev.indexOf(first)).toBeLessThan(10)
  // Never two digest calls in one window; the last one resolves it.
  for (let i = 1; i < digest.length; i++) expect(digest[i]!.receivedAt - digest[i - 1]!.receivedAt).toBeGreaterThanOrEqual(windowMs - 5)
  expect(digest.at(-1)!.eventType).toBe('RESOLVE')
  expect(r.sim.alerts().find((a) => a.alertKey === DIGEST_ALERT_KEY)!.status).toBe('RESOLVED')
  // Same budget: never a 429, and the digest calls are counted.
  expect(r.sim.stats().rateLimited).toBe(0)
  const counted = (await r.metrics.stormDigests.get()).values.reduce((n, v) => n + v.value, 0)
  expect(counted).toBe(digest.length)
  expect(ev.length).toBe(30 + digest.length)
})

test('below the threshold, or with the digest off, no digest is sent', async () => {
  r = await rig({ perKey: 5, windowMs: 200, dispatcher: { storm: { enabled: true, maxDelayMs: 5_000, groupBy: [] } } })
  r.add(Array.from({ length: 12 }, (_, i) => ({ alertKey: `h-${i}` })))
  await until('drained', () => r!.store.table.entries === 0 && r!.dispatcher.stats().inFlight === 0, 10_000)
  await Bun.sleep(100)
  expect(r.sim.events().some((e) => e.alertKey === DIGEST_ALERT_KEY)).toBe(false)
  await r.stop()
  r = await rig({ perKey: 5, windowMs: 200, dispatcher: { storm: { enabled: false, maxDelayMs: 100, groupBy: [] } } })
  r.add(Array.from({ length: 12 }, (_, i) => ({ alertKey: `h-${i}` })))
  await until('drained', () => r!.store.table.entries === 0 && r!.dispatcher.stats().inFlight === 0, 10_000)
  expect(r.sim.events().some((e) => e.alertKey === DIGEST_ALERT_KEY)).toBe(false)
})

test('drain times read as a responder would say them', () => {
  expect(formatDuration(45)).toBe('45 s')
  expect(formatDuration(600)).toBe('10 min')
  expect(formatDuration(12_000)).toBe('3.3 h')
})
