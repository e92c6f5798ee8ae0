/**
 * Bad inputs whose damage shows after the acknowledgement: what the bridge accepted must reach
 * ilert as sent (issue #4, "nothing acknowledged is ever lost"), what a sender controls must not
 * grow the bridge without bound (issue #6), and keys must not leak through logs, metrics or the
 * dead-letter view whatever a sender puts around them. Each test runs its own stack.
 */
import { describe, expect, test } from 'bun:test'
import { Registry } from 'prom-client'
import { createIngestor } from '../../src/ingest/accept'
import { createMetrics } from '../../src/observability/metrics'
import { createNormalizer } from '../../src/pipeline/normalize'
import { TEST_KEY, waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'
import { validEvent } from './corpus'
import { expectBoundedGrowth, MAX_GROWTH_BYTES, memory, startRobustStack, STORES, withControl } from './support'

const SECRET = 'il1api-corpus-secret-0042-do-not-log'

describe('keys never leak, whatever surrounds them', () => {
  test('per-event and configured integration keys stay out of logs, metrics and dead letters', async () => {
    // The simulator knows only TEST_KEY: events for SECRET get ilert's 404 and become dead letters.
    const stack = await startRobustStack({ config: { retries: { max_attempts: 2 } }, sim: { integrationKeys: [TEST_KEY] } })
    try {
      await withControl(stack, 'secrets', async () => {
        const c = await connectClient(stack.bound.tcp!.port)
        const lines = [
          validEvent('secret-tcp', { integration_key: SECRET }), // accepted, refused by ilert → dead letter
          JSON.stringify({ summary: 'x', integration_key: SECRET, colour: 'red' }), // unknown field
          JSON.stringify({ summary: 'x', integration_key: SECRET + 'x'.repeat(300) }), // too long
          `{"summary":"x","integration_key":"${SECRET}"`, // truncated JSON
          `{"summary":"x","integration_key":${SECRET}}`, // unquoted
        ]
        await c.send(lines.join('\n') + '\n')
        expect(await c.waitForAck(lines.length, 20_000)).toEqual({ ack: 5, accepted: 1, rejected: 4 })
        c.close()
        for (const body of [
          JSON.stringify(JSON.parse(validEvent('secret-http', { integration_key: SECRET }))),
          JSON.stringify([{ summary: 'x', integration_key: SECRET, colour: 'red' }]),
          `{"summary":"x","integration_key":"${SECRET}"`,
        ]) {
          await fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        }
        await waitFor('both SECRET events dead-lettered', () => stack.app.deadLetters.size >= 2, 20_000)
      })
      const dl = await (await fetch(`${stack.bound.http.url}/admin/dead-letters`)).text()
      expect(dl).toContain('secret-tcp') // the view really lists them...
      const metrics = await stack.registry.metrics()
      const logs = stack.log.lines.join('\n')
      for (const [where, text] of [
        ['dead letters', dl],
        ['metrics', metrics],
        ['logs', logs],
      ] as const) {
        expect({ where, leaks: [SECRET, TEST_KEY].filter((k) => text.includes(k)) }).toEqual({ where, leaks: [] })
      }
    } finally {
      await stack.stop()
    }
  })
})

describe('acknowledged means delivered', () => {
  // BUG: 100,000 levels of nesting in custom_details (200 KB, well inside the HTTP body limit)
  // cannot be serialized (JSON.stringify: "Maximum call stack size exceeded"), and nothing bounds
  // the depth at ingest (src/pipeline/event-schema.ts custom_details is Type.Unknown).
  // - memory queue: accepted (202), then JSON.stringify in src/dispatch/ilert-client.ts throws, is
  //   misfiled as a *network* error, retried, and the event lands in the dead letters; GET
  //   /admin/dead-letters then answers 500 "Maximum call stack size exceeded." while it is kept.
  // - durable queue (the default): 503 storage_error + Retry-After "retry later", although a retry
  //   can never succeed, so a client following the contract resends it forever.
  // Expected: reject at ingest with 400 naming custom_details (or deliver it); never acknowledge
  // what cannot be sent; keep the dead-letter view up.
  for (const store of STORES) {
    test(`deep custom_details (${store} queue): rejected at ingest naming the field, or delivered; the dead-letter view keeps working`, async () => {
      const stack = await startRobustStack({ store, config: { retries: { max_attempts: 3 } } })
      try {
        const d = 100_000
        const body = `{"summary":"deep","alert_key":"deep-100k","custom_details":{"a":${'['.repeat(d)}${']'.repeat(d)}}}`
        const res = await fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        const j = (await res.json()) as any
        if (res.status !== 400 && res.status !== 202) throw new Error(`want 400 (rejected) or 202 (delivered), got ${res.status} ${JSON.stringify(j)}`)
        if (res.status === 400) {
          // Named either by a depth bound (limits.max_json_depth) or by the schema, at custom_details.
          const r = j.rejected?.[0] ?? j
          if (r.reason === 'json_too_deep') expect(r.message).toContain('max_json_depth')
          else expect(r).toMatchObject({ index: 0, reason: 'schema', field: expect.stringMatching(/^custom_details/) })
        } else {
          await waitFor(
            'delivered or dead-lettered',
            () => stack.sim.alerts().some((a) => a.alertKey === 'deep-100k') || stack.app.deadLetters.size > 0,
            20_000,
          )
        }
        const view = await fetch(`${stack.bound.http.url}/admin/dead-letters`)
        expect({ status: view.status, body: (await view.text()).slice(0, 200) }).toMatchObject({ status: 200 })
        expect(stack.app.deadLetters.size).toBe(0)
        if (res.status === 202) expect(stack.sim.alerts().some((a) => a.alertKey === 'deep-100k')).toBe(true)
      } finally {
        await stack.stop()
      }
    })
  }

  // Was a bug: anonymous events' internal lane key lived in the same namespace as client alert
  // keys, so a client could pick an alert_key that shared (and was merged into) that lane. Anonymous
  // lanes now start with "A:", which no lower-cased alert key holds (laneKeyFor in
  // src/pipeline/ilert-event.ts).
  for (const store of STORES) {
    test(`an alert_key with NUL bytes cannot capture another sender's anonymous event (${store} queue)`, async () => {
      // One token per 2 s window holds the collider's call back long enough for the anonymous event to arrive.
      const stack = await startRobustStack({ store, config: { rate_limit: { per_key_per_minute: 1, per_minute: 100, window_seconds: 2 } } })
      try {
        const post = (ev: object) => fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ev) })
        expect((await post({ summary: 'plug', alert_key: 'plug' })).status).toBe(202) // spends the window's token
        await waitFor('plug delivered', () => stack.sim.alerts().length === 1, 20_000)
        // An event without a key gets the lane "A:<its sequence number>": plug was 1, the collider
        // is 2, so the anonymous event's lane is "A:3". The collider asks for exactly that key.
        const next = 'A:3'
        expect((await post({ summary: 'collider', alert_key: next })).status).toBe(202)
        expect((await post({ summary: 'anonymous' })).status).toBe(202)
        await waitFor('both delivered (or merged)', () => stack.sim.events().length >= 3 || stack.sim.alerts().some((a) => (a.customDetails as any)?.coalesced_events), 20_000)
        const summaries = stack.sim.alerts().map((a) => a.summary).sort()
        expect(summaries).toEqual(['anonymous', 'collider', 'plug'])
      } finally {
        await stack.stop()
      }
    })
  }
})

