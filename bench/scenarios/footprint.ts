/**
 * Scenario 5, footprint: the product's own entry point (`bun src/main.ts --config FILE`, pinned to
 * the system-under-test core) against a bare Bun.serve process (baselines/http-bare.ts):
 *   - cold start to ready: from spawn to the first 200 on GET /readyz (polled from the load core),
 *     median of several starts, from source and as the compiled binary (`bun build` with a release's
 *     COMPILE_FLAGS, built once per run). Targets (issue 10): <= 150 ms from source, <= 100 ms binary;
 *   - RSS idle: two seconds after ready, from source and of the binary (target <= 45 MB);
 *   - RSS under load: peak during a TCP ingest run (the bare TCP loop as its baseline), same
 *     settings as the TCP scenario.
 * Checks: every start answered ready; the load run was fully acknowledged on both sides.
 */
import { COMPILE_FLAGS } from '../../scripts/build-release'
import { createSimulator } from '../../src/simulator/simulator'
import { BENCH_KEY, bridgeConfig, durableSupported, writeConfig } from '../lib/bridge'
import {
  BENCH,
  BUN,
  type Check,
  freePort,
  join,
  log,
  machine,
  median,
  parseFlags,
  pinned,
  pinSelf,
  readRss,
  resetPeakRss,
  ROOT,
  round,
  rssSampler,
  runScenario,
  scratch,
  sleep,
  spawnChild,
  SUT_CORE,
  target,
  type Target,
  writeResult,
} from '../lib/common'
import { ingestBlock } from '../lib/events'
import { cyclePlans, sendNdjson } from '../lib/tcp-client'

