/**
 * Starts the bridge under test as its own process, pinned to the system-under-test core:
 * a YAML config is generated from the product's schema defaults plus the scenario's overrides,
 * then bench/lib/bridge-runner.ts (or src/main.ts for cold-start timing) runs with it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ConfigSchema } from '../../src/config/schema'
import { BENCH, BUN, type Child, metricSum, pinned, readRss, scrape, spawnChild, SUT_CORE, type Samples, wallMs } from './common'

export const BENCH_KEY = 'il1api-bench-0000-0001'

type Overrides = Record<string, Record<string, unknown>>

/** True once the durable store (queue.durable) exists in the config schema. */
export function durableSupported(): boolean {
  const q = (ConfigSchema as unknown as { properties: Record<string, { properties?: Record<string, unknown> }> }).properties.queue
  return q?.properties?.durable !== undefined
}

/** The durable default of the schema (true: the write-ahead log is the default), or undefined. */
export function durableDefault(): boolean | undefined {
  const q = (ConfigSchema as unknown as { properties: Record<string, { properties?: Record<string, { default?: unknown }> }> }).properties.queue
  const d = q?.properties?.durable?.default
  return typeof d === 'boolean' ? d : undefined
}

/**
 * The queue modes an ingest scenario measures: in memory (`off`), durable with the default
 * queue.sync: full (`on`), and durable with queue.sync: normal (`on_normal`); results are keyed
 * `bridge_durable_<mode>`.
 */
export type QueueMode = 'off' | 'on' | 'on_normal'

export function queueModes(durable: ('on' | 'off')[] | undefined): QueueMode[] {
  return (durable ?? ['off', 'on']).flatMap((m): QueueMode[] => (m === 'on' ? ['on', 'on_normal'] : ['off']))
}

export const queueModeLabel = (m: QueueMode) => (m === 'off' ? 'in memory' : m === 'on' ? 'durable, sync full' : 'durable, sync normal')

export interface BridgeConfigOptions {
  simUrl: string
  /** `on`/`off` when the schema has queue.durable; `on_normal`: durable with queue.sync: normal. */
  durable?: QueueMode
  /** Directory for the durable store (required with durable 'on'). */
  dataDir?: string
  overrides?: Overrides
  ports?: { http?: number; tcp?: number; metrics?: number }
}

export function bridgeConfig(o: BridgeConfigOptions): Record<string, Record<string, unknown>> {
  const cfg: Overrides = {
    listen: { address: '127.0.0.1', port: o.ports?.http ?? 0 },
    tcp: { enabled: true, address: '127.0.0.1', port: o.ports?.tcp ?? 0 },
    metrics: { enabled: true, listen_address: '127.0.0.1', listen_port: o.ports?.metrics ?? 0 },
    ilert: { api_url: o.simUrl, integration_key: BENCH_KEY },
    logging: { level: 'warn' },
  }
  if (durableSupported()) {
    const durable = o.durable === 'on' || o.durable === 'on_normal'
    cfg.queue = { durable }
    if (durable) cfg.queue.path = o.dataDir ?? join(BENCH, 'results', 'tmp', 'data')
    if (o.durable === 'on_normal') cfg.queue.sync = 'normal'
  }
  for (const [section, values] of Object.entries(o.overrides ?? {})) cfg[section] = { ...cfg[section], ...values }
  return cfg
}

export function writeConfig(dir: string, name: string, cfg: object): string {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, stringify(cfg))
  return file
}

export interface Bridge {
  child: Child
  pid: number
  httpUrl: string
  tcpPort: number
  metricsUrl: string
  controlUrl: string
  durable: boolean
  /** Time from the runner's first line to bound listeners (a restart's recovery included), ms. */
  startMs: number
  metrics(): Promise<Samples>
  metric(name: string, labels?: Record<string, string>): Promise<number>
  rssMB(): number
  /** Offset of the bridge's wall clock from ours in ms (bridge = ours + offset), min-RTT estimate. */
  clockOffset(samples?: number): Promise<{ offsetMs: number; rttMs: number }>
  stop(): Promise<void>
}

export async function startBridge(configFile: string, opts: { stamp?: boolean } = {}): Promise<Bridge> {
  // BENCH_PROFILE_DIR=dir: the bridge writes a CPU profile (.cpuprofile + markdown) there on exit.
  const prof = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  const cmd = pinned(SUT_CORE, [BUN, ...prof, join(BENCH, 'lib', 'bridge-runner.ts'), '--config', configFile, ...(opts.stamp ? ['--stamp'] : [])])
  const child = spawnChild(cmd, { readyJson: true })
  const r = await child.ready
  const metricsUrl = r.metrics as string
  return {
    child,
    pid: child.pid,
    httpUrl: r.http,
    tcpPort: r.tcpPort,
    metricsUrl,
    controlUrl: r.control,
    durable: r.durable,
    startMs: r.startMs,
    metrics: () => scrape(metricsUrl),
    async metric(name, labels = {}) {
      return metricSum(await scrape(metricsUrl), name, labels)
    },
    rssMB: () => readRss(child.pid)?.rssMB ?? NaN,
    clockOffset: (n = 40) => clockOffset(`${r.control}/clock`, n),
    stop: () => child.kill('SIGTERM'),
  }
}

/** NTP-style offset against a peer's /clock: the sample with the smallest round trip wins. */
export async function clockOffset(url: string, samples = 40): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity }
  for (let i = 0; i < samples; i++) {
    const t0 = wallMs()
    const remote = Number(await (await fetch(url)).text())
    const t1 = wallMs()
    if (t1 - t0 < best.rttMs) best = { offsetMs: remote - (t0 + t1) / 2, rttMs: t1 - t0 }
  }
  return best
}
