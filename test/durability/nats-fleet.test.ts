/**
 * Issue 14 on real processes: bridges sharing one JetStream stream (queue.backend: nats) on a
 * private nats-server started by the test. Windows and leases are scaled down (window 0.5 s,
 * lease 1.5 s) and the simulator enforces the per-key limit the bridges are configured with.
 *
 * 1. Three bridges; 1,000 alert keys on 5 alert sources, sent round-robin to all three over HTTP
 *    and TCP; one bridge killed with kill -9 under load and restarted; then nats-server itself
 *    killed and restarted while events are being sent: every acknowledged event's key reaches
 *    the simulator in its last state (so ALERT before RESOLVE), zero 429s, never more than the
 *    limit in a window across all instances together.
 * 2. Two bridges, each behind its own recording proxy; one is paused (SIGSTOP) for longer than
 *    its lease, then continued: comparing every call each bridge made with the lease history
 *    (a KV watch), no call was made for a partition whose lease another instance held.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { createSimulator } from '../../src/simulator/simulator'
import { partitionOf } from '../../src/queue/nats/subjects'
import { type BridgeProcess, startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'
import { startNatsServer } from '../helpers/nats-server'
import { connectClient } from '../helpers/tcp-client'

const PER_KEY = 50
const WINDOW_MS = 500
const SOURCES = 5
const KEYS = 1_000
const PARTITIONS = 12

const root = mkdtempSync(join(tmpdir(), 'mcp-ilert-fleet-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const ik = (k: number) => `il1api-fleet-${k % SOURCES}`
const ak = (k: number) => `svc-${k}`

function config(name: string, apiUrl: string, natsUrl: string, stream: string): string {
  const dir = mkdtempSync(join(root, `${name}-`))
  return writeConfig(
    dir,
    `listen: { port: 0 }
tcp: { port: 0 }
metrics: { enabled: false }
ilert: { api_url: "${apiUrl}", timeout_seconds: 2 }
queue: { backend: nats }
nats: { servers: "${natsUrl}", stream: ${stream}, partitions: ${PARTITIONS}, lease_seconds: 1.5, instance: ${name}, publish_timeout_seconds: 1 }
rate_limit: { per_key_per_minute: ${PER_KEY}, per_minute: ${PER_KEY * SOURCES}, window_seconds: ${WINDOW_MS / 1000}, margin_seconds: 0.05 }
retries: { base_interval_seconds: 0.1, max_interval_seconds: 0.5, max_attempts: 1000 }
dispatch: { drain_timeout_seconds: 1 }
logging: { level: info }
`,
  )
}

type Ev = Record<string, unknown>

async function sendHttp(b: BridgeProcess, evs: Ev[]): Promise<void> {
  const r = await fetch(`${b.httpUrl}/events`, { method: 'POST', body: JSON.stringify(evs), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) })
  const text = await r.text()
  if (r.status !== 202) throw new Error(`HTTP ${r.status}: ${text}`)
}

async function sendTcp(b: BridgeProcess, evs: Ev[]): Promise<void> {
  const c = await connectClient(b.tcpPort)
  try {
    await c.send(evs.map((e) => JSON.stringify(e)).join('\n') + '\n')
    const ack = await c.waitForAck(evs.length, 5000)
    if (ack.accepted !== evs.length) throw new Error(`TCP ack ${JSON.stringify(ack)}`)
  } finally {
    c.close()
  }
}

/** Sends one batch until some bridge acknowledges it all (a dead bridge or a NATS outage: next one, again). */
async function deliver(bridges: (BridgeProcess | undefined)[], evs: Ev[], turn: number): Promise<void> {
  const until = Date.now() + 40_000
  for (let i = turn; ; i++) {
    const b = bridges[i % bridges.length]
    if (b !== undefined) {
      try {
        await (Math.floor(i / bridges.length) % 2 === 0 ? sendHttp(b, evs) : sendTcp(b, evs))
        return
      } catch (err) {
        if (Date.now() > until) throw err
      }
    }
    await Bun.sleep(100)
  }
}

function chunks(evs: Ev[], n: number): Ev[][] {
  const out: Ev[][] = []
  for (let i = 0; i < evs.length; i += n) out.push(evs.slice(i, i + n))
  return out
}

