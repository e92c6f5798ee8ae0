/**
 * Audit finding 16.7: ALERT, then RESOLVE (refused with a 400, dead-lettered), then ALERT reached
 * ilert after a replay as ALERT, ALERT, RESOLVE: the alert ended resolved although the newest
 * event re-opened it. A replayed dead letter now takes its place in its alert key's order, and one
 * that newer delivered events of its key superseded is reported and kept unless forced. Both
 * queue modes, through the admin API the CLI also uses.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-replay-order-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const admin = async (stack: Stack, path: string, body?: unknown) => {
  const r = await fetch(`${stack.bound.http.url}/admin/dead-letters${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
  return (await r.json()) as any
}
const types = (stack: Stack, key: string) => stack.sim.events().filter((e: any) => e.alertKey === key).map((e: any) => e.eventType)
const statusOf = (stack: Stack, key: string) => stack.sim.alerts().filter((a) => a.alertKey === key).at(-1)?.status // the newest alert of that key

for (const durable of [true, false]) {
  const mode = durable ? 'durable' : 'memory'
  const start = (name: string) =>
    startStack({
      config: { queue: durable ? { durable: true, path: join(dir, `${mode}-${name}`) } : { durable: false }, rate_limit: { per_key_per_minute: 1000, per_minute: 1000 } },
      sim: { rateLimit: { perKey: 0 } },
    })

  test(`a dead letter superseded by a newer delivered event is reported, not sent; --force sends it (${mode})`, async () => {
    const stack = await start('superseded')
    const key = `order-${mode}`
    try {
      expect((await postEvents(stack, { alert_key: key, summary: 'first' })).status).toBe(202)
      await waitFor('ALERT delivered', () => types(stack, key).length === 1)
      stack.sim.setFaults({ forceStatus: 400, forceStatusKeys: [key] })
      expect((await postEvents(stack, { alert_key: key, event_type: 'resolve' })).status).toBe(202)
      await waitFor('RESOLVE dead-lettered', async () => (await admin(stack, '')).size === 1)
      stack.sim.setFaults({ forceStatus: undefined, forceStatusKeys: undefined })
      expect((await postEvents(stack, { alert_key: key, summary: 'again' })).status).toBe(202)
      await waitFor('second ALERT delivered', () => types(stack, key).filter((t: string) => t === 'ALERT').length === 2)
      // The simulator counts a call before the bridge has its answer: wait until the bridge knows it was delivered.
      await waitFor('the bridge has the answer', async () => (await stack.metric('mcp_out_success_total')) === 2)
      const [dl] = (await admin(stack, '')).items
      expect(dl.supersededBy).not.toBeNull()
      expect(await admin(stack, '/replay', { all: true })).toEqual({ replayed: 0, superseded: [dl.id], invalid: [] })
      await Bun.sleep(200)
      expect(types(stack, key)).toEqual(['ALERT', 'ALERT'])
      expect(statusOf(stack, key)).not.toBe('RESOLVED') // the newest event re-opened it, and stays in force
      expect((await admin(stack, '')).size).toBe(1) // kept for the person to decide
      const forced = await fetch(`${stack.bound.http.url}/admin/dead-letters/replay?force=true`, { method: 'POST', body: JSON.stringify({ all: true }) })
      expect(await forced.json()).toEqual({ replayed: 1, superseded: [], invalid: [] })
      await waitFor('forced RESOLVE delivered', () => types(stack, key).length === 3)
      expect(statusOf(stack, key)).toBe('RESOLVED')
    } finally {
      await stack.stop()
    }
  }, 30_000)

  test(`a replayed dead letter goes before the newer events still waiting in its lane (${mode})`, async () => {
    const stack = await start('before')
    const key = `place-${mode}`
    try {
      expect((await postEvents(stack, { alert_key: key, summary: 'first' })).status).toBe(202)
      await waitFor('ALERT delivered', () => types(stack, key).length === 1)
      stack.sim.setFaults({ forceStatus: 400, forceStatusKeys: [key] })
      expect((await postEvents(stack, { alert_key: key, event_type: 'resolve' })).status).toBe(202)
      await waitFor('RESOLVE dead-lettered', async () => (await admin(stack, '')).size === 1)
      // ilert goes down: the newer ALERT waits in the lane (an outage, no attempts used).
      const faultsBefore = stack.sim.stats().faults
      stack.sim.setFaults({ forceStatus: 503, forceStatusKeys: undefined })
      expect((await postEvents(stack, { alert_key: key, summary: 'again' })).status).toBe(202)
      await waitFor('a few failed calls', () => stack.sim.stats().faults >= 3, 10_000)
      // Replay while the ALERT waits out its backoff, not while a retry is on the wire (a dead
      // letter cannot go before a call in flight): the bridge has the answer to every 503 so far.
      const retried = () => stack.metric('mcp_out_requests_total', { outcome: 'retry' })
      await waitFor('the bridge has every 503\'s answer', async () => (await retried()) === stack.sim.stats().faults - faultsBefore, 10_000)
      expect(await admin(stack, '/replay', { all: true })).toEqual({ replayed: 1, superseded: [], invalid: [] })
      stack.sim.setFaults({ forceStatus: undefined })
      await waitFor('both delivered', () => types(stack, key).length === 3, 20_000)
      expect(types(stack, key)).toEqual(['ALERT', 'RESOLVE', 'ALERT'])
      expect(statusOf(stack, key)).not.toBe('RESOLVED')
    } finally {
      await stack.stop()
    }
  }, 40_000)
}
