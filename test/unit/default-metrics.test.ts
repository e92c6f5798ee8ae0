// The process and runtime metrics the bridge serves (src/observability/prom.ts): prom-client's
// defaults, less those that cost a whole-heap walk in Bun on every scrape (V8 heap spaces), with
// the process CPU counters written here. A scrape must not walk the heap: with a storm's lanes
// alive that blocked the event loop for 150 ms per scrape.
import { expect, test } from 'bun:test'
import v8 from 'node:v8'
import { App } from '../../src/app'
import { createMemoryLogger } from '../../src/observability/logger'
import { collectDefaultMetrics, Registry } from '../../src/observability/prom'
import { testConfig } from '../helpers/harness'

test('a scrape of the default metrics never asks for heap statistics (a whole-heap walk in Bun)', async () => {
  const r = new Registry()
  collectDefaultMetrics({ register: r })
  const calls = { spaces: 0, stats: 0 }
  const spaces = v8.getHeapSpaceStatistics
  const stats = v8.getHeapStatistics
  v8.getHeapSpaceStatistics = (() => (calls.spaces++, spaces())) as typeof spaces
  v8.getHeapStatistics = (() => (calls.stats++, stats())) as typeof stats
  let text: string
  try {
    text = await r.metrics()
  } finally {
    v8.getHeapSpaceStatistics = spaces
    v8.getHeapStatistics = stats
  }
  expect(calls).toEqual({ spaces: 0, stats: 0 })
  expect(text).not.toContain('nodejs_heap_space_size')
  // What stays: heap totals from process.memoryUsage, RSS, fds, event-loop lag, the CPU counters.
  for (const name of ['nodejs_heap_size_used_bytes', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'process_start_time_seconds']) {
    expect(text).toMatch(new RegExp(`^${name} `, 'm'))
  }
  const cpu = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
  expect(cpu('process_cpu_seconds_total')).toBeCloseTo(cpu('process_cpu_user_seconds_total') + cpu('process_cpu_system_seconds_total'), 6)
})

test('a bridge scraped the moment it is ready already serves the process metrics (registered after the listeners bind)', async () => {
  const app = new App(testConfig({ metrics: { enabled: true } }), { logger: createMemoryLogger('error'), registry: new Registry(), defaultMetrics: true })
  const bound = await app.start()
  try {
    const text = await (await fetch(bound.metrics!.url)).text()
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) expect(text).toMatch(new RegExp(`^${name} `, 'm'))
    // Registered once, whichever came first (the scrape or the App's own deferred task).
    await Bun.sleep(20)
    const again = await (await fetch(bound.metrics!.url)).text()
    expect(again.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1)
  } finally {
    await app.stop()
  }
})
