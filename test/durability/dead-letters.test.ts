/**
 * Dead letters in the durable store: an event ilert refuses is kept with the reason and ilert's
 * answer, survives a restart, is listed by the admin API and the CLI (keys masked), and can be
 * replayed (delivered once ilert accepts it) or purged.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postEvents, type Stack, startStack, TEST_KEY, waitFor } from '../helpers/harness'
import { deadLettersCli } from '../helpers/bridge-process'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-dl-'))
const queuePath = join(dir, 'queue')
let stack: Stack
beforeAll(async () => {
  stack = await startStack({ config: { queue: { durable: true, path: queuePath } }, sim: { faults: { forceStatus: 400 } } })
})
afterAll(async () => {
  await stack.stop()
  rmSync(dir, { recursive: true, force: true })
})

const cli = (...args: string[]) => deadLettersCli(dir, queuePath, ...args)

test('a refused event is kept with the reason and ilert answer; admin API and CLI list it, keys masked', async () => {
  expect((await postEvents(stack, [{ mcp_id: 'dl-a', summary: 'a' }, { mcp_id: 'dl-b', summary: 'b' }])).status).toBe(202)
  await waitFor('two dead letters', () => stack.app.deadLetters.size === 2)
  const api = (await (await fetch(`${stack.bound.http.url}/admin/dead-letters`)).json()) as any
  expect(api.size).toBe(2)
  expect(api.items.map((d: any) => d.event.alertKey).sort()).toEqual(['dl-a', 'dl-b'])
  expect(api.items[0]).toMatchObject({ reason: 'status_400', attempts: 1 })
  expect(api.items[0].lastAnswer).toContain('HTTP 400')
  expect(JSON.stringify(api)).not.toContain(TEST_KEY)

  const listed = await cli('list')
  expect(listed.code).toBe(0)
  const lines = listed.out.trim().split('\n').map((l) => JSON.parse(l))
  expect(lines.map((d) => d.event.alertKey).sort()).toEqual(['dl-a', 'dl-b'])
  expect(listed.out).not.toContain(TEST_KEY)
  expect(await stack.metric('mcp_dead_letters')).toBe(2)
})

test('replay through the CLI beside the running bridge: delivered once ilert accepts it', async () => {
  stack.sim.setFaults({ forceStatus: undefined })
  const id = ((await (await fetch(`${stack.bound.http.url}/admin/dead-letters`)).json()) as any).items.find((d: any) => d.event.alertKey === 'dl-a').id
  const r = await cli('replay', '--id', String(id))
  expect(r).toMatchObject({ code: 0, out: 'replayed 1\n' })
  await waitFor('dl-a delivered', () => stack.sim.alerts().some((a) => a.alertKey === 'dl-a'), 10_000)
  expect(stack.app.deadLetters.size).toBe(1)
})

test('replay and purge through the admin API', async () => {
  const bad = await fetch(`${stack.bound.http.url}/admin/dead-letters/purge`, { method: 'POST', body: '{"ids":"x"}' })
  expect(bad.status).toBe(400)
  stack.sim.setFaults({ forceStatus: 400 })
  await postEvents(stack, { mcp_id: 'dl-c', summary: 'c' })
  await waitFor('dl-c dead', () => stack.app.deadLetters.size === 2)
  const purge = await fetch(`${stack.bound.http.url}/admin/dead-letters/purge`, { method: 'POST', body: JSON.stringify({ ids: [(stack.app.deadLetters.list().find((d) => d.event.alertKey === 'dl-c'))!.id] }) })
  expect(await purge.json()).toEqual({ purged: 1 })
  stack.sim.setFaults({ forceStatus: undefined })
  const replay = await fetch(`${stack.bound.http.url}/admin/dead-letters/replay`, { method: 'POST', body: '{"all":true}' })
  expect(await replay.json()).toEqual({ replayed: 1, superseded: [], invalid: [] })
  await waitFor('dl-b delivered', () => stack.sim.alerts().some((a) => a.alertKey === 'dl-b'))
  expect(stack.sim.alerts().some((a) => a.alertKey === 'dl-c')).toBe(false)
  expect(stack.app.deadLetters.size).toBe(0)
})

test('the CLI explains what it needs', async () => {
  expect((await cli('replay')).code).toBe(2)
  expect((await cli('frobnicate')).err).toContain('expected list, replay or purge')
})
