// A call whose body lives only on disk (queue.max_memory_bytes) is read back before it leaves.
// When that read fails, the dispatcher must not send the skeleton it holds: the call waits, the
// failure is logged, and it leaves whole once the file reads again. Real LogStore, dispatcher and
// simulator over a socket.
import { afterEach, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IlertEventBody } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import { LogStore } from '../../src/queue/log-store'
import { createSimulator } from '../../src/simulator/simulator'
import { dispatcherFor, MARGIN_MS, until } from '../storm/helpers'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

test('a spilled call whose body cannot be read back waits and is logged, then leaves whole once the file reads again', async () => {
  const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 50, windowMs: 60_000 } })
  const { url } = await sim.start()
  cleanup.push(() => sim.stop())
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-spill-dispatch-'))
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'queue')
  // A bound of one byte: every pending call keeps only a skeleton and the place of its record.
  const store = new LogStore({ path, capacity: 1000, sync: 'normal', segmentBytes: 1 << 20, maxDiskBytes: 0, maxMemoryBytes: 1, rate: { perKey: 50, windowMs: 60_000, marginMs: MARGIN_MS }, decodeRaw: (t) => JSON.parse(t) as IlertEventBody })
  cleanup.push(() => store.close())
  const body: IlertEventBody = { integrationKey: 'il1api-spill-dispatch', eventType: 'ALERT', summary: 'disk /var is 97 % full', details: 'host db-01, mount /var', alertKey: 'db-01-disk' }
  store.offer({ id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }, JSON.stringify(body))
  expect(store.commit()).toMatchObject({ kind: 'ok' })
  const entry = store.table.laneOf(body.integrationKey, 'db-01-disk')!.entries[0]!
  expect(entry.spill).toBeDefined()
  expect(entry.body.summary).toBe('') // the skeleton
  // The segment that holds the record is cut short: the read back fails.
  const segment = join(path, readdirSync(path).find((f) => f.endsWith('.wal'))!)
  const saved = readFileSync(segment)
  truncateSync(segment, 0)

  const { dispatcher, log } = dispatcherFor(store, url, { perKey: 50, windowMs: 60_000 })
  cleanup.push(() => dispatcher.stop())
  dispatcher.schedule() // as App.start() does once the store has recovered
  await until('the failed read to be logged', () => log.lines.some((l) => l.includes('Could not read a queued call back')))
  await Bun.sleep(300)
  expect(sim.events()).toHaveLength(0) // no skeleton reached ilert
  expect(store.table.entries).toBe(1)

  writeFileSync(segment, saved)
  await until('the call to reach ilert', () => sim.events().length === 1, 10_000)
  expect(sim.events()[0]!.body).toMatchObject({ summary: 'disk /var is 97 % full', details: 'host db-01, mount /var', alertKey: 'db-01-disk' })
  await until('the lane to empty', () => store.table.entries === 0)
}, 30_000) // waits for a retry of about 5 s: past bun test's default when run alone
