/**
 * Scenario 3, end-to-end latency: events sent over TCP at a fixed rate (1,000 and 10,000 events/s,
 * open loop, each with its own alert key so nothing is coalesced), the simulator's rate limit
 * lifted and the bridge's too. Latency is from acceptance by the bridge (the product's own
 * acceptedAt, carried in the event by bridge-runner --stamp) to receipt by the simulator (its
 * request handler's clock), on one wall clock; the bridge's offset from ours is measured (min-RTT)
 * and corrected. p50/p99/p99.9 from an HDR histogram. Baseline: baselines/relay.ts, a bare loop
 * that POSTs each event to the simulator the moment it parsed it (no queue, no bound).
 * Target: p99 <= 5 ms at 1,000 events/s.
 *
 * Checks: the simulator received every event sent (count and ids), none rejected.
 */
import type { Socket } from 'bun'
import { createSimulator, type EventLogEntry } from '../../src/simulator/simulator'
import { bridgeConfig, clockOffset, durableSupported, startBridge, writeConfig } from '../lib/bridge'
import {
  BENCH,
  BUN,
  type Check,
  join,
  log,
  machine,
  parseFlags,
  pinned,
  pinSelf,
  round,
  runScenario,
  scratch,
  spawnChild,
  SUT_CORE,
  target,
  type Target,
  waitUntil,
  wallMs,
  writeResult,
} from '../lib/common'
import { probeLine } from '../lib/events'
import { histogram, type Percentiles } from '../lib/hdr'

interface Paced {
  sent: number
  measured: number
  achievedRate: number
  errors: string[]
}

