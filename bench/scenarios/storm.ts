/**
 * Scenario 4, alert storm (issue 9): N events over K alert keys spread over S integration keys
 * (alert sources), sent over TCP from 4 connections as fast as the bridge acknowledges them, into
 * a simulator enforcing ilert's per-key fixed-window limit (50 calls per source per window). Each
 * alert key sees 100 rounds: alerts, an ACCEPT at round 50 for every third key, and in the last
 * round a RESOLVE for even keys or a final alert for odd ones. Three runs, same bytes:
 *
 *   1. default: the product's default config (durable, queue.sync full, default queue.capacity
 *      and rate limits) against ilert's real 60 s window. Every event must be acknowledged at
 *      >= 0.7x the bare loop. Once the first window's budget is spent the bridge is killed with
 *      kill -9 while it drains and restarted on the same queue.path: the restart must rebuild the
 *      lanes exactly (mcp_queue_depth and mcp_queue_events as before the kill, and delivered +
 *      pending = acknowledged), send nothing inside the window the killed process spent, then
 *      resume in the next window with zero 429s. (The whole drain takes hours at 60 s windows;
 *      run 2 checks it end to end.)
 *   2. default-scaled: the same, with the window scaled to WINDOW_MS (the bridge configured to
 *      match): kill -9 half-way through the drain, restart, and every alert key's last
 *      acknowledged state must reach the simulator with zero 429s.
 *   3. in-memory (queue.durable: false), scaled window, no kill: the ingest ceiling beside it.
 *
 * Throughout: disk (queue.path) < 64 MB and the bridge's RSS < 192 MB, across restarts.
 */
import { DIGEST_ALERT_KEY } from '../../src/dispatch/storm-digest'
import { createSimulator, type Simulator } from '../../src/simulator/simulator'
import { type Bridge, bridgeConfig, startBridge, writeConfig } from '../lib/bridge'
import { dirBytes } from '../../src/queue/wal/files'
import {
  BENCH,
  BUN,
  type Check,
  join,
  log,
  machine,
  metricSum,
  parseFlags,
  pinned,
  pinSelf,
  resetPeakRss,
  round,
  rssSampler,
  runScenario,
  scratch,
  sleep,
  spawnChild,
  SUT_CORE,
  target,
  type Target,
  waitUntil,
  writeResult,
} from '../lib/common'
import { sendNdjson, type ConnPlan } from '../lib/tcp-client'

const ROUNDS = 100
const PER_KEY = 50
const CONNS = 4
const REAL_WINDOW_MS = 60_000
const MAX_DISK_MB = 64
const MAX_RSS_MB = 192

function key(k: number) {
  return `host-${String(k).padStart(5, '0')}`
}

/** Per connection, per round, one buffer; a key's events all travel on one connection, in order. */
function stormPlans(keys: number, sources: number): { plans: ConnPlan[]; total: number; bytes: number } {
  const plans: ConnPlan[] = Array.from({ length: CONNS }, () => ({ chunks: [], lines: 0 }))
  let bytes = 0
  for (let r = 0; r < ROUNDS; r++) {
    const parts: string[][] = Array.from({ length: CONNS }, () => [])
    for (let k = 0; k < keys; k++) {
      const s = String(k % sources).padStart(2, '0')
      const ik = `il1api-storm-${s}`
      const ak = key(k)
      let line: string
      if (r === 50 && k % 3 === 0) line = `{"event_type":"accept","alert_key":"${ak}","integration_key":"${ik}","source":"storm-${s}"}`
      else if (r === ROUNDS - 1 && k % 2 === 0) line = `{"event_type":"resolve","alert_key":"${ak}","integration_key":"${ik}","source":"storm-${s}"}`
      else
        line = `{"alert_key":"${ak}","integration_key":"${ik}","source":"storm-${s}","priority":${1 + (k % 4)},"summary":"CPU usage above threshold on ${ak} (round ${r})","details":"cpu: ${80 + ((k + r) % 20)}%"}`
      parts[k % CONNS]!.push(line)
    }
    for (let c = 0; c < CONNS; c++) {
      const buf = Buffer.from(parts[c]!.join('\n') + '\n')
      bytes += buf.length
      plans[c]!.chunks.push(buf)
      plans[c]!.lines += parts[c]!.length
    }
  }
  return { plans, total: keys * ROUNDS, bytes }
}

