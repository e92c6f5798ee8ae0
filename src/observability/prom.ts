/**
 * prom-client's classes, loaded from its own lib files rather than its index: the index also
 * loads the Pushgateway client (node:http, node:https, node:url), which the bridge never uses and
 * which costs about 20 ms of every cold start. Types come from the package as usual.
 */
import type * as Prom from 'prom-client'

export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram

type DefaultMetric = (register: Prom.Registry, config: { eventLoopMonitoringPrecision: number }) => void
/**
 * prom-client's default metrics, registered from their own files as its collectDefaultMetrics
 * does, with two exceptions:
 *   - the process CPU counters: its module loads @opentelemetry/api for exemplars (10 ms of every
 *     cold start, for a feature the bridge does not use); those three counters are written here,
 *     with the same names, help and values;
 *   - nodejs_heap_space_size_*: V8's heap spaces, which JSC does not have; Bun computes them by
 *     walking the whole heap, which blocked the event loop for 150 ms per scrape with 2 million
 *     objects alive (a storm's lanes), so every Prometheus scrape stalled ingest and delivery.
 *     nodejs_heap_size_total_bytes / used_bytes (process.memoryUsage, 0.03 ms) stay.
 */
export function collectDefaultMetrics(opts: { register: Prom.Registry }): void {
  const register = opts.register
  const config = { register, eventLoopMonitoringPrecision: 10 }
  processCpuCounters(register)
  // Literal requires, so `bun build --compile` bundles them (a computed path would be read from disk at run time).
  const metrics: DefaultMetric[] = [
    require('prom-client/lib/metrics/processStartTime'),
    require('prom-client/lib/metrics/osMemoryHeap'),
    require('prom-client/lib/metrics/processOpenFileDescriptors'),
    require('prom-client/lib/metrics/processMaxFileDescriptors'),
    require('prom-client/lib/metrics/eventLoopLag'),
    ...(typeof process.getActiveResourcesInfo === 'function' ? [require('prom-client/lib/metrics/processResources')] : []),
    require('prom-client/lib/metrics/processHandles'),
    require('prom-client/lib/metrics/processRequests'),
    require('prom-client/lib/metrics/heapSizeAndUsed'),
    require('prom-client/lib/metrics/version'),
    require('prom-client/lib/metrics/gc'),
  ]
  for (const m of metrics) m(register, config)
}

function processCpuCounters(register: Prom.Registry): void {
  let last = process.cpuUsage()
  const registers = [register]
  const system = new Counter({ name: 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', registers })
  const total = new Counter({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers })
  new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers,
    // This one counter's collect sets all three, as prom-client's own does.
    collect() {
      const now = process.cpuUsage()
      const user = (now.user - last.user) / 1e6
      const sys = (now.system - last.system) / 1e6
      last = now
      this.inc(user)
      system.inc(sys)
      total.inc(user + sys)
    },
  })
}

export type Registry = Prom.Registry
export type Counter<T extends string = string> = Prom.Counter<T>
export type Gauge<T extends string = string> = Prom.Gauge<T>
export type Histogram<T extends string = string> = Prom.Histogram<T>