/** Writes probes at `rate`/s for warmup+duration seconds over one connection; acks are read and ignored. */
async function paced(port: number, rate: number, warmupS: number, durationS: number, tag: string): Promise<Paced> {
  const errors: string[] = []
  let pending = ''
  const sock: Socket<undefined> = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data(_s, buf) {
        const t = buf.toString()
        if (t.includes('"error"') && errors.length < 10) errors.push(t.slice(0, 300))
      },
      drain(s) {
        if (pending.length > 0) {
          const n = s.write(pending)
          pending = pending.slice(n)
        }
      },
    },
  })
  const warm = Math.round(rate * warmupS)
  const total = warm + Math.round(rate * durationS)
  const t0 = performance.now()
  let sent = 0
  let measuredStart = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000))
    if (due > sent) {
      let s = ''
      for (; sent < due; sent++) {
        if (sent === warm) measuredStart = performance.now()
        s += probeLine(sent < warm ? `${tag}-warm` : tag, sent)
      }
      if (pending.length > 0) pending += s
      else {
        const n = sock.write(s)
        if (n < s.length) pending = s.slice(n)
      }
    }
    await Bun.sleep(1)
  }
  const elapsed = (performance.now() - measuredStart) / 1000
  await waitUntil('send buffer to drain', () => pending.length === 0, 30_000, 5)
  await Bun.sleep(100)
  sock.end()
  return { sent: total, measured: total - warm, achievedRate: Math.round((total - warm) / elapsed), errors }
}

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const RATES = [1_000, 10_000]
  const WARMUP = quick ? 0.5 : 1
  const DURATION = quick ? 1.5 : 10
  const modes = flags.durable ?? (durableSupported() ? (['off', 'on'] as const) : (['off'] as const))
  const started = performance.now()
  const checks: Check[] = []
  const targets: Target[] = []
  const results: Record<string, Record<string, unknown>> = {}
  const tmp = scratch('latency')
  // Every accepted event is read as it arrives (onAccepted) and only its receipt time is kept. The
  // simulator keeps a small log and few alerts: when it held every event of a 10,000/s run, its
  // own collections stalled this process 10-20 ms once a second, and every receiver's p99 measured
  // those stalls (the relay's 4-7 ms, the bridges' 16-27 ms; 1.0 and 3.6 ms without them).
  let tap: ((e: EventLogEntry) => void) | undefined
  // Rate limit lifted (perKey 0); the clock has sub-ms resolution for receipt times.
  const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 0 }, now: wallMs, maxLog: 1_000, maxAlerts: 1_000, onAccepted: (e) => tap?.(e) })
  const { url: simUrl } = await sim.start()
  // The token buckets preallocate one slot per token: a 1 s window of 100,000 is far above any rate here.
  const lifted = { rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000, window_seconds: 1, margin_seconds: 0 } }

  /** Runs one rate against a receiver on `port`, returns percentiles (ms). */
  async function measure(who: string, port: number, offsetMs: number, rate: number): Promise<Percentiles & { achievedRate: number; clockOffsetMs: number }> {
    sim.reset()
    const tag = `lat${rate}`
    const h = histogram()
    const seen = new Set<string>()
    let probes = 0
    tap = (e) => {
      const cd = (e.body as { customDetails?: { bench_accepted_ms?: number; mcp_id?: string } }).customDetails
      const id = cd?.mcp_id ?? e.alertKey ?? ''
      seen.add(id)
      if (!id.startsWith(`${tag}-`) || id.startsWith(`${tag}-warm`) || cd?.bench_accepted_ms === undefined) return
      probes++
      h.recordMs(e.receivedAt - (cd.bench_accepted_ms - offsetMs))
    }
    const p = await paced(port, rate, WARMUP, DURATION, tag)
    checks.push({ name: `${who} @${rate}/s: no error lines`, ok: p.errors.length === 0, detail: p.errors.join(' | ') })
    try {
      await waitUntil(`${who} @${rate}/s: simulator to receive ${p.sent} events`, () => sim.stats().accepted >= p.sent, 120_000, 20)
    } catch (e) {
      checks.push({ name: `${who} @${rate}/s: simulator received all ${p.sent}`, ok: false, detail: `${(e as Error).message}; got ${sim.stats().accepted}` })
    }
    tap = undefined
    const pct = h.percentiles()
    const st = sim.stats()
    checks.push({ name: `${who} @${rate}/s: simulator received each event once`, ok: st.accepted === p.sent && seen.size === p.sent && st.badRequests === 0, detail: `sent ${p.sent}, accepted ${st.accepted}, distinct ${seen.size}, 400s ${st.badRequests}` })
    checks.push({ name: `${who} @${rate}/s: ${p.measured} measured samples`, ok: pct.count === p.measured && probes === p.measured, detail: `samples ${pct.count}, negative ${h.negatives()}` })
    log(`latency ${who} @${rate}/s (achieved ${p.achievedRate}/s): p50 ${pct.p50} ms, p99 ${pct.p99} ms, p99.9 ${pct.p999} ms, max ${pct.max} ms`)
    return { ...pct, achievedRate: p.achievedRate, clockOffsetMs: round(offsetMs, 4) }
  }

  // Every receiver is started first (idle ones cost nothing measurable), then each rate is
  // measured on the relay and on each bridge in turn, so load from elsewhere on a shared machine
  // hits them alike instead of one of them.
  const relay = spawnChild(pinned(SUT_CORE, [BUN, join(BENCH, 'baselines', 'relay.ts'), '--target', simUrl, '--key', 'il1api-bench-relay']), { readyJson: true })
  const bridges: { mode: 'on' | 'off'; b: Awaited<ReturnType<typeof startBridge>> }[] = []
  try {
    const r = (await relay.ready) as { port: number; control: string }
    for (const mode of modes) {
      const cfg = writeConfig(tmp.dir, `bridge-${mode}`, bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `data-${mode}`), overrides: lifted }))
      bridges.push({ mode, b: await startBridge(cfg, { stamp: true }) })
    }
    const relayOff = await clockOffset(`${r.control}/clock`)
    const offsets = new Map<string, number>()
    for (const { mode, b } of bridges) {
      const off = await b.clockOffset()
      offsets.set(mode, off.offsetMs)
      log(`latency: bridge (durable ${mode}) clock offset ${round(off.offsetMs, 4)} ms (rtt ${round(off.rttMs, 3)} ms)`)
    }
    const baseline: Record<string, unknown> = { name: 'bare relay: JSON.parse + one fetch per event, no queue' }
    const entries: Record<string, Record<string, unknown>> = Object.fromEntries(modes.map((m) => [m, {}]))
    for (const rate of RATES) {
      const base = await measure('relay', r.port, relayOff.offsetMs, rate)
      baseline[`r${rate}`] = base
      for (const { mode, b } of bridges) {
        const m = await measure(`bridge (durable ${mode})`, b.tcpPort, offsets.get(mode)!, rate)
        entries[mode]![`r${rate}`] = { ...m, p99VsBaseline: round(m.p99 / base.p99, 2), p50VsBaseline: round(m.p50 / base.p50, 2) }
      }
    }
    results.baseline = baseline
    for (const { mode, b } of bridges) {
      const rejected = await b.metric('mcp_rejected_events_total')
      checks.push({ name: `bridge (durable ${mode}): nothing rejected`, ok: rejected === 0, detail: `rejected ${rejected}` })
      results[`bridge_durable_${mode}`] = entries[mode]!
      targets.push(target(`e2e p99 at 1,000 events/s, durable ${mode}`, (entries[mode]!.r1000 as Percentiles).p99, 'ms', '<=', 5))
      // Issue 10: p99 <= 10 ms at 10,000 events/s in both queue modes.
      targets.push(target(`e2e p99 at 10,000 events/s, durable ${mode}`, (entries[mode]!.r10000 as Percentiles).p99, 'ms', '<=', 10))
    }
  } finally {
    await relay.kill()
    for (const { b } of bridges) await b.stop()
  }
  await sim.stop()
  tmp.cleanup()
  return writeResult(
    {
      scenario: 'latency',
      title: 'End-to-end latency (acceptance by the bridge to receipt by the simulator)',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: { rates: RATES, warmupSeconds: WARMUP, seconds: DURATION, histogram: 'HDR, 3 significant digits, µs', coalescing: 'none (one alert key per event)', durableModes: modes, unit: 'ms' },
      results,
      targets,
      checks,
    },
    quick,
  )
})
