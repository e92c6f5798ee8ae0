/**
 * The shared store on one bridge process against a private nats-server: /readyz and ingest while
 * JetStream is unreachable (503, nothing acknowledged; everything resumes when it is back), the
 * per-instance metrics, and TLS to NATS under Bun (the client's upgrade after the server's INFO).
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'
import { startNatsServer } from '../helpers/nats-server'
import { issue } from '../security/helpers/test-pki'

const root = mkdtempSync(join(tmpdir(), 'mcp-ilert-natsstore-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const post = (url: string, evs: object[]) => fetch(`${url}/events`, { method: 'POST', body: JSON.stringify(evs), headers: { 'content-type': 'application/json' } })

function bridgeConfig(dir: string, apiUrl: string, nats: string): string {
  return writeConfig(
    dir,
    `listen: { port: 0 }
tcp: { port: 0 }
metrics: { enabled: true, listen_port: 0 }
ilert: { api_url: "${apiUrl}" }
queue: { backend: nats }
${nats}
rate_limit: { window_seconds: 1, margin_seconds: 0.05 }
retries: { base_interval_seconds: 0.1, max_interval_seconds: 0.5 }
dispatch: { drain_timeout_seconds: 1 }
`,
  )
}

test('JetStream unreachable: /readyz 503 and ingest refuses (503) rather than acknowledging; all resumes when NATS is back', async () => {
  const nats = await startNatsServer()
  const sim = createSimulator({ port: 0 })
  const { url } = await sim.start()
  const dir = mkdtempSync(join(root, 'outage-'))
  const b = await startBridge(bridgeConfig(dir, url, `nats: { servers: "${nats.url}", partitions: 4, lease_seconds: 1, publish_timeout_seconds: 0.5 }`))
  try {
    expect((await fetch(`${b.httpUrl}/readyz`)).status).toBe(200)
    expect((await post(b.httpUrl, [{ alert_key: 'before', integration_key: 'il1api-outage', summary: 'one' }])).status).toBe(202)
    const metricsUrl = JSON.parse(b.stderr().split('\n').find((l) => l.includes('"mcp-ilert started."'))!).metrics as string
    await waitFor('owns all 4 partitions', async () => (await (await fetch(metricsUrl)).text()).includes('mcp_nats_partitions_owned 4'))
    const text = await (await fetch(metricsUrl)).text()
    expect(text).toMatch(/mcp_nats_lease_changes_total\{change="acquired"\} 4/)
    expect(text).toMatch(/mcp_nats_publish_seconds_count [1-9]/)

    await nats.stop('SIGKILL')
    await waitFor('not ready', async () => (await fetch(`${b.httpUrl}/readyz`)).status === 503)
    const refused = await post(b.httpUrl, [{ alert_key: 'during', integration_key: 'il1api-outage', summary: 'two' }])
    expect(refused.status).toBe(503)
    expect(await (await fetch(metricsUrl)).text()).toMatch(/mcp_nats_errors_total\{op="disconnect"\} [1-9]/)

    await nats.start()
    await waitFor('ready again', async () => (await fetch(`${b.httpUrl}/readyz`)).status === 200, 15_000)
    expect((await post(b.httpUrl, [{ alert_key: 'after', integration_key: 'il1api-outage', summary: 'three' }])).status).toBe(202)
    await waitFor('both acknowledged events delivered', () => {
      const keys = new Set((sim.alerts() as { alertKey: string }[]).map((a) => a.alertKey))
      return keys.has('before') && keys.has('after')
    }, 15_000)
    expect((sim.alerts() as { alertKey: string }[]).some((a) => a.alertKey === 'during')).toBe(false)
  } finally {
    await b.kill('SIGTERM')
    await nats.stop()
    nats.remove()
    await sim.stop()
  }
}, 60_000)

test('a full stream (nats.max_bytes) refuses publishes: 503 storage_full, nothing acknowledged beyond the bound', async () => {
  const nats = await startNatsServer()
  const dir = mkdtempSync(join(root, 'full-'))
  // ilert unreachable (a closed port), so nothing leaves the stream.
  const b = await startBridge(bridgeConfig(dir, 'http://127.0.0.1:9', `nats: { servers: "${nats.url}", partitions: 2, max_bytes: 1048576 }`))
  try {
    let accepted = 0
    let refused: Response | undefined
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const evs = Array.from({ length: 100 }, (_, k) => ({ alert_key: `full-${i}-${k}`, integration_key: 'il1api-full', summary: 'x'.repeat(200) }))
      const r = await post(b.httpUrl, evs)
      if (r.status === 202) accepted += 100
      else refused = r
    }
    expect(refused?.status).toBe(503)
    expect(await refused!.text()).toContain('storage_full')
    // What was acknowledged is within the bound: ~300 bytes per stored event.
    expect(accepted).toBeGreaterThan(1000)
    expect(accepted * 250).toBeLessThan(1048576 + 100 * 400)
  } finally {
    await b.kill('SIGTERM')
    await nats.stop()
    nats.remove()
  }
}, 60_000)

test('TLS to NATS under Bun: the bridge verifies the server against nats.tls_ca_file and delivers', async () => {
  const dir = mkdtempSync(join(root, 'tls-'))
  const ca = issue({ subject: 'mcp-ilert test NATS CA', ca: true })
  const server = issue({ subject: 'localhost', usage: 'server', dns: ['localhost'], ips: ['127.0.0.1'], issuer: ca })
  for (const [f, t] of [['ca.pem', ca.certPem], ['cert.pem', server.certPem], ['key.pem', server.keyPem]] as const) writeFileSync(join(dir, f), t)
  const conf = join(dir, 'nats.conf')
  writeFileSync(conf, `tls { cert_file: "${join(dir, 'cert.pem')}", key_file: "${join(dir, 'key.pem')}" }\n`)
  const nats = await startNatsServer(['-c', conf])
  const sim = createSimulator({ port: 0 })
  const { url } = await sim.start()
  const wrongCa = issue({ subject: 'another CA', ca: true })
  writeFileSync(join(dir, 'wrong-ca.pem'), wrongCa.certPem)
  try {
    // A CA that did not sign the server's certificate: the bridge refuses to start, naming nats.servers.
    const bad = await startBridge(bridgeConfig(mkdtempSync(join(dir, 'bad-')), url, `nats: { servers: "tls://127.0.0.1:${nats.port}", tls_ca_file: "${join(dir, 'wrong-ca.pem')}" }`)).then(
      (b) => b.kill(9).then(() => 'started'),
      (err: Error) => err.message,
    )
    expect(bad).toContain('nats.servers')
    const b = await startBridge(bridgeConfig(mkdtempSync(join(dir, 'good-')), url, `nats: { servers: "tls://127.0.0.1:${nats.port}", tls_ca_file: "${join(dir, 'ca.pem')}", partitions: 2 }`))
    try {
      expect((await post(b.httpUrl, [{ alert_key: 'over-tls', integration_key: 'il1api-tls', summary: 'via TLS' }])).status).toBe(202)
      await waitFor('delivered', () => (sim.alerts() as { alertKey: string }[]).some((a) => a.alertKey === 'over-tls'), 15_000)
    } finally {
      await b.kill('SIGTERM')
    }
  } finally {
    await nats.stop()
    nats.remove()
    await sim.stop()
  }
}, 60_000)

test('a partition reader that stops receiving is found by the stream check and the partition read again: the stored event is delivered', async () => {
  const { loadConfig } = await import('../../src/config/load')
  const { openNatsStore } = await import('../../src/queue/nats/open')
  const { partitionOf } = await import('../../src/queue/nats/subjects')
  const { Registry } = await import('../../src/observability/prom')
  const nats = await startNatsServer()
  const dir = mkdtempSync(join(root, 'silent-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `nats: { servers: "${nats.url}", stream: SILENT, partitions: 2, lease_seconds: 1.5, instance: solo }\n`)
  const loaded = loadConfig({ file, env: {} })
  if (loaded.kind === 'error') throw new Error(loaded.message)
  const register = new Registry()
  const quiet = { debug() {}, info() {}, warn() {}, error() {} }
  const { store, nc } = await openNatsStore(loaded.config.nats, 1000, 1 << 30, { perKey: 50, windowMs: 60_000, marginMs: 0 }, register, quiet)
  try {
    await waitFor('owns both partitions', () => store.leases.owned().length === 2)
    const ik = 'il1api-silent'
    // The fault: the client stops handing over this partition's messages while the reader stays
    // registered, as seen across NATS restarts (no heartbeat, no error).
    const reader = (store as unknown as { readers: Map<number, { messages?: { close(): Promise<void> } }> }).readers.get(partitionOf(ik, 2))!
    await waitFor('the reader is consuming', () => reader.messages !== undefined)
    await reader.messages!.close()
    const entered: string[] = []
    store.onEntry((lane) => entered.push(lane.key))
    const body = { integrationKey: ik, eventType: 'ALERT' as const, summary: 'stored while nobody reads', alertKey: 'silent-1' }
    expect(store.offer({ id: 0, body, laneKey: 'silent-1', acceptedAt: performance.now(), attempts: 0 }, undefined).kind).toBe('accepted')
    expect((await store.commit()).kind).toBe('ok')
    await waitFor('the stored event is in a lane again', () => entered.includes('silent-1'), 30_000)
    expect(await register.getSingleMetricAsString('mcp_nats_errors_total')).toMatch(/mcp_nats_errors_total\{op="reader_stalled"\} [1-9]/)
  } finally {
    await store.close()
    await nc.close()
    await nats.stop()
    nats.remove()
  }
}, 60_000)

test('queue.max_memory_bytes on NATS: an owner holds at most the bound in its lanes, the rest waits in the stream, and everything reaches ilert whole', async () => {
  const nats = await startNatsServer()
  const sim = createSimulator({ port: 0, rateLimit: { perKey: 50, windowMs: 1000 }, faults: { forceStatus: 503 } })
  const { url } = await sim.start()
  const dir = mkdtempSync(join(root, 'memory-'))
  const cfg = bridgeConfig(dir, url, `nats: { servers: "${nats.url}", partitions: 2 }`)
  const text = (await Bun.file(cfg).text()).replace('queue: { backend: nats }', 'queue: { backend: nats, max_memory_bytes: 65536 }').replace('retries: {', 'retries: { max_attempts: 1000,')
  writeFileSync(cfg, text)
  const b = await startBridge(cfg)
  try {
    const metricsUrl = JSON.parse(b.stderr().split('\n').find((l) => l.includes('"mcp-ilert started."'))!).metrics as string
    const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(metricsUrl)).text())?.[1] ?? NaN)
    const details = (i: number) => `${i} `.padEnd(4000, 'd')
    // 100 bodies of 4 KB against a 64 KiB bound, while ilert answers 503: all acknowledged (the stream holds them).
    for (let i = 0; i < 10; i++) {
      const evs = Array.from({ length: 10 }, (_, k) => ({ alert_key: `mem-${i * 10 + k}`, integration_key: 'il1api-mem', summary: `big ${i * 10 + k}`, details: details(i * 10 + k) }))
      expect((await post(b.httpUrl, evs)).status).toBe(202)
    }
    await waitFor('the owner read up to the bound', async () => (await metric('mcp_queue_memory_bytes')) > 40_000)
    // Held there for more than three consumer heartbeats (2.5 s each) without being taken for a stalled reader.
    await Bun.sleep(8000)
    expect(await metric('mcp_queue_memory_bytes')).toBeLessThan(65_536 + 8192)
    expect(await metric('mcp_queue_depth')).toBeLessThan(30)
    expect(await (await fetch(metricsUrl)).text()).not.toMatch(/mcp_nats_errors_total\{op="reader_stalled"\} [1-9]/)
    sim.setFaults({ forceStatus: undefined })
    await waitFor('all 100 delivered', () => sim.alerts().length === 100, 30_000)
    for (const a of sim.alerts()) expect(a.details).toBe(details(Number(a.alertKey!.slice(4))))
  } finally {
    await b.kill('SIGTERM')
    await sim.stop()
    await nats.stop()
    nats.remove()
  }
}, 90_000)
