/**
 * Bench-only entry for the bridge: loads a config file through the product's own loader, builds
 * `new App(config)` exactly as src/main.ts does, starts it and prints one JSON line with the bound
 * addresses on stdout. Differences from src/main.ts, all for measuring:
 *   - a control server (GET /clock: this process's wall clock, for cross-process latency);
 *   - with --stamp, the product's acceptance time (QueuedEvent.acceptedAt, taken in accept()) is
 *     copied into the event's custom details as `bench_accepted_ms`, so the simulator can compute
 *     acceptance → receipt. Only the latency scenario uses it;
 *   - SIGTERM exits at once (no drain): the benchmark has read what it needs by then.
 *
 * Usage: bun bench/lib/bridge-runner.ts --config FILE [--stamp]
 */
import { App } from '../../src/app'
import { loadConfig } from '../../src/config/load'
import { createLogger } from '../../src/observability/logger'

const argv = process.argv.slice(2)
const file = argv[argv.indexOf('--config') + 1]
if (!argv.includes('--config') || !file) {
  process.stderr.write('usage: bridge-runner.ts --config FILE [--stamp]\n')
  process.exit(2)
}
const t0 = performance.now()
const loaded = loadConfig({ file, env: {} })
if (loaded.kind === 'error') {
  process.stderr.write(`config: ${loaded.message}\n`)
  process.exit(2)
}
const config = loaded.config
const app = new App(config, { logger: createLogger(config.logging.level), defaultMetrics: true })

const bound = await app.start()
if (argv.includes('--stamp')) {
  // The store (memory or the write-ahead log) is opened by start(); wrap its offer on this
  // instance only, before any event can arrive (the benchmark sends after the ready line).
  const store = (app as unknown as { store: { offer(ev: { acceptedAt: number; body: { customDetails?: Record<string, unknown> } }, raw?: string): unknown } }).store
  const offer = store.offer.bind(store)
  const origin = performance.timeOrigin
  store.offer = (ev, raw) => {
    const cd = ev.body.customDetails ?? (ev.body.customDetails = {})
    cd.bench_accepted_ms = origin + ev.acceptedAt
    return offer(ev, raw)
  }
}
const control = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    const path = new URL(req.url).pathname
    if (path === '/clock') return new Response(String(performance.timeOrigin + performance.now()))
    return new Response('not found', { status: 404 })
  },
})
process.on('SIGTERM', () => process.exit(0))
process.on('SIGINT', () => process.exit(0))
process.stdout.write(
  JSON.stringify({
    ready: true,
    pid: process.pid,
    startMs: Math.round((performance.now() - t0) * 10) / 10,
    http: bound.http.url,
    tcpPort: bound.tcp?.port,
    metrics: bound.metrics?.url,
    control: `http://127.0.0.1:${control.port}`,
    durable: (config as { queue: { durable?: boolean } }).queue.durable ?? false,
  }) + '\n',
)