describe('sender-controlled state stays bounded', () => {
  // Was a bug: every distinct per-event integration_key kept a dispatcher Source (with a token ring
  // of rate_limit.per_key_per_minute slots) forever. LaneTable.sweep now forgets keys whose lanes
  // are empty and whose rate history has expired.
  test('4,000 distinct per-event integration keys do not grow memory without bound', async () => {
    const stack = await startRobustStack({ config: { rate_limit: { per_key_per_minute: 10_000, per_minute: 1_000_000, window_seconds: 0.5 } } })
    try {
      await fetch(stack.eventsUrl, { method: 'POST', body: validEvent('keys-warmup'), headers: { 'content-type': 'application/json' } })
      await waitFor('warm-up delivered', () => stack.sim.events().length === 1, 20_000)
      const before = memory()
      for (let b = 0; b < 4; b++) {
        const batch = Array.from({ length: 1000 }, (_, i) => ({ summary: 'k', alert_key: `keys-${b}-${i}`, integration_key: `il1api-distinct-${b}-${i}` }))
        const r = await fetch(stack.eventsUrl, { method: 'POST', body: JSON.stringify(batch), headers: { 'content-type': 'application/json' } })
        expect(r.status).toBe(202)
      }
      await waitFor('all 4,000 delivered', () => stack.sim.events().length === 4001, 30_000)
      // Poll (with a full GC each time) until the growth is inside the bound, or give up.
      await waitFor('memory back inside the bound', () => memory().heapUsed - before.heapUsed < MAX_GROWTH_BYTES, 10_000).catch(() => undefined)
      expectBoundedGrowth(before, memory())
    } finally {
      await stack.stop()
    }
  })
})