test('three bridges on one stream: kill -9 under load and restart, NATS restarted mid-run; every last state, zero 429s, limit held across all', async () => {
  const nats = await startNatsServer()
  const sim = createSimulator({ port: 0, rateLimit: { perKey: PER_KEY, windowMs: WINDOW_MS } })
  const { url } = await sim.start()
  const files = ['a', 'b', 'c'].map((n) => config(n, url, nats.url, 'FLEET'))
  const bridges: (BridgeProcess | undefined)[] = []
  try {
    for (const f of files) bridges.push(await startBridge(f))
    // Phase 1: an ALERT for every key, all acknowledged before anything else is sent for it.
    const alerts = Array.from({ length: KEYS }, (_, k) => ({ alert_key: ak(k), integration_key: ik(k), summary: `down ${k} round 1`, source: 'fleet' }))
    await Promise.all(chunks(alerts, 50).map((c, i) => deliver(bridges, c, i)))
    // Phase 2: RESOLVE for even keys, a new summary for odd ones; one bridge dies under load.
    const second = Array.from({ length: KEYS }, (_, k) =>
      k % 2 === 0 ? { event_type: 'resolve', alert_key: ak(k), integration_key: ik(k) } : { alert_key: ak(k), integration_key: ik(k), summary: `down ${k} round 2`, source: 'fleet' },
    )
    const parts = chunks(second, 25)
    const sending = parts.map(async (c, i) => {
      await Bun.sleep(i * 10)
      await deliver(bridges, c, i)
    })
    await Bun.sleep(150)
    const victim = bridges[1]!
    bridges[1] = undefined
    await victim.kill('SIGKILL')
    await Promise.all(sending)
    bridges[1] = await startBridge(files[1]!)
    // Phase 3: NATS killed and restarted while a third round is sent (retried until acknowledged).
    const third = Array.from({ length: KEYS }, (_, k) => k).filter((k) => k % 4 === 1).map((k) => ({ alert_key: ak(k), integration_key: ik(k), summary: `down ${k} round 3`, source: 'fleet' }))
    await nats.stop('SIGKILL')
    const sending3 = chunks(third, 25).map((c, i) => deliver(bridges, c, i))
    await Bun.sleep(1000)
    await nats.start()
    await Promise.all(sending3)

    const expected = (k: number) => (k % 2 === 0 ? 'RESOLVED' : k % 4 === 1 ? `down ${k} round 3` : `down ${k} round 2`)
    const finalOk = () => {
      const byKey = new Map<string, { status: string; summary: string }>()
      for (const a of sim.alerts() as { alertKey: string; status: string; summary: string }[]) byKey.set(a.alertKey, a)
      let ok = 0
      for (let k = 0; k < KEYS; k++) {
        const a = byKey.get(ak(k))
        if (a === undefined) continue
        const want = expected(k)
        if (want === 'RESOLVED' ? a.status === 'RESOLVED' : a.status !== 'RESOLVED' && a.summary === want) ok++
      }
      return ok
    }
    // Seconds (7-25 s here). Before the readers restarted themselves on a reconnect and on a
    // heartbeat that showed undelivered messages, a silent consumer after the NATS restart held
    // some keys for 100-290 s.
    await waitFor('every alert key in its last state', () => finalOk() === KEYS, 90_000).catch((err) => {
      throw new Error(`${(err as Error).message}: ${finalOk()} of ${KEYS}\n${bridges.map((b) => b?.stderr().slice(-1500)).join('\n---\n')}`)
    })
    const stats = sim.stats()
    expect(stats.rateLimited).toBe(0)
    for (let s = 0; s < SOURCES; s++) {
      const k = sim.keyStats(ik(s))!
      expect(k.rateLimited).toBe(0)
      expect(k.maxPerWindowObserved).toBeGreaterThan(0)
      expect(k.maxPerWindowObserved).toBeLessThanOrEqual(PER_KEY)
    }
  } finally {
    await Promise.all(bridges.map((b) => b?.kill('SIGTERM')))
    await nats.stop()
    nats.remove()
    await sim.stop()
  }
}, 150_000)

