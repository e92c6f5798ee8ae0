/**
 * Shared store (queue.backend: nats), TCP ingest throughput with 1, 2 and 3 bridge instances on
 * one JetStream stream, beside the local durable store (queue.sync: full) in the same run. The
 * load is N NDJSON events (10,000 alert keys) over 6 connections spread round-robin over the
 * instances; throughput is N over the time to the last ack (every ack follows JetStream's publish
 * acknowledgement). nats-server is a private one (-js, file storage in a scratch dir) on a free
 * port. On this 2-core machine every instance and nats-server share the bridge core (the load
 * generator has the other), so the numbers show the cost of the shared store, not scaling.
 *
 * Checks: every line acknowledged and accepted, per run.
 */
import { mkdtempSync } from 'node:fs'
import { createSimulator } from '../../src/simulator/simulator'
import { bridgeConfig, startBridge, writeConfig, type Bridge } from '../lib/bridge'
import { type Check, join, log, machine, median, parseFlags, pinned, pinSelf, round, runScenario, scratch, spawnChild, SUT_CORE, writeResult, freePort, waitUntil } from '../lib/common'
import { ingestBlock } from '../lib/events'
import { cyclePlans, sendNdjson } from '../lib/tcp-client'

runScenario(async () => {
  pinSelf()
  const flags = parseFlags()
  const quick = flags.quick
  const N = Number(process.env.BENCH_NATS_EVENTS) || (quick ? 60_000 : 300_000)
  const CONNS = 6
  const REPS = quick ? 1 : 3
  const started = performance.now()
  const block = ingestBlock(10_000, 10_000)
  const plans = cyclePlans(block, N, CONNS)
  const tmp = scratch('nats')
  const sim = createSimulator({ address: '127.0.0.1', port: 0 })
  const { url: simUrl } = await sim.start()
  const checks: Check[] = []

  const natsPort = freePort()
  const sd = mkdtempSync(join(tmp.dir, 'js-'))
  const nats = spawnChild(pinned(SUT_CORE, [Bun.which('nats-server') ?? '/usr/sbin/nats-server', '-js', '-a', '127.0.0.1', '-p', String(natsPort), '-sd', sd]))
  await waitUntil('nats-server listening', async () => {
    try {
      const s = await Bun.connect({ hostname: '127.0.0.1', port: natsPort, socket: { data() {} } })
      s.end()
      return true
    } catch {
      return false
    }
  }, 10_000)
  log(`nats: ${N} events over ${CONNS} connections, ${REPS} rep(s); nats-server on ${natsPort}`)

  async function run(label: string, instances: number, rep: number, backend: 'nats' | 'local'): Promise<number> {
    const stream = `BENCH_${label.replace(/\W/g, '_')}_${rep}`.toUpperCase()
    const bridges: Bridge[] = []
    try {
      for (let i = 0; i < instances; i++) {
        const overrides: Record<string, Record<string, unknown>> =
          backend === 'nats'
            ? { queue: { backend: 'nats', capacity: 2_097_152 }, nats: { servers: `nats://127.0.0.1:${natsPort}`, stream, partitions: 16, instance: `bench-${i}`, max_bytes: 4 * 1024 * 1024 * 1024 } }
            : { queue: { capacity: 2_097_152 } }
        const cfg = writeConfig(tmp.dir, `${label}-${rep}-${i}`, bridgeConfig({ simUrl, durable: 'on', dataDir: join(tmp.dir, `data-${label}-${rep}-${i}`), overrides }))
        bridges.push(await startBridge(cfg))
      }
      const per = bridges.map((_, i) => plans.filter((_, c) => c % instances === i))
      const t0 = performance.now()
      const results = await Promise.all(bridges.map((b, i) => sendNdjson('127.0.0.1', b.tcpPort, per[i]!, { acks: true, timeoutMs: 600_000 })))
      const elapsed = performance.now() - t0
      const acked = results.reduce((n, r) => n + r.accepted, 0)
      const ok = acked === N && results.every((r) => r.rejected === 0 && r.errors.length === 0)
      checks.push({ name: `${label} rep ${rep}: ${N} lines acked and accepted`, ok, detail: ok ? undefined : `accepted ${acked}, errors ${results.flatMap((r) => r.errors).slice(0, 3).join(' | ')}` })
      return N / (elapsed / 1000)
    } finally {
      await Promise.all(bridges.map((b) => b.stop()))
    }
  }

  const configs: { label: string; instances: number; backend: 'nats' | 'local' }[] = [
    { label: 'local durable store (sync full), 1 instance', instances: 1, backend: 'local' },
    { label: 'nats, 1 instance', instances: 1, backend: 'nats' },
    { label: 'nats, 2 instances', instances: 2, backend: 'nats' },
    { label: 'nats, 3 instances', instances: 3, backend: 'nats' },
  ]
  const results: Record<string, unknown> = {}
  try {
    for (const c of configs) {
      const runs: number[] = []
      for (let rep = 1; rep <= REPS; rep++) {
        const eps = await run(c.label, c.instances, rep, c.backend)
        runs.push(eps)
        log(`nats: ${c.label} rep ${rep}: ${Math.round(eps)} ev/s`)
      }
      results[c.label] = { eventsPerSec: Math.round(median(runs)), runs: runs.map(Math.round) }
    }
  } finally {
    await nats.kill('SIGTERM')
    await sim.stop()
    tmp.cleanup()
  }
  return writeResult(
    {
      scenario: 'nats',
      title: 'TCP ingest into the shared JetStream store, 1-3 instances, beside the local durable store',
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      durationSeconds: round((performance.now() - started) / 1000),
      params: { events: N, connections: CONNS, repetitions: REPS, alertKeys: 10_000, avgEventBytes: round(block.avgBytes), statistic: 'median of repetitions' },
      results,
      targets: [],
      checks,
    },
    quick,
  )
})
