/**
 * A configuration change that makes stored events invalid loses none of them: events acknowledged
 * under one configuration that the next start no longer accepts (here: the default integration
 * key removed while events without their own key wait) go to the dead letters with the text they
 * arrived as, are listed with the reason, stay there across restarts without being added twice,
 * and reach ilert once the configuration is fixed and they are replayed.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeadLetter } from '../../src/queue/dead-letters'
import { deadLettersCli } from '../helpers/bridge-process'
import { postEvents, type SimOptions, type Stack, startStack, TEST_KEY, waitFor } from '../helpers/harness'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-cfgchange-'))
const queuePath = join(dir, 'queue')
const OWN_KEY = 'il1api-own-key-0002'
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const start = (integrationKey: string, sim: SimOptions = {}) =>
  startStack({ config: { queue: { durable: true, path: queuePath }, ilert: { integration_key: integrationKey }, dispatch: { drain_timeout_seconds: 0.2 } }, sim })

const cli = (...args: string[]) => deadLettersCli(dir, queuePath, ...args)

async function deadLetters(stack: Stack): Promise<DeadLetter[]> {
  return ((await (await fetch(`${stack.bound.http.url}/admin/dead-letters?limit=1000`)).json()) as { items: DeadLetter[] }).items
}

// What the first bridge acknowledged: four texts without an integration key (one of them a JSON
// array of two) and one that carries its own key.
const single = [
  { mcp_id: 'cc-1', summary: 'one' },
  { mcp_id: 'cc-1', summary: 'two' },
  { mcp_id: 'cc-2', summary: 'disk full', priority: 1 },
]
const batch = [
  { mcp_id: 'cc-3', summary: 'batched a' },
  { mcp_id: 'cc-4', summary: 'batched b' },
]
const own = { mcp_id: 'cc-own', summary: 'has its own key', integration_key: OWN_KEY }

test('events a changed configuration no longer accepts go to the dead letters as received, and are replayed once it is fixed', async () => {
  // 1. Acknowledged while ilert refuses everything: they wait in the log.
  const a = await start(TEST_KEY, { faults: { forceStatus: 503 } })
  try {
    for (const e of single) expect((await postEvents(a, e)).status).toBe(202)
    expect((await postEvents(a, batch)).status).toBe(202)
    expect((await postEvents(a, own)).status).toBe(202)
  } finally {
    await a.stop()
  }

  // 2. Restarted without the default key: the five keyless events cannot become ilert calls.
  const b = await start('')
  let ids: number[]
  try {
    const listed = await deadLetters(b)
    expect(listed.every((d) => d.reason === 'replay_invalid')).toBe(true)
    expect(listed.reduce((n, d) => n + d.count, 0)).toBe(5)
    // Each keeps the text it arrived as, and says which field and why.
    const received = listed.map((d) => JSON.parse(d.received!))
    for (const e of [...single, ...batch]) expect(received).toContainEqual(e)
    expect(listed[0]!.lastAnswer).toContain('integration_key')
    expect(new Set(listed.map((d) => d.laneKey))).toEqual(new Set(['cc-1', 'cc-2', 'cc-3', 'cc-4']))
    expect(await b.metric('mcp_out_failed_total', { reason: 'replay_invalid' })).toBe(5)
    expect(await b.metric('mcp_dropped_events_total', { reason: 'replay_invalid' })).toBe(0)
    // The event with its own key is still valid and is delivered.
    await waitFor('cc-own delivered', () => b.sim.alerts().some((x) => x.alertKey === 'cc-own'))
    // Replaying now changes nothing: still invalid, still there. Through the CLI beside the running
    // bridge (it asks the bridge's admin API), which says why and which.
    ids = listed.map((d) => d.id)
    const r = await cli('replay', '--all')
    expect(r.code).toBe(0)
    expect(r.out).toBe('replayed 0\n')
    expect(r.err).toContain(`${ids.length} dead letter(s) not replayed: their event as received still does not pass validation with this configuration (ids ${ids.join(', ')})`)
    expect((await deadLetters(b)).map((d) => d.id)).toEqual(ids)
  } finally {
    await b.stop()
  }

  // 3. The key is back: the same dead letters (not found in the log a second time), replayed and delivered.
  const c = await start(TEST_KEY)
  const received = (k: string) => c.sim.events().filter((e) => e.alertKey === k).map((e) => e.summary)
  try {
    const kept = await deadLetters(c)
    expect(kept.map((d) => d.id)).toEqual(ids)
    expect(await c.metric('mcp_out_failed_total', { reason: 'replay_invalid' })).toBe(0)
    // Meanwhile cc-2 was resolved and that reached ilert: its older dead letter must not reopen it.
    expect((await postEvents(c, { mcp_id: 'cc-2', event_type: 'resolve' })).status).toBe(202)
    await waitFor('cc-2 resolved in ilert', async () => received('cc-2').length === 1 && (await c.metric('mcp_out_success_total')) >= 1)
    const cc2 = kept.filter((d) => d.laneKey === 'cc-2').map((d) => d.id)
    const r = await (await fetch(`${c.bound.http.url}/admin/dead-letters/replay`, { method: 'POST', body: '{"all":true}' })).json()
    expect(r).toEqual({ replayed: ids.length - cc2.length, superseded: cc2, invalid: [] })
    await waitFor('every replayed event delivered', () => received('cc-1').length === 2 && ['cc-3', 'cc-4'].every((k) => received(k).length === 1))
    // Each went back at its place: cc-1's two events reach ilert in the order they arrived.
    expect(received('cc-1')).toEqual(['one', 'two'])
    expect(received('cc-2')).toHaveLength(1) // the RESOLVE only: the superseded ALERT stayed a dead letter
    expect((await deadLetters(c)).map((d) => d.id)).toEqual(cc2)
  } finally {
    await c.stop()
  }
})

test('an event with its own integration key whose priority no longer maps: dead-lettered with its key masked in listings, replayed once it maps again', async () => {
  const path = join(dir, 'queue-priority')
  const begin = (map: Record<string, string>, sim: SimOptions = {}) =>
    startStack({ config: { queue: { durable: true, path }, mapping: { priority_map: map }, dispatch: { drain_timeout_seconds: 0.2 } }, sim })
  const mapped = { '4': 'low' }
  const event = { mcp_id: 'pm-1', summary: 'fan speed low', priority: 4, integration_key: OWN_KEY }
  const a = await begin(mapped, { faults: { forceStatus: 503 } })
  try {
    expect((await postEvents(a, event)).status).toBe(202)
  } finally {
    await a.stop()
  }
  // Priority 4 no longer maps to a level ilert knows (a loaded config file would have dropped the
  // key from priority_map; these tests build the config object directly, where maps merge).
  const b = await begin({ '4': 'retired' })
  try {
    const [d, ...more] = await deadLetters(b)
    expect(more).toEqual([])
    expect(d).toMatchObject({ reason: 'replay_invalid', laneKey: 'pm-1', count: 1 })
    expect(d!.lastAnswer).toContain('priority')
    expect(JSON.stringify(await deadLetters(b))).not.toContain(OWN_KEY) // masked, in the preview and in the received text
    expect(JSON.parse(d!.received!)).toMatchObject({ mcp_id: 'pm-1', summary: 'fan speed low', priority: 4 })
  } finally {
    await b.stop()
  }
  const c = await begin(mapped)
  try {
    const r = await (await fetch(`${c.bound.http.url}/admin/dead-letters/replay`, { method: 'POST', body: '{"all":true}' })).json()
    expect(r).toMatchObject({ replayed: 1, invalid: [] })
    await waitFor('pm-1 delivered', () => c.sim.events().some((e) => e.alertKey === 'pm-1' && e.summary === 'fan speed low'))
  } finally {
    await c.stop()
  }
})
