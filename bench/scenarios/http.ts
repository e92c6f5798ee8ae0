/**
 * Scenario 2, HTTP ingest: POST /events with keep-alive, driven by wrk (one thread, pinned to the
 * load core, bench/wrk/post-bodies.lua), once with one event per request and once with 100 events
 * per body (a JSON array). The bridge against a bare Bun.serve handler that reads the same body,
 * JSON.parses it and answers 202 (baselines/http-bare.ts). Same bodies, connections and duration.
 * Modes: in memory, durable with queue.sync full (the default) and normal, default capacity.
 * Targets (issue 10): single events >= 80 % of bare Bun.serve (requests/s) in memory, >= 75 %
 * durable; 100 per body >= 80 % of bare (events/s) in memory, >= 70 % durable.
 *
 * Checks: wrk saw no socket error and no non-2xx answer; the receiver counted between
 * requests x events-per-body and (requests + connections) x events-per-body events (wrk does not
 * count the requests still in flight when it stops); the bridge rejected nothing.
 */
import { createSimulator } from '../../src/simulator/simulator'
import { bridgeConfig, queueModes, startBridge, writeConfig } from '../lib/bridge'
import {
  BENCH,
  BUN,
  type Check,
  join,
  log,
  machine,
  median,
  metricSum,
  parseFlags,
  pinned,
  pinSelf,
  resetPeakRss,
  round,
  rssSampler,
  runScenario,
  scratch,
  spawnChild,
  SUT_CORE,
  target,
  type Target,
  writeResult,
} from '../lib/common'
import { httpBodies } from '../lib/events'
import { runWrk, writeBodies, wrkAvailable, wrkErrors, type WrkResult } from '../lib/wrk'

