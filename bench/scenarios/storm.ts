/**
 * Scenario 4, alert storm: N events over K alert keys (spread over S integration keys = alert
 * sources) sent over TCP as fast as the bridge takes them, into a simulator enforcing ilert's
 * per-key fixed-window limit (50 calls per source per window), the bridge configured to match.
 * ilert's 60 s window is scaled down to WINDOW_MS so the run finishes; the bridge's safety margin
 * scales with it. Each alert key sees 100 rounds: alerts, an ACCEPT at round 50 for every third
 * key, and in the last round a RESOLVE for even keys or a final alert for odd ones.
 *
 * Measured: ingest rate (beside the bare loop on the same bytes), time to deliver everything,
 * calls made, events coalesced, 429s provoked, the bridge's peak RSS; and the storm economics of
 * issue 15: time until the first signal reached ilert (the first call, usually the storm digest),
 * calls per 1,000 events, and the drain time against its lower bound (the busiest source's calls
 * ÷ its rate limit). dispatch.storm.max_delay_seconds is scaled with the window (300 s of 60 s).
 * Targets: zero 429s, peak RSS < 256 MB, zero loss (every event delivered, every final state at
 * the simulator). The checks fail the run when any of those fails.
 */
import { DIGEST_ALERT_KEY } from '../../src/dispatch/storm-digest'
import { createSimulator } from '../../src/simulator/simulator'
import { bridgeConfig, durableDefault, durableSupported, startBridge, writeConfig } from '../lib/bridge'
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
  spawnChild,
  SUT_CORE,
  target,
  type Target,
  waitUntil,
  writeResult,
} from '../lib/common'
import { cyclePlans, sendNdjson, type ConnPlan } from '../lib/tcp-client'

