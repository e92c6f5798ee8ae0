/**
 * ilert's Events API on the bridge: curl posts ilert's documented body to POST /api/events, exactly
 * as a script written for api.ilert.com does with only the host changed. The bridge answers 202
 * once stored and the ilert simulator receives the event; bad input gets ilert's 400 error shape
 * naming the field, and is counted under transport "ilert_events".
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, TEST_KEY, waitFor } from '../helpers/harness'

async function curl(url: string, body: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  const p = Bun.spawn(['curl', '-sS', '-o', '-', '-w', '\n%{http_code}', '-X', 'POST', '-H', 'Content-Type: application/json', '-H', 'Accept: application/json', '--data-binary', body, ...extra, url], { stdout: 'pipe', stderr: 'pipe' })
  const out = await new Response(p.stdout).text()
  const code = await p.exited
  if (code !== 0) throw new Error(`curl failed (${code}): ${await new Response(p.stderr).text()}`)
  const nl = out.lastIndexOf('\n')
  return { status: Number(out.slice(nl + 1)), body: out.slice(0, nl) }
}

describe('POST /api/events (ilert-compatible)', () => {
  let stack: Stack
  let url: string
  beforeAll(async () => {
    stack = await startStack()
    url = `${stack.bound.http.url}/api/events`
  })
  afterAll(() => stack.stop())

  test('curl with ilert\'s documented body: 202, then ALERT and RESOLVE reach ilert with every field', async () => {
    const alert = {
      integrationKey: TEST_KEY,
      eventType: 'ALERT',
      summary: 'Disk full on db-1',
      details: 'Only **2%** left',
      alertKey: 'curl-disk-db1',
      priority: 'HIGH',
      severity: 2,
      images: [{ src: 'https://example.com/graph.png', alt: 'graph' }],
      links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
      labels: { host: 'db-1' },
      customDetails: { free_bytes: 1024 },
      routingKey: 'dba',
    }
    const r = await curl(url, JSON.stringify(alert))
    expect(r.status).toBe(202)
    expect(r.body).toBe('')
    const a = await waitFor('alert at ilert', () => stack.sim.alerts().find((x) => x.alertKey === 'curl-disk-db1'))
    expect(a.summary).toBe('Disk full on db-1')
    expect(a.priority).toBe('HIGH')
    const logged = stack.sim.events().find((e) => e.alertKey === 'curl-disk-db1')!.body as any
    expect(logged.severity).toBe(2)
    expect(logged.details).toBe('Only **2%** left')
    expect(logged.labels).toEqual({ host: 'db-1' })
    expect(logged.links).toEqual([{ href: 'https://example.com/runbook', text: 'Runbook' }])
    expect(logged.images).toEqual([{ src: 'https://example.com/graph.png', alt: 'graph' }])
    expect(logged.routingKey).toBe('dba')
    expect(logged.customDetails?.free_bytes).toBe(1024)
    const res = await curl(`${stack.bound.http.url}/api/v1/events`, JSON.stringify({ integrationKey: TEST_KEY, eventType: 'RESOLVE', alertKey: 'curl-disk-db1' }))
    expect(res.status).toBe(202)
    await waitFor('resolved', () => stack.sim.alerts().find((x) => x.alertKey === 'curl-disk-db1' && x.status === 'RESOLVED'))
    expect(await stack.metric('mcp_in_events_total', { transport: 'ilert_events' })).toBe(2)
  })

  test('legacy apiKey is taken for integrationKey', async () => {
    const r = await curl(url, JSON.stringify({ apiKey: TEST_KEY, eventType: 'ALERT', summary: 'legacy', alertKey: 'curl-legacy' }))
    expect(r.status).toBe(202)
    await waitFor('legacy alert', () => stack.sim.alerts().find((x) => x.alertKey === 'curl-legacy'))
  })

  const bad: [string, string, RegExp][] = [
    ['lower-case eventType', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'alert', summary: 's' }), /'eventType'/],
    ['missing integrationKey', JSON.stringify({ eventType: 'ALERT', summary: 's' }), /'integrationKey'/],
    ['ALERT without summary', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT' }), /'summary'/],
    ['severity 9', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 's', severity: 9 }), /'severity'/],
    ['priority MEDIUM', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 's', priority: 'MEDIUM' }), /'priority'/],
    ['labels not strings', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 's', labels: { a: 1 } }), /'labels\.a'/],
    ['RESOLVE without alertKey', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'RESOLVE' }), /'alertKey'/],
    ['summary too long for ilert', JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 'x'.repeat(5000) }), /'summary'/],
    ['not JSON', '{"integrationKey":', /not valid JSON/],
    ['an array', '[]', /JSON object/],
  ]
  for (const [name, body, field] of bad) {
    test(`bad input (${name}): 400 in ilert's error shape naming the field`, async () => {
      const before = await stack.metric('mcp_rejected_events_total', { transport: 'ilert_events' })
      const r = await curl(url, body)
      expect(r.status).toBe(400)
      const j = JSON.parse(r.body)
      expect(j.status).toBe(400)
      expect(j.code).toBe('BAD_REQUEST')
      expect(j.message).toMatch(field)
      expect(await stack.metric('mcp_rejected_events_total', { transport: 'ilert_events' })).toBe(before + 1)
    })
  }
})

describe('POST /api/events with a full store', () => {
  test('503 with Retry-After in ilert\'s error shape, nothing acknowledged', async () => {
    // ilert hangs, so nothing leaves: one pending call (in flight) fills a store of capacity 1.
    const stack = await startStack({
      config: { queue: { capacity: 1 }, dispatch: { concurrency: 1, drain_timeout_seconds: 0.5 }, ilert: { timeout_seconds: 30 } },
      sim: { faults: { hangMs: 60_000 } },
    })
    try {
      const url = `${stack.bound.http.url}/api/events`
      const first = await curl(url, JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 'one', alertKey: 'full-1' }))
      expect(first.status).toBe(202)
      const r = await curl(url, JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 'two', alertKey: 'full-2' }))
      expect(r.status).toBe(503)
      expect(JSON.parse(r.body)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
      expect(await stack.metric('mcp_rejected_events_total', { transport: 'ilert_events', reason: 'queue_full' })).toBe(1)
      expect(await stack.metric('mcp_in_events_total', { transport: 'ilert_events' })).toBe(1)
    } finally {
      stack.sim.setFaults({ hangMs: 0 })
      await stack.stop()
    }
  })
})