/** Spawns `cmd` and polls `readyUrl` until it answers 200; returns ms from spawn to ready. */
async function coldStart(cmd: string[], readyUrl: string): Promise<{ ms: number; child: ReturnType<typeof spawnChild> }> {
  const t0 = performance.now()
  const child = spawnChild(cmd)
  for (;;) {
    try {
      const r = await fetch(readyUrl)
      if (r.status === 200) {
        await r.arrayBuffer()
        return { ms: performance.now() - t0, child }
      }
      await r.arrayBuffer()
    } catch {
      /* not listening yet */
    }
    if (child.proc.exitCode !== null) throw new Error(`${cmd.join(' ')} exited (${child.proc.exitCode}): ${child.stderrTail()}`)
    if (performance.now() - t0 > 30_000) throw new Error(`${cmd.join(' ')} not ready after 30 s`)
    await sleep(1)
  }
}

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const STARTS = quick ? 3 : 10
  const LOAD_EVENTS = quick ? 200_000 : 1_000_000
  const IDLE_MS = quick ? 1000 : 2000
  const modes = flags.durable ?? (durableSupported() ? (['off', 'on'] as const) : (['off'] as const))
  const started = performance.now()
  const checks: Check[] = []
  const targets: Target[] = []
  const results: Record<string, unknown> = {}
  const tmp = scratch('footprint')
  const sim = createSimulator({ address: '127.0.0.1', port: 0 })
  const { url: simUrl } = await sim.start()
  // The compiled binary as a release builds it (scripts/build-release.ts), once, outside any measurement.
  const binary = join(tmp.dir, 'mcp-ilert')
  const build = Bun.spawnSync([BUN, 'build', ...COMPILE_FLAGS, join(ROOT, 'src', 'main.ts'), '--outfile', binary], { stdout: 'ignore', stderr: 'pipe' })
  checks.push({ name: `bun build ${COMPILE_FLAGS.join(' ')} src/main.ts`, ok: build.exitCode === 0, detail: build.exitCode === 0 ? undefined : build.stderr.toString().slice(-500) })
  const block = ingestBlock(10_000, 10_000)
  const plans = cyclePlans(block, LOAD_EVENTS, 4)

  // Baseline: bare Bun.serve process.
  {
    const starts: number[] = []
    let idle = NaN
    for (let i = 0; i < STARTS; i++) {
      const port = freePort()
      const { ms, child } = await coldStart(pinned(SUT_CORE, [BUN, join(BENCH, 'baselines', 'http-bare.ts'), '--port', String(port)]), `http://127.0.0.1:${port}/readyz`)
      starts.push(ms)
      if (i === 0) {
        await sleep(IDLE_MS)
        idle = readRss(child.pid)?.rssMB ?? NaN
      }
      await child.kill()
    }
    // Under load: the bare TCP loop.
    const child = spawnChild(pinned(SUT_CORE, [BUN, join(BENCH, 'baselines', 'tcp-bare.ts')]), { readyJson: true })
    const { port } = (await child.ready) as { port: number }
    resetPeakRss(child.pid)
    const rss = rssSampler(child.pid)
    const r = await sendNdjson('127.0.0.1', port, plans, { acks: true, timeoutMs: 300_000 })
    const loaded = rss.stop()
    await child.kill()
    checks.push({ name: `bare loop: ${LOAD_EVENTS} lines acked`, ok: r.acked === LOAD_EVENTS, detail: `acked ${r.acked}` })
    results.baseline = {
      name: 'bare Bun.serve (cold start, idle) / bare Bun.listen loop (under load)',
      coldStartMs: { median: round(median(starts)), min: round(Math.min(...starts)), max: round(Math.max(...starts)), runs: starts.map((s) => round(s)) },
      idleRssMB: round(idle),
      loadPeakRssMB: round(loaded),
    }
    log(`footprint baseline: cold start median ${round(median(starts))} ms, idle ${round(idle)} MB, under load ${round(loaded)} MB`)
  }
  const base = results.baseline as { coldStartMs: { median: number }; idleRssMB: number; loadPeakRssMB: number }

  for (const mode of modes) {
    const starts: number[] = []
    let idle = NaN
    let loaded = NaN
    for (let i = 0; i < STARTS; i++) {
      const ports = { http: freePort(), tcp: freePort(), metrics: freePort() }
      const cfg = writeConfig(
        tmp.dir,
        `main-${mode}-${i}`,
        bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `data-${mode}-${i}`), ports }),
      )
      const { ms, child } = await coldStart(pinned(SUT_CORE, [BUN, join(ROOT, 'src', 'main.ts'), '--config', cfg]), `http://127.0.0.1:${ports.http}/readyz`)
      starts.push(ms)
      try {
        if (i === 0) {
          await sleep(IDLE_MS)
          idle = readRss(child.pid)?.rssMB ?? NaN
          resetPeakRss(child.pid)
          const rss = rssSampler(child.pid)
          const r = await sendNdjson('127.0.0.1', ports.tcp, plans, { acks: true, timeoutMs: 600_000 })
          loaded = rss.stop()
          checks.push({ name: `main.ts (durable ${mode}): ${LOAD_EVENTS} lines acked and accepted`, ok: r.acked === LOAD_EVENTS && r.accepted === LOAD_EVENTS, detail: `acked ${r.acked}, accepted ${r.accepted}` })
        }
      } finally {
        await child.kill()
      }
    }
    checks.push({ name: `main.ts (durable ${mode}): ${STARTS} starts reached ready`, ok: starts.length === STARTS })
    // The compiled binary: cold start and idle RSS only (its hot path is the same code).
    const binStarts: number[] = []
    let binIdle = NaN
    if (build.exitCode === 0) {
      for (let i = 0; i < STARTS; i++) {
        const ports = { http: freePort(), tcp: freePort(), metrics: freePort() }
        const cfg = writeConfig(tmp.dir, `bin-${mode}-${i}`, bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `bin-data-${mode}-${i}`), ports }))
        const { ms, child } = await coldStart(pinned(SUT_CORE, [binary, '--config', cfg]), `http://127.0.0.1:${ports.http}/readyz`)
        binStarts.push(ms)
        if (i === 0) {
          await sleep(IDLE_MS)
          binIdle = readRss(child.pid)?.rssMB ?? NaN
        }
        await child.kill()
      }
      const binMed = median(binStarts)
      log(`footprint binary (durable ${mode}): cold start median ${round(binMed)} ms, idle ${round(binIdle)} MB`)
      targets.push(target(`cold start to ready, compiled binary, durable ${mode} (median)`, binMed, 'ms', '<=', 100))
      targets.push(target(`RSS idle, compiled binary, durable ${mode}`, binIdle, 'MB', '<=', 45))
    }
    const med = median(starts)
    results[`bridge_durable_${mode}`] = {
      coldStartMs: { median: round(med), min: round(Math.min(...starts)), max: round(Math.max(...starts)), runs: starts.map((s) => round(s)) },
      coldStartVsBaseline: round(med / base.coldStartMs.median, 2),
      idleRssMB: round(idle),
      idleVsBaseline: round(idle / base.idleRssMB, 2),
      loadPeakRssMB: round(loaded),
      loadVsBaseline: round(loaded / base.loadPeakRssMB, 2),
      binary:
        binStarts.length > 0
          ? { coldStartMs: { median: round(median(binStarts)), min: round(Math.min(...binStarts)), max: round(Math.max(...binStarts)), runs: binStarts.map((s) => round(s)) }, idleRssMB: round(binIdle) }
          : undefined,
    }
    log(`footprint main.ts (durable ${mode}): cold start median ${round(med)} ms, idle ${round(idle)} MB, under load ${round(loaded)} MB`)
    targets.push(target(`cold start to ready, durable ${mode} (median)`, med, 'ms', '<=', 150))
    targets.push(target(`RSS idle, durable ${mode}`, idle, 'MB', '<=', 45))
  }
  await sim.stop()
  tmp.cleanup()
  void BENCH_KEY
  return writeResult(
    {
      scenario: 'footprint',
      title: 'Footprint: cold start, RSS idle and under load',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: { starts: STARTS, entry: `bun src/main.ts --config FILE; the same built with bun build ${COMPILE_FLAGS.join(' ')}`, ready: 'first 200 on GET /readyz, polled every ~1 ms', loadEvents: LOAD_EVENTS, idleAfterMs: IDLE_MS, durableModes: modes },
      results,
      targets,
      checks,
    },
    quick,
  )
})