const ROUNDS = 100
const PER_KEY = 50
const CONNS = 4

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

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const KEYS = quick ? 1_000 : 10_000
  const SOURCES = quick ? 10 : 20
  const WINDOW_MS = 300
  const MARGIN_MS = 50
  // The product's default durability first; the other mode after it when the store exists.
  const def = durableDefault() === true ? 'on' : 'off'
  const modes = flags.durable ?? (durableSupported() ? ([def, def === 'on' ? 'off' : 'on'] as ('on' | 'off')[]) : (['off'] as const))
  const started = performance.now()
  const { plans, total: N, bytes } = stormPlans(KEYS, SOURCES)
  log(`storm: ${N} events over ${KEYS} alert keys on ${SOURCES} sources, ${PER_KEY} calls per source per ${WINDOW_MS} ms window (ilert: per 60 s), modes ${modes.join(',')}`)
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

  for (const mode of modes) {
    const who = `bridge (durable ${mode})`
    const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: PER_KEY, windowMs: WINDOW_MS } })
    const { url: simUrl } = await sim.start()
    const cfg = writeConfig(
      tmp.dir,
      `bridge-${mode}`,
      bridgeConfig({
        simUrl,
        durable: mode,
        dataDir: join(tmp.dir, `data-${mode}`),
        overrides: {
          rate_limit: { per_key_per_minute: PER_KEY, per_minute: PER_KEY * SOURCES, window_seconds: WINDOW_MS / 1000, margin_seconds: MARGIN_MS / 1000 },
          dispatch: { storm: { max_delay_seconds: (300 * WINDOW_MS) / 60_000 } },
        },
      }),
    )
    const b = await startBridge(cfg)
    try {
      resetPeakRss(b.pid)
      const rss = rssSampler(b.pid, 50)
      const t0 = performance.now()
      const wall0 = Date.now()
      const sent = await sendNdjson('127.0.0.1', b.tcpPort, plans, { acks: true, timeoutMs: 900_000 })
      const ingestRate = Math.round(N / (sent.elapsedMs / 1000))
      log(`storm ${who}: ingested ${N} in ${round(sent.elapsedMs / 1000, 2)} s (${ingestRate} ev/s, ${round((100 * ingestRate) / bareRate)} % of bare); delivering…`)
      checks.push({ name: `${who}: ${N} lines acked and accepted`, ok: sent.acked === N && sent.accepted === N && sent.rejected === 0, detail: `acked ${sent.acked}, accepted ${sent.accepted}, rejected ${sent.rejected}` })
      let delivered = 0
      try {
        await waitUntil(
          'every event delivered',
          async () => {
            const m = await b.metrics()
            delivered = metricSum(m, 'mcp_out_success_total')
            // Events of an ALERT/RESOLVE pair that cancelled out are settled without a call (issue 15.1).
            return delivered + metricSum(m, 'mcp_out_failed_total') + metricSum(m, 'mcp_cancelled_events_total') >= N
          },
          quick ? 120_000 : 900_000,
          250,
        )
      } catch (e) {
        checks.push({ name: `${who}: delivery finished`, ok: false, detail: `${(e as Error).message}; delivered ${delivered}` })
      }
      const deliverS = (performance.now() - t0) / 1000
      const peak = rss.stop()
      const m = await b.metrics()
      const st = sim.stats()
      const coalesced = metricSum(m, 'mcp_coalesced_events_total')
      const failed = metricSum(m, 'mcp_out_failed_total')
      const dropped = metricSum(m, 'mcp_dropped_events_total')
      const success = metricSum(m, 'mcp_out_success_total')
      const bridge429 = metricSum(m, 'mcp_out_rate_limited_total')
      const maxWindow = Math.max(...Object.values(st.maxPerWindowObserved))
      // Storm economics (issue 15): first signal, calls per 1,000 events, drain time vs its lower bound.
      const simEvents = sim.events()
      const digestCalls = simEvents.filter((e) => e.alertKey === DIGEST_ALERT_KEY).length
      const firstSignalS = simEvents.length > 0 ? (simEvents[0]!.receivedAt - wall0) / 1000 : NaN
      const firstDigest = simEvents.find((e) => e.alertKey === DIGEST_ALERT_KEY)
      let busiest = 0
      for (let s = 0; s < SOURCES; s++) busiest = Math.max(busiest, sim.keyStats(`il1api-storm-${String(s).padStart(2, '0')}`)?.accepted ?? 0)
      const lowerBoundS = (Math.ceil(busiest / PER_KEY) * WINDOW_MS) / 1000
      const cancelled = metricSum(m, 'mcp_cancelled_events_total')
      const savedByCancel = metricSum(m, 'mcp_calls_saved_total', { reason: 'cancelled' })
      // Final state of every alert key, per source.
      const byKey = new Map<string, { status: string; summary: string }>()
      let duplicates = 0
      for (const a of sim.alerts()) {
        if (a.alertKey === DIGEST_ALERT_KEY) continue
        const id = `${a.labels.source}/${a.alertKey}`
        if (byKey.has(id)) duplicates++
        byKey.set(id, a)
      }
      let wrong = 0
      let neverOpened = 0
      const examples: string[] = []
      for (let k = 0; k < KEYS; k++) {
        const id = `storm-${String(k % SOURCES).padStart(2, '0')}/${key(k)}`
        const a = byKey.get(id)
        const want = expected(k)
        // A key that fired and cleared before its turn never reached ilert (its pair cancelled out).
        if (!a && want.status === 'RESOLVED') {
          neverOpened++
          continue
        }
        if (!a || a.status !== want.status || (want.summary !== undefined && a.summary !== want.summary)) {
          wrong++
          if (examples.length < 3) examples.push(`${id}: ${a ? `${a.status} "${a.summary}"` : 'missing'} (want ${want.status})`)
        }
      }
      checks.push({ name: `${who}: zero 429s at the simulator and the bridge`, ok: st.rateLimited === 0 && bridge429 === 0, detail: `simulator ${st.rateLimited}, bridge ${bridge429}, busiest window ${maxWindow}/${PER_KEY}` })
      checks.push({ name: `${who}: zero loss (delivered + cancelled out = sent, none failed or dropped)`, ok: success + cancelled === N && failed === 0 && dropped === 0, detail: `delivered ${success}, cancelled out ${cancelled}, failed ${failed}, dropped ${dropped}` })
      checks.push({ name: `${who}: calls made = events - coalesced - cancelled calls (+ digest)`, ok: st.accepted - digestCalls === N - coalesced - savedByCancel, detail: `calls ${st.accepted} (${digestCalls} digest), events ${N}, coalesced ${coalesced}, cancelled ${cancelled}` })
      checks.push({ name: `${who}: every final state delivered (${KEYS} alert keys)`, ok: wrong === 0 && duplicates === 0 && byKey.size === KEYS - neverOpened && neverOpened === savedByCancel / 2, detail: `wrong ${wrong}, alerts ${byKey.size}, cancelled out before their turn ${neverOpened}, duplicates ${duplicates} ${examples.join('; ')}` })
      results[`bridge_durable_${mode}`] = {
        ingestEventsPerSec: ingestRate,
        ingestVsBare: round(ingestRate / bareRate, 3),
        ingestSeconds: round(sent.elapsedMs / 1000, 2),
        deliverAllSeconds: round(deliverS, 2),
        delivered: success,
        lost: N - success,
        calls: st.accepted,
        callsSavedByCancellation: savedByCancel,
        eventsCoalesced: coalesced,
        coalescedShare: round(coalesced / N, 4),
        rateLimited429: st.rateLimited,
        busiestWindowCalls: maxWindow,
        peakRssMB: round(peak),
        finalStatesWrong: wrong,
        firstSignalSeconds: round(firstSignalS, 3),
        firstDigestSeconds: firstDigest ? round((firstDigest.receivedAt - wall0) / 1000, 3) : null,
        digestCalls,
        eventsCancelled: cancelled,
        callsPer1000Events: round((1000 * st.accepted) / N, 2),
        drainLowerBoundSeconds: lowerBoundS,
        drainVsLowerBound: round(deliverS / lowerBoundS, 2),
      }
      log(`storm ${who}: all delivered in ${round(deliverS, 1)} s, ${st.accepted} calls, ${coalesced} coalesced, ${st.rateLimited} 429s, peak RSS ${round(peak)} MB`)
      log(`storm ${who}: first signal at ilert after ${round(firstSignalS, 3)} s, ${round((1000 * st.accepted) / N, 2)} calls per 1,000 events, drain ${round(deliverS, 1)} s vs lower bound ${lowerBoundS} s (${round(deliverS / lowerBoundS, 2)}×), ${digestCalls} digest calls`)
      targets.push(target(`storm, durable ${mode}: 429s provoked`, st.rateLimited, 'count', '==', 0))
      targets.push(target(`storm, durable ${mode}: peak RSS`, peak, 'MB', '<=', 256))
      targets.push(target(`storm, durable ${mode}: events lost`, N - success, 'count', '==', 0))
    } finally {
      await b.stop()
      await sim.stop()
    }
  }
  tmp.cleanup()
  return writeResult(
    {
      scenario: 'storm',
      title: 'Alert storm against ilert-shaped per-key limits',
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
        windowMs: WINDOW_MS,
        bridgeMarginMs: MARGIN_MS,
        windowScale: `ilert's 60 s window scaled to ${WINDOW_MS} ms`,
        connections: CONNS,
        durableModes: modes,
      },
      results,
      targets,
      checks,
    },
    quick,
  )
})
