/**
 * Scenario 6, peers in the same run (Debian's packages, installed when missing):
 *   A. Prometheus Alertmanager, the closest real system that takes alerts over HTTP and throttles
 *      them: its POST /api/v2/alerts ingest rate against the bridge's POST /events, same wrk
 *      settings, the same content (one alert per request, and 100 per body). Both pinned to the
 *      system-under-test core (Go's GOMAXPROCS follows the affinity: one core each).
 *   B. syslog-ng: TCP JSON in, HTTP out to the simulator (json-parser, http() destination, one POST
 *      per event, 16 workers, flow control) against the bridge doing the same job (TCP NDJSON in,
 *      one ilert call per event since every event has its own alert key, concurrency 16), rate
 *      limits lifted: events delivered per second, first byte sent to last event received.
 * The ratio reported is bridge / peer. A peer that cannot be installed or run is recorded in
 * `skipped` with the reason; the rest carries on.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createSimulator, type Simulator } from '../../src/simulator/simulator'
import { bridgeConfig, durableDefault, durableSupported, startBridge, writeConfig } from '../lib/bridge'
import {
  type Check,
  freePort,
  join,
  log,
  machine,
  metricSum,
  parseFlags,
  pinned,
  pinSelf,
  round,
  runScenario,
  scrape,
  scratch,
  spawnChild,
  SUT_CORE,
  waitUntil,
  writeResult,
} from '../lib/common'
import { alertmanagerBodies, httpBodies, probeLine } from '../lib/events'
import { ensureTool } from '../lib/tools'
import { runWrk, writeBodies, wrkErrors } from '../lib/wrk'
import { sendNdjson } from '../lib/tcp-client'

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const SECONDS = quick ? 2 : 10
  const CONNS = 50
  const KEYS = 10_000
  const RELAY_EVENTS = quick ? 10_000 : 100_000
  const def = durableDefault() === true ? 'on' : 'off'
  const modes = flags.durable ?? (durableSupported() ? ([def, def === 'on' ? 'off' : 'on'] as ('on' | 'off')[]) : (['off'] as const))
  const started = performance.now()
  const checks: Check[] = []
  const skipped: { what: string; why: string }[] = []
  const results: Record<string, Record<string, unknown>> = {}
  const tmp = scratch('peers')

  // ------------------------------------------------------------------ A. Alertmanager vs bridge HTTP
  const wrkMissing = ensureTool('wrk')
  const amMissing = ensureTool('alertmanager')
  if (wrkMissing || amMissing) skipped.push({ what: 'Alertmanager comparison', why: (wrkMissing ?? amMissing)! })
  else {
    const variants = [
      { name: 'single', perBody: 1, bridge: writeBodies(tmp.dir, 'b1', httpBodies(10_000, 1, KEYS)), am: writeBodies(tmp.dir, 'a1', alertmanagerBodies(10_000, 1, KEYS)) },
      { name: 'batch100', perBody: 100, bridge: writeBodies(tmp.dir, 'b100', httpBodies(500, 100, KEYS)), am: writeBodies(tmp.dir, 'a100', alertmanagerBodies(500, 100, KEYS)) },
    ]
    const sim = createSimulator({ address: '127.0.0.1', port: 0 })
    const { url: simUrl } = await sim.start()
    const amDir = join(tmp.dir, 'am')
    mkdirSync(amDir)
    const amConf = join(amDir, 'alertmanager.yml')
    writeFileSync(amConf, "route:\n  receiver: 'null'\n  group_by: ['alertname']\nreceivers:\n  - name: 'null'\n")
    const entry: Record<string, unknown> = {}
    try {
      for (const v of variants) {
        // Alertmanager
        const port = freePort()
        const am = spawnChild(
          pinned(SUT_CORE, ['prometheus-alertmanager', `--config.file=${amConf}`, `--storage.path=${join(amDir, `data-${v.name}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn']),
        )
        const amUrl = `http://127.0.0.1:${port}`
        let amRps = NaN
        try {
          await waitUntil('alertmanager ready', async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.status === 200, 30_000, 50)
          const received = async () => metricSum(await scrape(`${amUrl}/metrics`), 'alertmanager_alerts_received_total', { version: 'v2' })
          if (!quick) await runWrk({ url: amUrl, bodiesFile: v.am, path: '/api/v2/alerts', connections: CONNS, seconds: 1 })
          const before = await received()
          const w = await runWrk({ url: amUrl, bodiesFile: v.am, path: '/api/v2/alerts', connections: CONNS, seconds: SECONDS })
          await Bun.sleep(200)
          const got = (await received()) - before
          const lo = w.requests * v.perBody
          const hi = (w.requests + CONNS) * v.perBody
          checks.push({ name: `alertmanager ${v.name}: no wrk errors or non-2xx`, ok: wrkErrors(w) === 0, detail: JSON.stringify(w.errors) })
          checks.push({ name: `alertmanager ${v.name}: alerts received match requests`, ok: got >= lo && got <= hi, detail: `received ${got}, expected ${lo}..${hi}` })
          amRps = w.requestsPerSec
          entry[`alertmanager_${v.name}`] = { requestsPerSec: Math.round(amRps), alertsPerSec: Math.round(amRps * v.perBody), p99Ms: round(w.latencyUs.p99 / 1000, 3) }
          log(`peers: alertmanager ${v.name} ${Math.round(amRps)} req/s, ${Math.round(amRps * v.perBody)} alerts/s`)
        } catch (e) {
          skipped.push({ what: `Alertmanager ${v.name}`, why: `${(e as Error).message} ${am.stderrTail().slice(-500)}` })
        } finally {
          await am.kill()
        }
        // The bridge, same wrk settings.
        for (const mode of modes) {
          const cfg = writeConfig(tmp.dir, `am-bridge-${v.name}-${mode}`, bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `am-data-${v.name}-${mode}`) }))
          const b = await startBridge(cfg)
          try {
            if (!quick) await runWrk({ url: b.httpUrl, bodiesFile: v.bridge, connections: CONNS, seconds: 1 })
            // Requests still in flight when the warm-up's wrk stopped are counted when they commit.
            await Bun.sleep(200)
            const before = await b.metric('mcp_in_events_total', { transport: 'http' })
            const w = await runWrk({ url: b.httpUrl, bodiesFile: v.bridge, connections: CONNS, seconds: SECONDS })
            await Bun.sleep(200)
            const got = (await b.metric('mcp_in_events_total', { transport: 'http' })) - before
            const lo = w.requests * v.perBody
            const hi = (w.requests + CONNS) * v.perBody
            checks.push({ name: `bridge (durable ${mode}) ${v.name}: no wrk errors or non-2xx`, ok: wrkErrors(w) === 0, detail: JSON.stringify(w.errors) })
            checks.push({ name: `bridge (durable ${mode}) ${v.name}: events counted match requests`, ok: got >= lo && got <= hi, detail: `counted ${got}, expected ${lo}..${hi}` })
            entry[`bridge_durable_${mode}_${v.name}`] = {
              requestsPerSec: Math.round(w.requestsPerSec),
              eventsPerSec: Math.round(w.requestsPerSec * v.perBody),
              p99Ms: round(w.latencyUs.p99 / 1000, 3),
              ratioToAlertmanager: round(w.requestsPerSec / amRps, 3),
            }
            log(`peers: bridge (durable ${mode}) ${v.name} ${Math.round(w.requestsPerSec)} req/s = ${round(w.requestsPerSec / amRps, 2)}x alertmanager`)
          } finally {
            await b.stop()
          }
        }
      }
    } finally {
      await sim.stop()
    }
    results.alertmanager = { what: 'HTTP ingest: Alertmanager POST /api/v2/alerts vs bridge POST /events (same wrk, same content)', ...entry }
  }

  // ------------------------------------------------------------------ B. syslog-ng vs bridge, TCP in → HTTP out
  const sngMissing = ensureTool('syslog-ng')
  if (sngMissing) skipped.push({ what: 'syslog-ng comparison', why: sngMissing })
  else {
    const lines = Array.from({ length: RELAY_EVENTS }, (_, i) => probeLine('relay', i)).join('')
    const plan = [{ chunks: [Buffer.from(lines)], lines: RELAY_EVENTS }]
    const entry: Record<string, unknown> = { events: RELAY_EVENTS }
    /** Sends the events to `port` and waits until the simulator has them all; events/s delivered. */
    const relayRun = async (who: string, sim: Simulator, port: number, acks: boolean): Promise<number> => {
      const t0 = performance.now()
      await sendNdjson('127.0.0.1', port, plan, { acks, timeoutMs: 300_000 })
      await waitUntil(`${who}: simulator to receive ${RELAY_EVENTS}`, () => sim.stats().accepted >= RELAY_EVENTS, 600_000, 10)
      const s = (performance.now() - t0) / 1000
      const st = sim.stats()
      const distinct = new Set(sim.events().map((e) => e.alertKey)).size
      checks.push({ name: `${who}: simulator received each of ${RELAY_EVENTS} events once`, ok: st.accepted === RELAY_EVENTS && distinct === RELAY_EVENTS && st.badRequests === 0, detail: `accepted ${st.accepted}, distinct ${distinct}, 400s ${st.badRequests}` })
      return RELAY_EVENTS / s
    }
    // syslog-ng
    let sngRate = NaN
    {
      const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 0 } })
      const { url: simUrl } = await sim.start()
      const port = freePort()
      const dir = join(tmp.dir, 'sng')
      mkdirSync(dir)
      const conf = join(dir, 'syslog-ng.conf')
      const version = /Config version:\s*(\d+\.\d+)/.exec(Bun.spawnSync(['syslog-ng', '--version']).stdout.toString())?.[1] ?? '3.38'
      writeFileSync(
        conf,
        `@version: ${version}
options { threaded(yes); stats-freq(0); log-fifo-size(100000); use-dns(no); dns-cache(no); use-fqdn(no); chain-hostnames(no); keep-hostname(yes); };
source s_in { network(ip("127.0.0.1") port(${port}) transport("tcp") flags(no-parse) log-iw-size(100000) max-connections(16) log-msg-size(65536)); };
parser p_json { json-parser(prefix(".j.")); };
destination d_sim { http(url("${simUrl}/api/events") method("POST") headers("Content-Type: application/json") workers(16)
  body("$(format-json integrationKey=il1api-bench-syslog eventType=ALERT priority=HIGH summary=\${.j.summary} details=\${.j.details} alertKey=\${.j.mcp_id} labels.source=\${.j.source})")); };
log { source(s_in); parser(p_json); destination(d_sim); flags(flow-control); };
`,
      )
      const sng = spawnChild(pinned(SUT_CORE, ['syslog-ng', '-F', '-f', conf, '-R', join(dir, 'persist'), '-p', join(dir, 'pid'), '-c', join(dir, 'ctl'), '--no-caps']))
      try {
        await waitUntil(
          'syslog-ng listening',
          async () => {
            try {
              const s = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } })
              s.end()
              return true
            } catch {
              if (sng.proc.exitCode !== null) throw new Error(`syslog-ng exited: ${sng.stderrTail()}`)
              return false
            }
          },
          30_000,
          50,
        )
        sngRate = await relayRun('syslog-ng', sim, port, false)
        entry.syslog_ng = { eventsPerSec: Math.round(sngRate), config: 'json-parser → http(), 16 workers, flow-control, one POST per event' }
        log(`peers: syslog-ng TCP→HTTP ${Math.round(sngRate)} events/s`)
      } catch (e) {
        skipped.push({ what: 'syslog-ng run', why: `${(e as Error).message} ${sng.stderrTail().slice(-500)}` })
      } finally {
        await sng.kill()
        await sim.stop()
      }
    }
    for (const mode of modes) {
      const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 0 } })
      const { url: simUrl } = await sim.start()
      const cfg = writeConfig(
        tmp.dir,
        `relay-bridge-${mode}`,
        bridgeConfig({ simUrl, durable: mode, dataDir: join(tmp.dir, `relay-data-${mode}`), overrides: { rate_limit: { per_key_per_minute: 100_000, per_minute: 100_000, window_seconds: 1, margin_seconds: 0 } } }),
      )
      const b = await startBridge(cfg)
      try {
        const rate = await relayRun(`bridge (durable ${mode})`, sim, b.tcpPort, true)
        entry[`bridge_durable_${mode}`] = { eventsPerSec: Math.round(rate), ratioToSyslogNg: round(rate / sngRate, 3) }
        log(`peers: bridge (durable ${mode}) TCP→HTTP ${Math.round(rate)} events/s = ${round(rate / sngRate, 2)}x syslog-ng`)
      } finally {
        await b.stop()
        await sim.stop()
      }
    }
    results.syslog_ng = { what: 'TCP JSON in → one HTTP POST per event to the simulator (limits lifted), delivered events/s', ...entry }
  }
  tmp.cleanup()
  return writeResult(
    {
      scenario: 'peers',
      title: 'Peers: Prometheus Alertmanager (HTTP ingest) and syslog-ng (TCP in, HTTP out)',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: { seconds: SECONDS, connections: CONNS, relayEvents: RELAY_EVENTS, durableModes: modes },
      results,
      targets: [],
      checks,
      skipped,
    },
    quick,
  )
})