function expected(k: number): { status: string; summary?: string } {
  if (k % 2 === 0) return { status: 'RESOLVED' }
  return { status: k % 3 === 0 ? 'ACCEPTED' : 'PENDING', summary: `CPU usage above threshold on ${key(k)} (round ${ROUNDS - 1})` }
}

/** Largest size of a directory while it runs (sampled); survives the process that writes it. */
function diskSampler(dir: string, everyMs = 50) {
  let peak = 0
  const sample = () => {
    try {
      peak = Math.max(peak, dirBytes(dir))
    } catch {
      // not created yet
    }
  }
  const t = setInterval(sample, everyMs)
  return {
    stop(): number {
      clearInterval(t)
      sample()
      return peak / (1024 * 1024)
    },
  }
}

/**
 * Final state of every alert key at the simulator against what was sent last. A key whose ALERT
 * and RESOLVE cancelled out before their turn (issue 15.1) reaches ilert not at all: it counts as
 * right when the simulator never received a call for it (`cancelled`).
 */
function finalStates(sim: Simulator, keys: number, sources: number): { wrong: number; alerts: number; duplicates: number; cancelled: number; examples: string[] } {
  const sent = new Set(sim.events().map((e) => e.alertKey))
  const byKey = new Map<string, { status: string; summary: string }>()
  let duplicates = 0
  let cancelled = 0
  for (const a of sim.alerts()) {
    if (a.alertKey === DIGEST_ALERT_KEY) continue
    const id = `${a.labels.source}/${a.alertKey}`
    if (byKey.has(id)) duplicates++
    byKey.set(id, a)
  }
  let wrong = 0
  const examples: string[] = []
  for (let k = 0; k < keys; k++) {
    const id = `storm-${String(k % sources).padStart(2, '0')}/${key(k)}`
    const a = byKey.get(id)
    const want = expected(k)
    if (a === undefined && want.status === 'RESOLVED' && !sent.has(key(k))) {
      cancelled++
      continue
    }
    if (!a || a.status !== want.status || (want.summary !== undefined && a.summary !== want.summary)) {
      wrong++
      if (examples.length < 3) examples.push(`${id}: ${a ? `${a.status} "${a.summary}"` : 'missing'} (want ${want.status})`)
    }
  }
  return { wrong, alerts: byKey.size, duplicates, cancelled, examples }
}

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const KEYS = quick ? 1_000 : 10_000
  const SOURCES = quick ? 10 : 20
  const WINDOW_MS = 300
  const MARGIN_MS = 50
  // BENCH_STORM_RUNS=default,default-scaled,in-memory picks runs (e.g. to profile one).
  const only = process.env.BENCH_STORM_RUNS?.split(',')
  const runs = (flags.durable ?? ['on', 'off'])
    .flatMap((m) => (m === 'on' ? (['default', 'default-scaled'] as const) : (['in-memory'] as const)))
    .filter((r) => only === undefined || only.includes(r))
  const started = performance.now()
  const { plans, total: N, bytes } = stormPlans(KEYS, SOURCES)
  log(`storm: ${N} events over ${KEYS} alert keys on ${SOURCES} sources, ${PER_KEY} calls per source per window; runs ${runs.join(', ')}`)
  const checks: Check[] = []
  const targets: Target[] = []
  const results: Record<string, unknown> = {}
  const tmp = scratch('storm')

  // Baseline for the ingest rate: the bare loop on the same bytes.
  {
    const child = spawnChild(pinned(SUT_CORE, [BUN, join(BENCH, 'baselines', 'tcp-bare.ts')]), { readyJson: true })
    const { port } = (await child.ready) as { port: number }
    try {
      const r = await sendNdjson('127.0.0.1', port, plans, { acks: true, timeoutMs: 300_000 })
      checks.push({ name: `bare loop: ${N} lines acked`, ok: r.acked === N && r.accepted === N, detail: `acked ${r.acked}` })
      results.baseline = { name: 'bare Bun.listen loop (split lines + JSON.parse), same bytes', ingestEventsPerSec: Math.round(N / (r.elapsedMs / 1000)) }
      log(`storm: bare loop ingest ${Math.round(N / (r.elapsedMs / 1000))} ev/s`)
    } finally {
      await child.kill()
    }
  }
  const bareRate = (results.baseline as { ingestEventsPerSec: number }).ingestEventsPerSec

  for (const run of runs) {
    const who = `bridge (${run})`
    const durable = run !== 'in-memory'
    const windowMs = run === 'default' ? REAL_WINDOW_MS : WINDOW_MS
    const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: PER_KEY, windowMs } })
    const { url: simUrl } = await sim.start()
    const dataDir = join(tmp.dir, `data-${run}`)
    // The default run changes nothing but where the queue lives: default capacity, sync and limits.
    const scaled = { rate_limit: { per_key_per_minute: PER_KEY, per_minute: PER_KEY * SOURCES, window_seconds: WINDOW_MS / 1000, margin_seconds: MARGIN_MS / 1000 } }
    const cfg = writeConfig(tmp.dir, `bridge-${run}`, bridgeConfig({ simUrl, durable: durable ? 'on' : 'off', dataDir, overrides: run === 'default' ? {} : scaled }))
    const disk = diskSampler(dataDir)
    let peakRss = 0
    let b: Bridge = await startBridge(cfg)
    let rss = rssSampler(b.pid, 50)
    const restart = async (): Promise<void> => {
      await b.child.kill('SIGKILL')
      peakRss = Math.max(peakRss, rss.stop())
      b = await startBridge(cfg)
      resetPeakRss(b.pid)
      rss = rssSampler(b.pid, 50)
    }
    const entry: Record<string, unknown> = {}
    try {
      resetPeakRss(b.pid)
      const t0 = performance.now()
      const sent = await sendNdjson('127.0.0.1', b.tcpPort, plans, { acks: true, timeoutMs: 900_000 })
      const ingestRate = Math.round(N / (sent.elapsedMs / 1000))
      log(`storm ${who}: ingested ${N} in ${round(sent.elapsedMs / 1000, 2)} s (${ingestRate} ev/s, ${round((100 * ingestRate) / bareRate)} % of bare)`)
      checks.push({ name: `${who}: ${N} lines acked and accepted`, ok: sent.acked === N && sent.accepted === N && sent.rejected === 0, detail: `acked ${sent.acked}, accepted ${sent.accepted}, rejected ${sent.rejected}` })
      Object.assign(entry, { ingestEventsPerSec: ingestRate, ingestVsBare: round(ingestRate / bareRate, 3), ingestSeconds: round(sent.elapsedMs / 1000, 2) })
      if (durable) targets.push(target(`storm, ${run}: ingest / bare loop`, ingestRate / bareRate, 'ratio', '>=', 0.7))

      if (process.env.BENCH_STORM_INGEST_ONLY === '1') {
        // For CPU profiles (BENCH_PROFILE_DIR): a process killed with -9 writes none.
      } else if (run === 'default') {
        // The first window's budget goes out at once; then nothing can leave for the rest of it.
        let last = -1
        let quiet = 0
        await waitUntil(
          'the first window spent',
          () => {
            const a = sim.stats().accepted
            quiet = a === last && a > 0 ? quiet + 1 : 0
            last = a
            return quiet >= 8
          },
          30_000,
          250,
        )
        const m = await b.metrics()
        const before = { depth: metricSum(m, 'mcp_queue_depth'), events: metricSum(m, 'mcp_queue_events'), delivered: metricSum(m, 'mcp_out_success_total') + metricSum(m, 'mcp_cancelled_events_total'), calls: sim.stats().accepted }
        const killedAt = performance.now()
        await restart()
        const m2 = await b.metrics()
        const after = { depth: metricSum(m2, 'mcp_queue_depth'), events: metricSum(m2, 'mcp_queue_events') }
        log(`storm ${who}: killed with ${before.depth} pending calls (${before.events} events) after ${before.calls} calls; restarted in ${b.startMs} ms with ${after.depth} (${after.events})`)
        checks.push({ name: `${who}: restart rebuilds the pending calls exactly (mcp_queue_depth as before kill -9)`, ok: after.depth === before.depth && before.depth > 0, detail: `before ${before.depth} calls / ${before.events} events, after ${after.depth} / ${after.events}` })
        // mcp_queue_events after a replay also counts the events of a call that was delivered while
        // later ones were merged behind it (the replay merges them into one head): an overcount of
        // the events, never of the calls; recorded as restartEventsOvercount.
        checks.push({ name: `${who}: nothing acknowledged is missing after restart (delivered + pending >= acknowledged)`, ok: before.delivered + after.events >= N, detail: `delivered ${before.delivered} + pending ${after.events} vs ${N}` })
        await sleep(3000)
        const inSpent = sim.stats().accepted - before.calls
        checks.push({ name: `${who}: nothing sent inside the window the killed bridge spent`, ok: inSpent === 0, detail: `${inSpent} calls` })
        let resumed = 0
        if (!quick) {
          // The next window: the restarted bridge resumes at the governed rate.
          await waitUntil('the next window used', () => sim.stats().accepted > before.calls, REAL_WINDOW_MS + 20_000, 250).catch(() => undefined)
          await sleep(3000)
          resumed = sim.stats().accepted - before.calls
          checks.push({ name: `${who}: delivery resumes in the next window`, ok: resumed > 0, detail: `${resumed} calls` })
          Object.assign(entry, { resumedAfterSeconds: round((performance.now() - killedAt) / 1000, 1) })
        }
        Object.assign(entry, {
          killedWithPendingCalls: before.depth,
          killedWithPendingEvents: before.events,
          deliveredBeforeKill: before.delivered,
          restartPendingCalls: after.depth,
          restartPendingEvents: after.events,
          restartEventsOvercount: after.events - before.events,
          restartMs: b.startMs,
          callsBeforeKill: before.calls,
          callsNextWindow: resumed,
        })
      } else {
        if (run === 'default-scaled') {
          await waitUntil('half settled', async () => {
            const mm = await b.metrics()
            return metricSum(mm, 'mcp_out_success_total') + metricSum(mm, 'mcp_cancelled_events_total') >= N / 2
          }, 600_000, 100)
          const m = await b.metrics()
          log(`storm ${who}: kill -9 with ${metricSum(m, 'mcp_queue_depth')} pending calls`)
          Object.assign(entry, { killedWithPendingCalls: metricSum(m, 'mcp_queue_depth'), deliveredBeforeKill: metricSum(m, 'mcp_out_success_total') })
          await restart()
          Object.assign(entry, { restartMs: b.startMs, restartPendingCalls: await b.metric('mcp_queue_depth') })
        }
        let fin = finalStates(sim, KEYS, SOURCES)
        try {
          await waitUntil(
            'every final state delivered, nothing pending',
            async () => {
              fin = finalStates(sim, KEYS, SOURCES)
              return fin.wrong === 0 && (await b.metric('mcp_queue_depth')) === 0
            },
            quick ? 120_000 : 900_000,
            250,
          )
        } catch (e) {
          checks.push({ name: `${who}: delivery finished`, ok: false, detail: `${(e as Error).message}; wrong ${fin.wrong}` })
        }
        const m = await b.metrics()
        const st = sim.stats()
        checks.push({
          name: `${who}: every final state delivered (${KEYS} alert keys; pairs that cancelled out sent not at all)`,
          ok: fin.wrong === 0 && fin.duplicates === 0 && fin.alerts + fin.cancelled === KEYS,
          detail: `wrong ${fin.wrong}, alerts ${fin.alerts}, cancelled ${fin.cancelled}, duplicates ${fin.duplicates} ${fin.examples.join('; ')}`,
        })
        const failed = metricSum(m, 'mcp_out_failed_total')
        const dropped = metricSum(m, 'mcp_dropped_events_total')
        checks.push({ name: `${who}: none failed or dropped`, ok: failed === 0 && dropped === 0, detail: `failed ${failed}, dropped ${dropped}` })
        if (run === 'in-memory') {
          const coalesced = metricSum(m, 'mcp_coalesced_events_total')
          const success = metricSum(m, 'mcp_out_success_total')
          const cancelledEvents = metricSum(m, 'mcp_cancelled_events_total')
          const digestCalls = sim.events().filter((e) => e.alertKey === DIGEST_ALERT_KEY).length
          checks.push({ name: `${who}: zero loss (delivered + cancelled out = sent)`, ok: success + cancelledEvents === N, detail: `delivered ${success}, cancelled ${cancelledEvents}` })
          checks.push({
            name: `${who}: calls made = events - coalesced - cancelled + digests`,
            ok: st.accepted === N - coalesced - cancelledEvents + digestCalls,
            detail: `calls ${st.accepted}, events ${N}, coalesced ${coalesced}, cancelled ${cancelledEvents}, digests ${digestCalls}`,
          })
          Object.assign(entry, { eventsCoalesced: coalesced, coalescedShare: round(coalesced / N, 4) })
        }
        // Storm economics (issue 15): time to the first signal, calls per 1,000 events, drain against its lower bound.
        const simEvents = sim.events()
        let busiest = 0
        for (let s = 0; s < SOURCES; s++) busiest = Math.max(busiest, sim.keyStats(`il1api-storm-${String(s).padStart(2, '0')}`)?.accepted ?? 0)
        const drainLowerBoundSeconds = (Math.ceil(busiest / PER_KEY) * WINDOW_MS) / 1000
        const deliverAllSeconds = round((performance.now() - t0) / 1000, 2)
        Object.assign(entry, {
          deliverAllSeconds,
          calls: st.accepted,
          finalStatesWrong: fin.wrong,
          keysCancelledOut: fin.cancelled,
          eventsCancelled: metricSum(m, 'mcp_cancelled_events_total'),
          digestCalls: simEvents.filter((e) => e.alertKey === DIGEST_ALERT_KEY).length,
          firstSignalSeconds: simEvents.length > 0 ? round((simEvents[0]!.receivedAt - (Date.now() - (performance.now() - t0))) / 1000, 3) : null,
          callsPer1000Events: round((st.accepted / N) * 1000, 2),
          drainLowerBoundSeconds,
          drainVsLowerBound: round(deliverAllSeconds / drainLowerBoundSeconds, 2),
        })
        log(`storm ${who}: every final state delivered after ${entry.deliverAllSeconds} s, ${st.accepted} calls`)
      }
      const st = sim.stats()
      const bridge429 = metricSum(await b.metrics(), 'mcp_out_rate_limited_total')
      const maxWindow = Math.max(0, ...Object.values(st.maxPerWindowObserved))
      checks.push({ name: `${who}: zero 429s at the simulator and the bridge`, ok: st.rateLimited === 0 && bridge429 === 0, detail: `simulator ${st.rateLimited}, bridge ${bridge429}, busiest window ${maxWindow}/${PER_KEY}` })
      peakRss = Math.max(peakRss, rss.stop())
      const peakDisk = disk.stop()
      Object.assign(entry, { rateLimited429: st.rateLimited, busiestWindowCalls: maxWindow, peakRssMB: round(peakRss), peakDiskMB: round(peakDisk, 2) })
      results[run === 'default' ? 'bridge_durable_on' : run === 'default-scaled' ? 'bridge_durable_on_scaled' : 'bridge_durable_off'] = entry
      log(`storm ${who}: ${st.rateLimited} 429s, peak RSS ${round(peakRss)} MB, peak disk ${round(peakDisk, 2)} MB`)
      targets.push(target(`storm, ${run}: 429s provoked`, st.rateLimited, 'count', '==', 0))
      targets.push(target(`storm, ${run}: peak RSS`, peakRss, 'MB', '<=', MAX_RSS_MB))
      if (durable) targets.push(target(`storm, ${run}: peak disk`, peakDisk, 'MB', '<=', MAX_DISK_MB))
    } finally {
      rss.stop()
      disk.stop()
      await b.stop()
      await sim.stop()
    }
  }
  tmp.cleanup()
  return writeResult(
    {
      scenario: 'storm',
      title: 'Alert storm against ilert-shaped per-key limits, kill -9 while draining',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: {
        events: N,
        alertKeys: KEYS,
        sources: SOURCES,
        rounds: ROUNDS,
        bytes,
        perKeyLimit: PER_KEY,
        windowMs: REAL_WINDOW_MS,
        scaledWindowMs: WINDOW_MS,
        bridgeMarginMs: MARGIN_MS,
        windowScale: `default: ilert's 60 s window and the default config; default-scaled and in-memory: the window scaled to ${WINDOW_MS} ms`,
        connections: CONNS,
        runs,
      },
      results,
      targets,
      checks,
    },
    quick,
  )
})
