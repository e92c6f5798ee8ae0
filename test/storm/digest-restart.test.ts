// A storm digest open in ilert when the bridge stops must not stay open for good: the durable
// store keeps which sources have one open, and the next start resolves it once the storm is over
// (or at once, with the digest turned off). Real LogStore on disk, real dispatcher and simulator.
import { afterEach, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DIGEST_ALERT_KEY } from '../../src/dispatch/storm-digest'
import type { IlertEventBody } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import { LogStore } from '../../src/queue/log-store'
import { createSimulator, type Simulator } from '../../src/simulator/simulator'
import { dispatcherFor, MARGIN_MS, until } from './helpers'

const IK = 'il1api-storm-restart'
const WINDOW = 200
const dirs: string[] = []
const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function bridge(url: string, path: string, storm: { enabled: boolean; maxDelayMs: number }) {
  const store = new LogStore({
    path,
    capacity: 10_000,
    sync: 'normal',
    segmentBytes: 1 << 20,
    maxDiskBytes: 0,
    maxMemoryBytes: 1 << 30,
    rate: { perKey: 5, windowMs: WINDOW, marginMs: MARGIN_MS },
    decodeRaw: (t) => JSON.parse(t) as IlertEventBody,
  })
  const { dispatcher } = dispatcherFor(store, url, { perKey: 5, windowMs: WINDOW, concurrency: 2, dispatcher: { storm: { ...storm, groupBy: [] } } })
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    dispatcher.stop() // no drain: the process ends here
    store.close()
  }
  cleanup.push(stop)
  return { store, dispatcher, stop }
}

const digestCalls = (sim: Simulator) => sim.events().filter((e) => e.alertKey === DIGEST_ALERT_KEY).map((e) => e.eventType)

for (const digestAfter of ['on', 'off'] as const) {
  test(`a digest open at a stop is resolved by the next start once the storm is over (digest ${digestAfter} after the restart)`, async () => {
    const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 5, windowMs: WINDOW } })
    const { url } = await sim.start()
    cleanup.push(() => sim.stop())
    const path = join(mkdtempSync(join(tmpdir(), 'mcp-ilert-digest-')), 'queue')
    dirs.push(path)

    // 40 calls at 5 per 220 ms: ~1.8 s to drain, over the 0.5 s threshold: the digest opens.
    const a = bridge(url, path, { enabled: true, maxDelayMs: 500 })
    for (let i = 0; i < 40; i++) {
      const body: IlertEventBody = { integrationKey: IK, eventType: 'ALERT', summary: `host ${i} down`, alertKey: `host-${i}` }
      a.store.offer({ id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }, JSON.stringify(body))
    }
    a.store.commit()
    await until('the digest open in ilert', () => sim.alerts().some((x) => x.alertKey === DIGEST_ALERT_KEY && x.status !== 'RESOLVED'))
    a.stop()
    expect(digestCalls(sim)).toEqual(['ALERT'])

    // The next start no longer sees a storm (a longer max delay, or the digest off): it resolves the digest.
    const b = bridge(url, path, { enabled: digestAfter === 'on', maxDelayMs: 600_000 })
    await until('the digest resolved', () => sim.alerts().find((x) => x.alertKey === DIGEST_ALERT_KEY)?.status === 'RESOLVED')
    expect(digestCalls(sim)).toEqual(['ALERT', 'RESOLVE'])
    await until('drained', () => b.store.table.entries === 0, 15_000)
    b.stop()

    // Resolved is kept too: a third start sends no digest call at all.
    const c = bridge(url, path, { enabled: digestAfter === 'on', maxDelayMs: 600_000 })
    await Bun.sleep(3 * WINDOW)
    expect(digestCalls(sim)).toEqual(['ALERT', 'RESOLVE'])
    c.stop()
  }, 30_000)
}
