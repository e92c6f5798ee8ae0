/**
 * Soak: sustained mixed load (TCP + HTTP) through a real bridge process with the durable queue,
 * into the simulator with injected faults (5xx, resets) and ilert's per-key limit scaled down,
 * for a fixed duration. Samples the bridge's RSS, then checks zero loss: every acknowledged event
 * is delivered (ilert holds each alert key's last acknowledged state) and the success counter
 * matches the acknowledged count. Writes bench/results/soak.json.
 *
 *   bun bench/soak/soak.ts [--minutes 10] [--rate 2000]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig } from '../../test/helpers/bridge-process'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const MINUTES = arg('minutes', 10)
const RATE = arg('rate', 2000) // events per second offered
const KEYS = 500 // per source: 2,000 alert keys in all
const SOURCES = 4

const rssOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-soak-'))
  const sim = createSimulator({
    port: 0,
    rateLimit: { perKey: 200, windowMs: 1000 },
    faults: { errorRatio: 0.05, resetRatio: 0.01, seed: 7 },
    maxLog: 200_000,
  })
  const { url } = await sim.start()
  const config = writeConfig(
    dir,
    `listen: { port: 0 }
tcp: { port: 0 }
metrics: { enabled: false }
ilert: { api_url: "${url}", integration_key: "il1api-soak-0" }
queue: { durable: true, path: "${join(dir, 'queue')}" }
rate_limit: { per_key_per_minute: 200, per_minute: 100000, window_seconds: 1, margin_seconds: 0.05 }
retries: { max_attempts: 1000, base_interval_seconds: 0.1, max_interval_seconds: 2 }
dispatch: { concurrency: 16 }
logging: { level: info }
`,
  )
  const bridge = await startBridge(config)
  const lastAcked = new Map<string, number>() // "source|key" -> last acknowledged seq
  let acked = 0
  let seq = 0
  const samples: { t: number; rss: number }[] = []
  const started = Date.now()
  const end = started + MINUTES * 60_000
  const sampler = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, rss: rssOf(bridge.proc.pid) }), 5000)

  // TCP events are acknowledged by line number (cumulative acks); HTTP ones by the 202.
  let tcpLines = 0
  let tcpAckedLine = 0
  const tcpEvents: [string, number][] = []
  const noteAcked = (key: string, sq: number) => {
    if ((lastAcked.get(key) ?? -1) < sq) lastAcked.set(key, sq)
    acked++
  }
  let partial = ''
  const tcpSock = await Bun.connect({
    hostname: '127.0.0.1',
    port: bridge.tcpPort,
    socket: {
      data(_s, chunk) {
        const lines = (partial + chunk.toString()).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) {
          if (!line.startsWith('{"ack"')) continue
          const a = JSON.parse(line) as { ack: number }
          for (let n = tcpAckedLine; n < a.ack; n++) noteAcked(...tcpEvents[n]!)
          tcpAckedLine = a.ack
        }
      },
    },
  })
  const event = (i: number) => {
    const src = i % SOURCES
    // The sequence number within the source (not i itself: i ≡ src mod 4 would reach only a
    // quarter of the keys), stepped by a prime so consecutive events hit different keys.
    const key = `soak-${src}-${(Math.floor(i / SOURCES) * 7919) % KEYS}`
    return { k: key, body: { alert_key: key, integration_key: `il1api-soak-${src}`, priority: 1 + (i % 4), summary: `seq ${i}`, details: 'load '.repeat(10) } }
  }
  while (Date.now() < end) {
    const tickStart = Date.now()
    const n = Math.round(RATE / 10)
    const http: ReturnType<typeof event>[] = []
    let tcpBuf = ''
    for (let j = 0; j < n; j++) {
      const e = event(seq++)
      if (j % 2 === 0) http.push(e)
      else {
        tcpEvents.push([e.k, seq - 1])
        tcpBuf += JSON.stringify(e.body) + '\n'
        tcpLines++
      }
    }
    tcpSock.write(tcpBuf)
    const res = await fetch(`${bridge.httpUrl}/events`, { method: 'POST', body: JSON.stringify(http.map((e) => e.body)) })
    if (res.status === 202) for (const e of http) noteAcked(e.k, Number(e.body.summary.slice(4)))
    await Bun.sleep(Math.max(0, 100 - (Date.now() - tickStart)))
  }
  // Let TCP acks arrive, then wait for the backlog to drain.
  const until = Date.now() + 120_000
  while (tcpAckedLine < tcpLines && Date.now() < until) await Bun.sleep(100)
  // Zero loss: ilert holds, for every alert key, the last state that was acknowledged.
  const finalOk = () => {
    const latest = new Map<string, string>()
    for (const a of sim.alerts()) latest.set(a.alertKey, a.summary)
    for (const [key, sq] of lastAcked) if (latest.get(key) !== `seq ${sq}`) return false
    return true
  }
  while (!finalOk() && Date.now() < until + 120_000) await Bun.sleep(1000)
  clearInterval(sampler)
  const ok = finalOk()
  tcpSock.end()
  await bridge.kill('SIGTERM')
  await sim.stop()
  const rss = samples.map((s) => s.rss)
  const q = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  const early = q(rss.slice(2, Math.max(3, Math.floor(rss.length / 5))))
  const late = q(rss.slice(-Math.max(1, Math.floor(rss.length / 5))))
  const result = {
    scenario: 'soak',
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    bun: Bun.version,
    minutes: MINUTES,
    offeredRate: RATE,
    sent: seq,
    acknowledged: acked,
    alertKeys: lastAcked.size,
    zeroLoss: ok,
    simulator: sim.stats(),
    rssEarlyMedianMB: +(early / 2 ** 20).toFixed(1),
    rssLateMedianMB: +(late / 2 ** 20).toFixed(1),
    rssPeakMB: +(Math.max(...rss) / 2 ** 20).toFixed(1),
    rssGrowthRatio: +(late / early).toFixed(3),
    samples,
  }
  mkdirSync(join(import.meta.dir, '..', 'results'), { recursive: true })
  writeFileSync(join(import.meta.dir, '..', 'results', MINUTES >= 10 ? 'soak.json' : 'soak-quick.json'), JSON.stringify(result, null, 2))
  rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({ ...result, samples: undefined, simulator: undefined }, null, 2))
  if (!ok || acked !== seq) process.exit(1)
}

await main()
