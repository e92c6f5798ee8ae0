/**
 * Scenario 7, a backlog larger than memory (issue 16.4): ilert is down while N events of ~2 KB,
 * each its own alert key, arrive over TCP (a few hundred MB of bodies), then the bridge is killed
 * with -9 and started again over the same queue.path:
 *   - once with queue.max_memory_bytes large enough to hold the whole backlog (every body loaded
 *     into memory at start: what the store did before bodies could stay on disk; the baseline);
 *   - once with a 32 MiB bound: bodies stay on disk, each read back when its call leaves.
 * Reported: peak RSS during ingest and during each start (to ready plus a second), time to ready,
 * and with the bound the time to deliver the whole backlog once ilert answers (governed by
 * rate_limit.per_minute, here 100,000: the schema's maximum, so 1,667 calls/s). Checks: every
 * event acknowledged; each start rebuilds all N pending calls; with the bound every body reaches
 * ilert whole (summary and details compared, event by event).
 */
import { createSimulator } from '../../src/simulator/simulator'
import { bridgeConfig, type Bridge, startBridge, writeConfig } from '../lib/bridge'
import { type Check, join, log, parseFlags, pinSelf, readRss, resetPeakRss, round, rssSampler, runScenario, scratch, sleep, target, type Target, writeResult, machine } from '../lib/common'
import type { ConnPlan } from '../lib/tcp-client'
import { sendNdjson } from '../lib/tcp-client'

const CONNS = 4
const BOUND = 32 * 1024 * 1024

const details = (i: number) => `disk ${i} is full; `.padEnd(2000, 'x')
const summary = (i: number) => `backlog event ${i}`

function plans(n: number): { plans: ConnPlan[]; bytes: number } {
  const out: ConnPlan[] = Array.from({ length: CONNS }, () => ({ chunks: [], lines: 0 }))
  let bytes = 0
  const CHUNK = 500
  for (let from = 0; from < n; from += CHUNK * CONNS) {
    for (let c = 0; c < CONNS; c++) {
      const lines: string[] = []
      for (let i = from + c * CHUNK; i < Math.min(n, from + (c + 1) * CHUNK); i++) lines.push(JSON.stringify({ alert_key: `bk-${i}`, summary: summary(i), details: details(i) }))
      if (lines.length === 0) continue
      const buf = Buffer.from(lines.join('\n') + '\n')
      bytes += buf.length
      out[c]!.chunks.push(buf)
      out[c]!.lines += lines.length
    }
  }
  return { plans: out, bytes }
}

