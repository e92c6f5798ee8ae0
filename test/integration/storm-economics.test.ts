/**
 * Issue 15 end to end: the bridge (durable store, default settings but for scaled windows)
 * against the simulator enforcing ilert's per-key limit of 50 calls per window, the window scaled
 * from 60 s to 200 ms (and dispatch.storm.max_delay_seconds from 300 s to 1 s with it).
 * A storm of 100,000 events over 5,000 alert keys on one alert source: 30 % of the keys fire and
 * clear before their turn (19 ALERTs, then a RESOLVE), the rest fire and stay open (20 ALERTs).
 * The simulator must receive no call at all for the keys that cancelled out, the storm digest
 * within the first window, every HIGH ALERT before any LOW one, never a 429, and every other
 * key's final state.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DIGEST_ALERT_KEY } from '../../src/dispatch/storm-digest'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

const KEYS = 5_000
const ROUNDS = 20
const PER_KEY = 50
const WINDOW_MS = 200
const MARGIN_MS = 20

/** k % 10 < 3: fires and clears (LOW); 3..5: stays open, HIGH; 6..9: stays open, LOW. */
const cancels = (k: number) => k % 10 < 3
const high = (k: number) => k % 10 >= 3 && k % 10 < 6
const key = (k: number) => `storm-${k}`

let stack: Stack
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-storm-'))
  stack = await startStack({
    config: {
      rate_limit: { per_key_per_minute: PER_KEY, per_minute: 10_000, window_seconds: WINDOW_MS / 1000, margin_seconds: MARGIN_MS / 1000 },
      queue: { durable: true, path: join(dir, 'queue'), capacity: 200_000 },
      dispatch: { storm: { max_delay_seconds: (300 * WINDOW_MS) / 60_000, group_by_labels: ['team'] } },
      logging: { level: 'info' },
    },
    sim: { rateLimit: { perKey: PER_KEY, windowMs: WINDOW_MS } },
  })
})
afterAll(async () => {
  await stack.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('100k events over 5,000 keys, 30 % fire and clear before their turn: no pair sent for them, digest first, HIGH before LOW, zero 429s, every final state', async () => {
  const lines: string[] = []
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < KEYS; k++) {
      const labels = { team: k % 2 ? 'db' : 'web' }
      if (cancels(k) && r === ROUNDS - 1) lines.push(JSON.stringify({ event_type: 'resolve', alert_key: key(k), labels }))
      else lines.push(JSON.stringify({ alert_key: key(k), priority: high(k) ? 1 : 4, summary: `disk full on ${key(k)} (round ${r})`, labels }))
    }
  }
  expect(lines.length).toBe(100_000)
  const t0 = Date.now()
  for (let i = 0; i < lines.length; i += 5_000) {
    const res = await postEvents(stack, lines.slice(i, i + 5_000).join('\n'), 'application/x-ndjson')
    expect(res.status).toBe(202)
  }
  await waitFor('the storm to drain and its digest to resolve', () => stack.app.dispatcher.stats().pending === 0 && stack.sim.events().some((e) => e.alertKey === DIGEST_ALERT_KEY && e.eventType === 'RESOLVE'), 60_000)

  const events = stack.sim.events()
  const stats = stack.sim.stats()
  expect(stats.rateLimited).toBe(0)
  expect(await stack.metric('mcp_out_rate_limited_total')).toBe(0)
  for (const max of Object.values(stats.maxPerWindowObserved)) expect(max).toBeLessThanOrEqual(PER_KEY)

  // No call at all for the keys that fired and cleared before their turn.
  const byKey = new Map<string, string[]>()
  for (const e of events) byKey.set(e.alertKey!, [...(byKey.get(e.alertKey!) ?? []), e.eventType])
  let cancelledKeys = 0
  for (let k = 0; k < KEYS; k++) {
    if (!cancels(k)) continue
    cancelledKeys++
    expect(byKey.get(key(k))).toBeUndefined()
  }
  expect(await stack.metric('mcp_cancelled_events_total')).toBe(cancelledKeys * ROUNDS)
  expect(await stack.metric('mcp_calls_saved_total', { reason: 'cancelled' })).toBe(cancelledKeys * 2)

  // The digest: within the first window of the storm, and first of that source's calls.
  const digest = events.filter((e) => e.alertKey === DIGEST_ALERT_KEY)
  expect(digest[0]!.eventType).toBe('ALERT')
  expect(digest[0]!.receivedAt - events[0]!.receivedAt).toBeLessThan(WINDOW_MS)
  expect(events.findIndex((e) => e.alertKey === DIGEST_ALERT_KEY)).toBeLessThan(PER_KEY)
  expect(digest[0]!.summary).toMatch(/^Alert storm: [\d,]+ alerts waiting for /)
  expect(Object.keys((digest[0]!.body.customDetails as any).by_label.team).sort()).toEqual(['db', 'web'])
  expect(digest.at(-1)!.eventType).toBe('RESOLVE')
  expect(await stack.metric('mcp_storm_digests_total')).toBe(digest.length)

  // Every HIGH alert reaches ilert before any LOW one: the ALERT that opens each alert. (A key
  // whose ALERT left while its later rounds were still arriving gets one more call, an update,
  // which by the documented order goes after the new alerts.)
  const opening = events.filter((e) => e.outcome === 'ALERT_CREATED' && e.alertKey !== DIGEST_ALERT_KEY)
  const lastHigh = opening.findLastIndex((e) => e.body.priority === 'HIGH')
  const firstLow = opening.findIndex((e) => e.body.priority === 'LOW')
  expect(opening.filter((e) => e.body.priority === 'HIGH').length).toBe(KEYS * 0.3)
  expect(lastHigh).toBeGreaterThan(0)
  expect(lastHigh).toBeLessThan(firstLow)

  // Every other key's final state, and one call each (perfectly coalesced).
  const final = new Map(stack.sim.alerts().map((a) => [a.alertKey, a]))
  let updates = 0
  for (let k = 0; k < KEYS; k++) {
    if (cancels(k)) continue
    const a = final.get(key(k))
    expect(a?.status).toBe('PENDING')
    expect(a?.summary).toBe(`disk full on ${key(k)} (round ${ROUNDS - 1})`)
    expect(byKey.get(key(k))!.every((t) => t === 'ALERT')).toBe(true)
    updates += byKey.get(key(k))!.length - 1
  }
  // Coalescing: one call per key, plus the updates of keys sent while their storm still arrived.
  expect(events.length).toBe(KEYS - cancelledKeys + updates + digest.length)
  expect(updates).toBeLessThan(KEYS * 0.1)
  expect(stats.accepted).toBe(events.length)
}, 90_000)