interface Measured {
  requestsPerSec: number
  eventsPerSec: number
  requests: number
  latencyMs: { p50: number; p99: number; p999: number }
  peakRssMB: number
}

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const SECONDS = quick ? 2 : 10
  const WARMUP = quick ? 0 : 1
  const CONNS = 50
  const REPS = quick ? 1 : 2
  const KEYS = 10_000
  const modes = queueModes(flags.durable)
  const started = performance.now()
  const checks: Check[] = []
  const targets: Target[] = []
  const results: Record<string, unknown> = {}
  const params = { connections: CONNS, wrkThreads: 1, seconds: SECONDS, warmupSeconds: WARMUP, repetitions: REPS, statistic: 'median of repetitions', alertKeys: KEYS, durableModes: modes }
  const base = { scenario: 'http', title: 'HTTP ingest (POST /events, keep-alive, wrk)', mode: quick ? ('quick' as const) : ('full' as const) }
  if (!wrkAvailable()) {
    return writeResult(
      { ...base, machine: machine(), params, results, targets, checks: [{ name: 'wrk available', ok: false, detail: 'wrk is not installed (bench/run.ts installs it with apt-get)' }], skipped: [{ what: 'http scenario', why: 'wrk not installed' }] },
      quick,
    )
  }
  const tmp = scratch('http')
  const variants = [
    { name: 'single', perBody: 1, file: writeBodies(tmp.dir, 'single', httpBodies(10_000, 1, KEYS)) },
    { name: 'batch100', perBody: 100, file: writeBodies(tmp.dir, 'batch100', httpBodies(500, 100, KEYS)) },
  ]
  const sim = createSimulator({ address: '127.0.0.1', port: 0 }) // ilert's limits: 50/min per key
  const { url: simUrl } = await sim.start()

  /** Warm-up, then the measured run; `count()` reads the receiver's event counter. */
  async function measure(who: string, url: string, pid: number, v: (typeof variants)[number], count: () => Promise<number>): Promise<Measured> {
    if (WARMUP > 0) {
      await runWrk({ url, bodiesFile: v.file, connections: CONNS, seconds: WARMUP })
      await Bun.sleep(200)
    }
    const before = await count()
    resetPeakRss(pid)
    const rss = rssSampler(pid)
    const w: WrkResult = await runWrk({ url, bodiesFile: v.file, connections: CONNS, seconds: SECONDS })
    const peak = rss.stop()
    await Bun.sleep(200)
    const counted = (await count()) - before
    const lo = w.requests * v.perBody
    const hi = (w.requests + CONNS) * v.perBody
    checks.push({ name: `${who} ${v.name}: no wrk errors or non-2xx`, ok: wrkErrors(w) === 0, detail: JSON.stringify(w.errors) })
    checks.push({ name: `${who} ${v.name}: events counted match requests`, ok: counted >= lo && counted <= hi, detail: `counted ${counted}, expected ${lo}..${hi}` })
    return {
      requestsPerSec: Math.round(w.requestsPerSec),
      eventsPerSec: Math.round(w.requestsPerSec * v.perBody),
      requests: w.requests,
      latencyMs: { p50: round(w.latencyUs.p50 / 1000, 3), p99: round(w.latencyUs.p99 / 1000, 3), p999: round(w.latencyUs.p999 / 1000, 3) },
      peakRssMB: round(peak),
    }
  }

  /** Median of each figure over the repetitions (the run with the median rate is kept whole). */
  const med = (runs: Measured[]): Measured & { runs: number[] } => {
    const sorted = [...runs].sort((a, b) => a.requestsPerSec - b.requestsPerSec)
    const mid = sorted[Math.floor((sorted.length - 1) / 2)]!
    const rps = median(runs.map((r) => r.requestsPerSec))
    const perBody = mid.eventsPerSec / mid.requestsPerSec
    return { ...mid, requestsPerSec: Math.round(rps), eventsPerSec: Math.round(rps * perBody), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)), runs: runs.map((r) => r.requestsPerSec) }
  }

  for (const v of variants) {
    // Baseline and the bridge in each durability mode, alternating, each a fresh process.
    const bareRuns: Measured[] = []
    const bridgeRuns: Record<string, Measured[]> = Object.fromEntries(modes.map((m) => [m, []]))
    for (let rep = 1; rep <= REPS; rep++) {
      const bare = spawnChild(pinned(SUT_CORE, [BUN, join(BENCH, 'baselines', 'http-bare.ts')]), { readyJson: true })
      const { port } = (await bare.ready) as { port: number }
      const bareUrl = `http://127.0.0.1:${port}`
      try {
        bareRuns.push(await measure('bare Bun.serve', bareUrl, bare.pid, v, async () => ((await (await fetch(`${bareUrl}/count`)).json()) as { events: number }).events))
      } finally {
        await bare.kill()
      }
      log(`http ${v.name} rep ${rep}: bare Bun.serve ${bareRuns.at(-1)!.requestsPerSec} req/s, ${bareRuns.at(-1)!.eventsPerSec} ev/s`)
      for (const mode of modes) {
        // The default queue.capacity: it counts pending calls (about one per alert key), not events.
        const cfg = writeConfig(tmp.dir, `bridge-${v.name}-${mode}-${rep}`, bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `data-${v.name}-${mode}-${rep}`) }))
        const b = await startBridge(cfg)
        try {
          const m = await measure(`bridge (durable ${mode})`, b.httpUrl, b.pid, v, () => b.metric('mcp_in_events_total', { transport: 'http' }))
          bridgeRuns[mode]!.push(m)
          const rejected = metricSum(await b.metrics(), 'mcp_rejected_events_total')
          checks.push({ name: `bridge (durable ${mode}) ${v.name} rep ${rep}: nothing rejected`, ok: rejected === 0, detail: `rejected ${rejected}` })
          log(`http ${v.name} rep ${rep}: bridge (durable ${mode}) ${m.requestsPerSec} req/s, ${m.eventsPerSec} ev/s = ${round((100 * m.requestsPerSec) / bareRuns.at(-1)!.requestsPerSec)} % of bare`)
        } finally {
          await b.stop()
        }
      }
    }
    const bareM = med(bareRuns)
    const entry: Record<string, unknown> = { baseline: { name: 'bare Bun.serve (read body, JSON.parse, 202)', ...bareM } }
    for (const mode of modes) {
      const m = med(bridgeRuns[mode]!)
      const ratio = v.perBody === 1 ? m.requestsPerSec / bareM.requestsPerSec : m.eventsPerSec / bareM.eventsPerSec
      entry[`bridge_durable_${mode}`] = { ...m, ratio: round(ratio, 3) }
      // Issue 10: 1/req >= 0.80x in memory, 0.75x durable; 100/body >= 0.80x in memory, 0.70x durable.
      // Durable with sync normal is reported beside them, without a target of its own.
      if (mode === 'on_normal') continue
      if (v.perBody === 1) targets.push(target(`HTTP single events, durable ${mode}: bridge / bare Bun.serve (req/s)`, ratio, 'ratio', '>=', mode === 'off' ? 0.8 : 0.75))
      else targets.push(target(`HTTP 100 events per body, durable ${mode}: bridge / bare Bun.serve (events/s)`, ratio, 'ratio', '>=', mode === 'off' ? 0.8 : 0.7))
    }
    results[v.name] = entry
  }
  await sim.stop()
  tmp.cleanup()
  return writeResult({ ...base, machine: machine(), durationSeconds: round((performance.now() - started) / 1000), params, results, targets, checks }, quick)
})