async function waitUntil(what: string, f: () => boolean | Promise<boolean>, ms: number, every = 200): Promise<void> {
  const t0 = performance.now()
  while (!(await f())) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await sleep(every)
  }
}

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const N = quick ? 20_000 : Number(process.env.BENCH_BACKLOG_EVENTS ?? 150_000)
  const started = performance.now()
  const { plans: load, bytes } = plans(N)
  log(`backlog: ${N} events of ~2 KB (${round(bytes / 1e6)} MB) with ilert down, then kill -9 and two starts`)
  const checks: Check[] = []
  const targets: Target[] = []
  const results: Record<string, unknown> = {}
  const tmp = scratch('backlog')
  const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 0 }, faults: { forceStatus: 503 } })
  const { url: simUrl } = await sim.start()
  const dataDir = join(tmp.dir, 'data')
  const config = (maxMemory: number) =>
    writeConfig(
      tmp.dir,
      `bridge-${maxMemory}`,
      bridgeConfig({
        simUrl,
        durable: 'on',
        dataDir,
        overrides: {
          queue: { capacity: N + 1000, max_memory_bytes: maxMemory },
          rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000 },
          retries: { max_attempts: 1000 },
          dispatch: { concurrency: 64 },
        },
      }),
    )
  const bounded = config(BOUND)
  const whole = config(4 * 1024 * 1024 * 1024)

  /** Starts the bridge over the backlog: ms to ready, peak RSS to ready + 1 s, pending calls rebuilt. */
  const startOver = async (cfg: string, who: string): Promise<{ b: Bridge; entry: Record<string, unknown> }> => {
    const t0 = performance.now()
    const b = await startBridge(cfg)
    const readyMs = performance.now() - t0
    await sleep(1000)
    const depth = await b.metric('mcp_queue_depth')
    // VmHWM: the high-water mark since spawn, the recovery before ready included.
    const entry = { readyMs: round(readyMs), startMs: round(b.startMs), peakRssMB: round(readRss(b.pid)?.hwmMB ?? NaN), memoryBytes: await b.metric('mcp_queue_memory_bytes'), spilledBytes: await b.metric('mcp_queue_spilled_bytes'), pendingCalls: depth }
    checks.push({ name: `${who}: the start rebuilds all ${N} pending calls`, ok: depth === N, detail: `mcp_queue_depth ${depth}` })
    log(`backlog ${who}: ready in ${round(readyMs)} ms, peak RSS ${entry.peakRssMB} MB, ${round(entry.memoryBytes / 1e6)} MB held / ${round(entry.spilledBytes / 1e6)} MB on disk only`)
    return { b, entry }
  }

  let b: Bridge | undefined
  try {
    // 1. The backlog, ingested with the bound (ilert answers 503 to everything: nothing leaves).
    b = await startBridge(bounded)
    resetPeakRss(b.pid)
    let rss = rssSampler(b.pid, 50)
    const sent = await sendNdjson('127.0.0.1', b.tcpPort, load, { acks: true, timeoutMs: 600_000 })
    checks.push({ name: `ingest: ${N} events acknowledged`, ok: sent.acked === N && sent.accepted === N, detail: `acked ${sent.acked}, accepted ${sent.accepted}, rejected ${sent.rejected}` })
    results.ingest = { events: N, megabytes: round(bytes / 1e6), eventsPerSec: Math.round(N / (sent.elapsedMs / 1000)), peakRssMB: round(rss.stop()) }
    log(`backlog ingest: ${Math.round(N / (sent.elapsedMs / 1000))} ev/s, peak RSS ${(results.ingest as { peakRssMB: number }).peakRssMB} MB`)
    await b.child.kill('SIGKILL')
    b = undefined

    // 2. Baseline: a start that loads every body.
    const w = await startOver(whole, 'start, whole backlog in memory')
    results.start_whole_in_memory = w.entry
    await w.b.child.kill('SIGKILL')

    // 3. The bound: bodies on disk only; then ilert answers and the backlog drains, each body whole.
    const s = await startOver(bounded, `start, queue.max_memory_bytes ${BOUND / 1024 / 1024} MiB`)
    b = s.b
    results.start_bounded = s.entry
    rss = rssSampler(b.pid, 50)
    const t0 = performance.now()
    sim.setFaults({ forceStatus: undefined })
    await waitUntil('the whole backlog delivered', async () => (await b!.metric('mcp_out_success_total')) >= N, 600_000)
    const drainS = (performance.now() - t0) / 1000
    let intact = 0
    const got = new Map(sim.alerts().map((a) => [a.alertKey, a]))
    for (let i = 0; i < N; i++) {
      const a = got.get(`bk-${i}`)
      if (a !== undefined && a.summary === summary(i) && a.details === details(i)) intact++
    }
    checks.push({ name: `bounded: all ${N} bodies reached ilert whole`, ok: intact === N, detail: `${intact} of ${N} with the summary and details sent` })
    Object.assign(results.start_bounded as object, { drainSeconds: round(drainS, 1), drainCallsPerSec: Math.round(N / drainS), drainPeakRssMB: round(rss.stop()) })
    log(`backlog bounded: delivered ${N} in ${round(drainS, 1)} s, ${intact} whole`)
    const ratio = (s.entry.peakRssMB as number) / (w.entry.peakRssMB as number)
    results.startRssBoundedVsWhole = round(ratio, 3)
    targets.push(target('backlog: start RSS with the bound / whole backlog in memory', ratio, 'ratio', '<=', 0.5))
  } finally {
    await b?.child.kill('SIGKILL')
    await sim.stop()
    tmp.cleanup()
  }
  return writeResult(
    {
      scenario: 'backlog',
      title: 'A backlog larger than memory: start and drain with queue.max_memory_bytes',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: { events: N, bodyBytes: 2000, boundBytes: BOUND, connections: CONNS },
      results,
      targets,
      checks,
    },
    quick,
  )
})
