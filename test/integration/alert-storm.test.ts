/**
 * An alert storm against a simulator that enforces ilert's per-key fixed-window limit, with the
 * bridge configured to match (windows scaled from 60 s to 250 ms so the run is short):
 * 100,000 events over 1,000 alert keys on 4 alert sources. No 429 may be provoked, every alert
 * key's final state must reach ilert, and the coalescing must be counted.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

const SOURCES = ['il1api-storm-a', 'il1api-storm-b', 'il1api-storm-c', 'il1api-storm-d']
const KEYS_PER_SOURCE = 250
const ROUNDS = 100
const PER_KEY = 50
const WINDOW_MS = 250

let stack: Stack
beforeAll(async () => {
  stack = await startStack({
    config: {
      rate_limit: { per_key_per_minute: PER_KEY, per_minute: PER_KEY * SOURCES.length, window_seconds: WINDOW_MS / 1000, margin_seconds: 0.03 },
      queue: { capacity: 200_000 },
      logging: { level: 'info' },
    },
    sim: { rateLimit: { perKey: PER_KEY, windowMs: WINDOW_MS } },
  })
})
afterAll(() => stack.stop())

test('100k events over 1,000 alert keys: zero 429s, every final state delivered, coalescing counted', async () => {
  const lines: string[] = []
  const total = SOURCES.length * KEYS_PER_SOURCE * ROUNDS
  for (let r = 0; r < ROUNDS; r++) {
    for (const ik of SOURCES) {
      for (let k = 0; k < KEYS_PER_SOURCE; k++) {
        const last = r === ROUNDS - 1
        // Even keys end resolved; odd keys end open with the last round's summary.
        const resolve = last && k % 2 === 0
        lines.push(
          JSON.stringify(
            resolve
              ? { event_type: 'resolve', alert_key: `host-${k}`, integration_key: ik }
              : { alert_key: `host-${k}`, integration_key: ik, priority: 1 + (k % 4), summary: `cpu high round ${r}` },
          ),
        )
      }
    }
  }
  expect(lines.length).toBe(total)
  for (let i = 0; i < lines.length; i += 10_000) {
    const res = await postEvents(stack, lines.slice(i, i + 10_000).join('\n'), 'application/x-ndjson')
    expect(res.status).toBe(202)
    expect(((await res.json()) as any).accepted).toBe(10_000)
  }
  expect(await stack.metric('mcp_in_events_total', { transport: 'http' })).toBe(total)

  await waitFor('the storm to drain', async () => stack.app.dispatcher.stats().pending === 0, 120_000)

  const stats = stack.sim.stats() as any
  expect(stats.rateLimited).toBe(0)
  for (const max of Object.values(stats.maxPerWindowObserved) as number[]) expect(max).toBeLessThanOrEqual(PER_KEY)
  expect(await stack.metric('mcp_out_rate_limited_total')).toBe(0)
  expect(await stack.metric('mcp_out_failed_total')).toBe(0)

  // Every alert key's final state, per source.
  const alerts = stack.sim.alerts() as any[]
  for (let k = 0; k < KEYS_PER_SOURCE; k++) {
    const mine = alerts.filter((a) => a.alertKey === `host-${k}`)
    expect(mine.length).toBe(SOURCES.length)
    for (const a of mine) {
      if (k % 2 === 0) expect(a.status).toBe('RESOLVED')
      else {
        expect(a.status).toBe('PENDING')
        expect(a.summary).toBe(`cpu high round ${ROUNDS - 1}`)
      }
    }
  }
  const coalesced = await stack.metric('mcp_coalesced_events_total')
  const success = await stack.metric('mcp_out_success_total')
  expect(success).toBe(total)
  expect(coalesced).toBeGreaterThan(total * 0.9)
  // Calls made = events - merged events.
  expect(stats.accepted).toBe(total - coalesced)
}, 150_000)
