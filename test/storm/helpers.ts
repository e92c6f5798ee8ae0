export interface RigOptions {
  perKey: number
  windowMs: number
  concurrency?: number
  dispatcher?: Partial<DispatcherOptions>
}

export const MARGIN_MS = 20

/** A real Dispatcher on `store`, delivering to the simulator at `url` with a small scaled budget. */
export function dispatcherFor(store: EventStore, url: string, o: RigOptions) {
  const log = createMemoryLogger('debug')
  const metrics = createMetrics(new Registry(), false)
  const client = createIlertClient({ apiUrl: url, userAgent: 'mcp-ilert-test', connectTimeoutMs: 1000, timeoutMs: 2000 })
  const dispatcher = new Dispatcher(store, client, new MemoryDeadLetters(100), metrics, log, {
    concurrency: o.concurrency ?? 1,
    perMinute: 100_000,
    perKeyPerMinute: o.perKey,
    windowMs: o.windowMs,
    marginMs: MARGIN_MS,
    backoff: { maxAttempts: 3, baseMs: 10, maxMs: 50 },
    cancelPairs: true,
    ...o.dispatcher,
  })
  return { dispatcher, log, metrics }
}

/** A Dispatcher on a MemoryStore against the real simulator, with a small scaled budget (issue 15 tests). */
import { Registry } from 'prom-client'
import { Dispatcher, type DispatcherOptions } from '../../src/dispatch/dispatcher'
import { createIlertClient } from '../../src/dispatch/ilert-client'
import { createMemoryLogger } from '../../src/observability/logger'
import { createMetrics } from '../../src/observability/metrics'
import type { IlertEventBody } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import { MemoryDeadLetters } from '../../src/queue/dead-letters'
import type { EventStore } from '../../src/queue/event-store'
import { MemoryStore } from '../../src/queue/memory-store'
import { createSimulator } from '../../src/simulator/simulator'

export async function rig(o: RigOptions & { baseline?: 'closed' | 'unknown' }) {
  const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: o.perKey, windowMs: o.windowMs } })
  const { url } = await sim.start()
  const store = new MemoryStore(100_000, { perKey: o.perKey, windowMs: o.windowMs, marginMs: MARGIN_MS })
  if (o.baseline) store.table.history.baseline = o.baseline
  const { dispatcher, log, metrics } = dispatcherFor(store, url, o)
  return {
    sim,
    store,
    dispatcher,
    log,
    metrics,
    /** Offers and commits events in one commit (one write: they enter the lanes together). */
    add(events: Partial<IlertEventBody>[]) {
      for (const e of events) {
        const body = { integrationKey: 'il1api-storm-unit', eventType: 'ALERT', summary: 's', ...e } as IlertEventBody
        store.offer({ id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }, undefined)
      }
      store.commit()
    },
    /** "alertKey:TYPE" of every call the simulator accepted, in arrival order. */
    calls: () => sim.events().map((e) => `${e.alertKey}:${e.eventType}`),
    async stop() {
      dispatcher.stop()
      await sim.stop()
    },
  }
}

export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(10)
  }
}