test('a bridge paused past its lease sends nothing for the partitions it lost', async () => {
  const nats = await startNatsServer()
  const sim = createSimulator({ port: 0, rateLimit: { perKey: PER_KEY, windowMs: WINDOW_MS } })
  const { url: simUrl } = await sim.start()
  // Each bridge reaches the simulator through its own recording proxy.
  const calls: { who: string; p: number; at: number }[] = []
  const proxies = ['a', 'b'].map((who) =>
    Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      async fetch(req) {
        // When the request began to arrive: a call the bridge started just before SIGSTOP may
        // finish arriving only after SIGCONT, but it left while the bridge held the lease.
        const at = performance.now()
        const body = await req.text()
        try {
          const j = JSON.parse(body) as { integrationKey?: string }
          if (j.integrationKey) calls.push({ who, p: partitionOf(j.integrationKey, PARTITIONS), at })
        } catch {
          // not an event
        }
        const u = new URL(req.url)
        const r = await fetch(simUrl + u.pathname + u.search, { method: req.method, headers: req.headers, body: body || undefined })
        return new Response(await r.arrayBuffer(), { status: r.status, headers: r.headers })
      },
    }),
  )
  // The lease history as NATS saw it.
  const nc = await connect({ servers: nats.url })
  const owners: { p: number; owner: string | undefined; at: number }[] = []
  const bridges: BridgeProcess[] = []
  let sendingDone = false
  try {
    const a = await startBridge(config('a', `http://127.0.0.1:${proxies[0]!.port}`, nats.url, 'PAUSE'))
    bridges.push(a)
    const kv = await new Kvm(jetstream(nc)).open('PAUSE_LEASES')
    const watch = await kv.watch({ key: 'p.*' })
    void (async () => {
      for await (const e of watch) owners.push({ p: Number(e.key.slice(2)), owner: e.operation === 'PUT' ? (JSON.parse(e.string()) as { owner: string }).owner : undefined, at: performance.now() })
    })()
    bridges.push(await startBridge(config('b', `http://127.0.0.1:${proxies[1]!.port}`, nats.url, 'PAUSE')))
    const ownerOf = (p: number, at = Infinity) => owners.filter((o) => o.p === p && o.at <= at).at(-1)?.owner
    const heldBy = (who: string) => Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => ownerOf(p) === who)
    await waitFor('both bridges own partitions', () => heldBy('a').length > 0 && heldBy('b').length > 0 && heldBy('a').length + heldBy('b').length === PARTITIONS, 15_000)
    // Traffic for every source, all the time, so both would have calls to make.
    let round = 0
    const sender = (async () => {
      while (!sendingDone) {
        round++
        const evs = Array.from({ length: 100 }, (_, k) => ({ alert_key: ak(k), integration_key: ik(k), summary: `round ${round}`, source: 'pause' }))
        await deliver([bridges[1]!], evs, 0).catch(() => undefined)
        await Bun.sleep(50)
      }
    })()
    await Bun.sleep(500)
    const before = heldBy('a')
    a.proc.kill('SIGSTOP')
    await Bun.sleep(4000)
    const taken = before.filter((p) => ownerOf(p) === 'b')
    a.proc.kill('SIGCONT')
    const resumedAt = performance.now()
    // A is a live member again, not a crashed one: it makes calls or takes partitions back.
    // (Waited for, not slept on: on a loaded machine the rebalance can take longer than a few leases.)
    const rejoined = () => calls.some((c) => c.who === 'a' && c.at > resumedAt) || heldBy('a').length > 0
    await waitFor('A takes part again after SIGCONT', rejoined, 20_000).catch(() => undefined)
    await Bun.sleep(1000)
    sendingDone = true
    await sender
    // B took over what A held while A was stopped.
    expect(taken.length).toBeGreaterThan(0)
    // Every call any bridge made was for a partition it held the lease of at that moment.
    const bad = calls.filter((c) => ownerOf(c.p, c.at) !== c.who)
    expect(bad).toEqual([])
    expect(rejoined()).toBe(true)
    expect(sim.stats().rateLimited).toBe(0)
  } finally {
    sendingDone = true
    await Promise.all(bridges.map((b) => b.kill('SIGTERM')))
    await nc.close()
    for (const p of proxies) p.stop(true)
    await nats.stop()
    nats.remove()
    await sim.stop()
  }
}, 60_000)
