/**
 * Starts the real bridge (App) against the real bundled ilert simulator, both on port 0 over
 * loopback, with a config built from the real schema's defaults plus the test's overrides.
 */
import { Value } from '@sinclair/typebox/value'
import { Registry } from 'prom-client'
import { App, type AppOptions, type BoundAddresses } from '../../src/app'
import { type Config, ConfigSchema } from '../../src/config/schema'
import { createMemoryLogger } from '../../src/observability/logger'
import { createSimulator } from '../../src/simulator/simulator'

export const TEST_KEY = 'il1api-test-key-0001'

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }

export function testConfig(overrides: DeepPartial<Config> = {}): Config {
  const base = Value.Default(ConfigSchema, Value.Clone({})) as Config
  const merged = deepMerge(base, {
    listen: { port: 0 },
    tcp: { port: 0 },
    metrics: { enabled: false, listen_port: 0 },
    ilert: { integration_key: TEST_KEY, timeout_seconds: 2, connect_timeout_seconds: 1 },
    retries: { base_interval_seconds: 0.02, max_interval_seconds: 0.2 },
    rate_limit: { margin_seconds: 0 },
    dispatch: { drain_timeout_seconds: 5 },
    logging: { level: 'debug' },
    // Tests opt into the durable store with their own temporary queue.path.
    queue: { durable: false },
  }) as Config
  return deepMerge(merged, overrides) as Config
}

function deepMerge(a: any, b: any): any {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return b === undefined ? a : b
  const out: any = { ...a }
  for (const k of Object.keys(b)) out[k] = deepMerge(a[k], b[k])
  return out
}

export type SimOptions = Parameters<typeof createSimulator>[0]

export async function startStack(opts: { config?: DeepPartial<Config>; sim?: SimOptions; app?: Pick<AppOptions, 'syncFn'> } = {}) {
  // openReads: these tests read /api/alerts without a key, as the README's curl quick start does.
  const sim = createSimulator({ address: '127.0.0.1', port: 0, openReads: true, ...opts.sim })
  const simBound = await sim.start()
  const config = testConfig(deepMerge({ ilert: { api_url: simBound.url } }, opts.config ?? {}))
  const log = createMemoryLogger('debug')
  const registry = new Registry()
  const app = new App(config, { logger: log, registry, ...opts.app })
  const bound: BoundAddresses = await app.start()
  let stopped = false
  return {
    app,
    sim,
    simUrl: simBound.url,
    bound,
    log,
    registry,
    eventsUrl: `${bound.http.url}/events`,
    async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
      const m = await registry.getSingleMetric(name)?.get()
      if (!m) throw new Error(`no metric ${name}`)
      return m.values
        .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
        .reduce((s, v) => s + v.value, 0)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await app.stop()
      await sim.stop()
    },
  }
}

export type Stack = Awaited<ReturnType<typeof startStack>>

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v as NonNullable<T>
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(20)
  }
}

export function postEvents(stack: Stack, body: unknown, contentType = 'application/json') {
  return fetch(stack.eventsUrl, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}
