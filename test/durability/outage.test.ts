/**
 * ilert down for a while, a full store, a full disk: events accumulate within bounds, ingest
 * pushes back instead of dropping or lying, and when ilert returns the backlog drains at the
 * allowed rate with no 429 storm.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postEvents, startStack, waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mcp-ilert-out-'))
  dirs.push(d)
  return join(d, 'queue')
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

test('ilert down: events accumulate, then drain at the allowed rate with zero 429s', async () => {
  const stack = await startStack({
    config: {
      queue: { durable: true, path: tmp() },
      rate_limit: { per_key_per_minute: 20, per_minute: 1000, window_seconds: 0.5, margin_seconds: 0.03 },
      retries: { max_attempts: 1000, base_interval_seconds: 0.05, max_interval_seconds: 0.3 },
    },
    sim: { rateLimit: { perKey: 20, windowMs: 500 }, faults: { downUntil: Date.now() + 2000 } },
  })
  try {
    const events = Array.from({ length: 150 }, (_, i) => ({ alert_key: `out-${i}`, summary: 'db unreachable' }))
    expect((await postEvents(stack, events)).status).toBe(202)
    await waitFor('ilert back and every alert delivered', () => stack.sim.alerts().length === 150, 30_000)
    const stats = stack.sim.stats()
    expect(stats.rateLimited).toBe(0)
    for (const max of Object.values(stats.maxPerWindowObserved)) expect(max).toBeLessThanOrEqual(20)
    expect(stats.faults).toBeGreaterThan(0) // it really was down
    expect(await stack.metric('mcp_out_failed_total')).toBe(0)
  } finally {
    await stack.stop()
  }
}, 40_000)

test('store at queue.capacity: HTTP answers 503 + Retry-After, TCP stops reading; nothing accepted is dropped', async () => {
  const stack = await startStack({
    config: {
      queue: { durable: true, path: tmp(), capacity: 10 },
      retries: { max_attempts: 1000 },
      rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000 },
    },
    sim: { rateLimit: { perKey: 0 }, faults: { forceStatus: 503 } },
  })
  try {
    expect((await postEvents(stack, Array.from({ length: 10 }, (_, i) => ({ alert_key: `bp-${i}`, summary: 'x' })))).status).toBe(202)
    const res = await postEvents(stack, { alert_key: 'bp-over', summary: 'x' })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).not.toBeNull()
    // TCP: the line is held, not rejected.
    const client = await connectClient(stack.bound.tcp!.port)
    await client.send(JSON.stringify({ alert_key: 'bp-tcp', summary: 'x' }) + '\n')
    await Bun.sleep(300)
    expect(client.lastAck()).toBeUndefined()
    expect(client.errors()).toEqual([])
    stack.sim.setFaults({ forceStatus: undefined })
    expect((await client.waitForAck(1, 15_000)).accepted).toBe(1)
    await waitFor('all 11 delivered', () => stack.sim.alerts().length === 11, 15_000)
    client.close()
  } finally {
    await stack.stop()
  }
}, 30_000)

test('store full on disk: acknowledgements stop (HTTP 503 storage_full, TCP error + close), earlier events still delivered', async () => {
  const stack = await startStack({ config: { queue: { durable: true, path: tmp(), max_disk_bytes: 96 * 1024 } } })
  try {
    expect((await postEvents(stack, { alert_key: 'fits', summary: 'small' })).status).toBe(202)
    const huge = Array.from({ length: 40 }, (_, i) => ({ alert_key: `big-${i}`, summary: 'x', details: 'y'.repeat(8000) }))
    const res = await postEvents(stack, huge)
    expect(res.status).toBe(503)
    expect(((await res.json()) as any).reason).toBe('storage_full')
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'http', reason: 'storage_full' })).toBe(40)

    const client = await connectClient(stack.bound.tcp!.port)
    await client.send(huge.map((e) => JSON.stringify(e)).join('\n') + '\n')
    await client.waitForClose(10_000)
    expect(client.errors().at(-1)).toMatchObject({ reason: 'storage_full' })
    expect(client.lastAck()?.accepted ?? 0).toBe(0)
    await waitFor('the small event delivered', () => stack.sim.alerts().some((a) => a.alertKey === 'fits'))
    expect(stack.sim.alerts().some((a) => a.alertKey.startsWith('big-'))).toBe(false)
  } finally {
    await stack.stop()
  }
})

test('an outage longer than the whole retry schedule: no attempts used up, nothing dead-lettered, everything delivered once ilert is back', async () => {
  // Default-like retries (5 attempts) scaled down: the schedule runs out in well under a second,
  // ilert stays down for 3 s.
  const stack = await startStack({
    config: {
      queue: { durable: true, path: tmp() },
      retries: { max_attempts: 5, base_interval_seconds: 0.02, max_interval_seconds: 0.1 },
      rate_limit: { per_key_per_minute: 1000, per_minute: 1000 },
      ilert: { timeout_seconds: 0.5 },
    },
    sim: { rateLimit: { perKey: 0 }, faults: { downUntil: Date.now() + 3000 } },
  })
  try {
    const events = Array.from({ length: 40 }, (_, i) => ({ alert_key: `long-${i}`, summary: 'still down' }))
    expect((await postEvents(stack, events)).status).toBe(202)
    await waitFor('the outage noticed', async () => (await stack.metric('mcp_ilert_up')) === 0, 5_000)
    expect(await stack.metric('mcp_ilert_outages_total')).toBe(1)
    // While down, one probe at a time: far fewer calls than 40 events × 5 attempts.
    await Bun.sleep(1500)
    const during = stack.sim.stats().received
    expect(during).toBeLessThan(20)
    await waitFor('ilert back and every alert delivered', () => stack.sim.alerts().length === 40, 40_000)
    expect(await stack.metric('mcp_out_failed_total')).toBe(0)
    expect(stack.app.deadLetters.size).toBe(0)
    expect(await stack.metric('mcp_ilert_up')).toBe(1)
    expect(stack.log.lines.some((l) => l.includes('ilert is not answering; delivery paused'))).toBe(true)
    expect(stack.log.lines.some((l) => l.includes('ilert answers again'))).toBe(true)
  } finally {
    await stack.stop()
  }
}, 60_000)

test('queue.max_memory_bytes bounds what the pending calls hold in memory mode: beyond it HTTP 503, TCP held, nothing lost', async () => {
  // ilert down, so nothing leaves; 64 KiB of bodies fit, then ingest pushes back.
  const stack = await startStack({
    config: {
      queue: { durable: false, max_memory_bytes: 65_536 },
      retries: { max_attempts: 1000 },
      rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000 },
    },
    sim: { rateLimit: { perKey: 0 }, faults: { forceStatus: 503 } },
  })
  try {
    const big = (i: number) => ({ alert_key: `mem-${i}`, summary: 'big', details: 'd'.repeat(4000) })
    let accepted = 0
    let refused: Response | undefined
    for (let i = 0; i < 100 && refused === undefined; i++) {
      const r = await postEvents(stack, big(i))
      if (r.status === 202) accepted++
      else refused = r
    }
    expect(refused?.status).toBe(503)
    expect(((await refused!.json()) as { reason: string }).reason).toBe('queue_full')
    expect(accepted).toBeGreaterThan(10)
    expect(accepted).toBeLessThan(20) // about 64 KiB / 4 KiB, not capacity (65,536 calls)
    const client = await connectClient(stack.bound.tcp!.port)
    await client.send(JSON.stringify(big(1000)) + '\n')
    await Bun.sleep(300)
    expect(client.lastAck()).toBeUndefined() // held, not refused
    stack.sim.setFaults({ forceStatus: undefined })
    expect((await client.waitForAck(1, 15_000)).accepted).toBe(1)
    await waitFor('everything accepted delivered', () => stack.sim.alerts().length === accepted + 1, 20_000)
    client.close()
  } finally {
    await stack.stop()
  }
}, 40_000)

test('queue.max_memory_bytes in the durable store: beyond it bodies stay on disk only; everything is accepted, survives a restart and reaches ilert whole', async () => {
  // ilert down, so nothing leaves: 100 bodies of 4 KB against a 64 KiB bound.
  const path = tmp()
  const config = {
    queue: { durable: true, path, max_memory_bytes: 65_536 },
    retries: { max_attempts: 1000 },
    rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000 },
  }
  const details = (i: number) => `${i} `.padEnd(4000, 'd')
  const big = (i: number) => ({ alert_key: `mem-${i}`, summary: `big ${i}`, details: details(i) })
  let stack = await startStack({ config, sim: { rateLimit: { perKey: 0 }, faults: { forceStatus: 503 } } })
  try {
    for (let i = 0; i < 100; i++) expect((await postEvents(stack, big(i))).status).toBe(202)
    const client = await connectClient(stack.bound.tcp!.port)
    await client.send(JSON.stringify(big(100)) + '\n')
    expect((await client.waitForAck(1, 5_000)).accepted).toBe(1) // not held: nothing pushes back
    client.close()
    expect(await stack.metric('mcp_queue_spilled_bytes')).toBeGreaterThan(300_000)
    expect(await stack.metric('mcp_queue_memory_bytes')).toBeLessThanOrEqual(65_536 + 8192)
  } finally {
    await stack.stop()
  }
  // A restart over the backlog loads it within the bound too, then delivers every body whole.
  stack = await startStack({ config, sim: { rateLimit: { perKey: 0 } } })
  try {
    await waitFor('everything accepted delivered', () => stack.sim.alerts().length === 101, 20_000)
    const got = new Map(stack.sim.alerts().map((a) => [a.alertKey, a]))
    for (let i = 0; i <= 100; i++) {
      expect(got.get(`mem-${i}`)?.summary).toBe(`big ${i}`)
      expect(got.get(`mem-${i}`)?.details).toBe(details(i))
    }
  } finally {
    await stack.stop()
  }
}, 60_000)
