/**
 * CPU per event of the ingest path, in process and without sockets, so a change to validation,
 * normalization or coalescing can be measured in seconds rather than in a noisy end-to-end run.
 * Stages, each over the same 200,000 realistic lines (bench/lib/events.ts, 10,000 alert keys):
 *   parse      JSON.parse only (what the bare TCP loop does per line)
 *   memory     parse + validate + normalize + coalesce into the lanes (Ingestor.accept + commit), in memory
 *   normal     the same on the durable log, queue.sync: normal (one write per commit)
 *   full       the same, queue.sync: full (one write + fdatasync per group, awaited)
 *   batch-each / batch-whole  JSON arrays of 100 (an HTTP batch body) on sync full: each event
 *              serialized into its own record, or the array's text kept once (keepBatchText)
 * The bridge's real App runs against the project's simulator at ilert's limits, as in bench:tcp.
 * Run: taskset -c 0 bun bench/micro/ingest-path.ts [rounds]
 */
import { Value } from '@sinclair/typebox/value'
import { App } from '../../src/app'
import { ConfigSchema, type Config } from '../../src/config/schema'
import { createSimulator } from '../../src/simulator/simulator'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ingestBlock } from '../lib/events'

const ROUNDS = Number(process.argv[2] ?? 5)
const N = 200_000
const CHUNK = 2_000 // lines handled per event-loop turn, about what one TCP read carries

const block = ingestBlock(N, 10_000)
const lines = block.buf.toString('utf8').trimEnd().split('\n')

const sim = createSimulator({ address: '127.0.0.1', port: 0 })
const { url } = await sim.start()

function config(mode: 'memory' | 'normal' | 'full'): Config {
  const c = Value.Default(ConfigSchema, Value.Clone({})) as Config
  c.listen.port = 0
  c.tcp.enabled = false
  c.metrics.enabled = false
  c.queue.durable = mode !== 'memory'
  c.queue.sync = mode === 'full' ? 'full' : 'normal'
  c.queue.path = mkdtempSync(join(tmpdir(), 'mcp-ilert-micro-'))
  c.logging.level = 'error'
  c.dispatch.drain_timeout_seconds = 0.05
  c.ilert.api_url = url
  c.ilert.integration_key = 'il1api-micro-bench-0001'
  return c
}

const cpuUs = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const turn = () => new Promise<void>((r) => setImmediate(r))

async function stage(mode: 'memory' | 'normal' | 'full', run: (app: App) => Promise<void>): Promise<number> {
  const cfg = config(mode)
  const app = new App(cfg)
  await app.start()
  await run(app) // warm-up on the same lines
  const t0 = cpuUs()
  await run(app)
  const us = (cpuUs() - t0) / N
  await app.stop()
  rmSync(cfg.queue.path, { recursive: true, force: true })
  return us
}

const parseOnly = async () => {
  for (let i = 0; i < N; i += CHUNK) {
    for (let j = i; j < i + CHUNK && j < N; j++) JSON.parse(lines[j]!)
    await turn()
  }
}
const acceptAll = async (app: App) => {
  for (let i = 0; i < N; i += CHUNK) {
    const at = performance.now() // as the TCP source does: one clock read per read
    for (let j = i; j < i + CHUNK && j < N; j++) {
      const raw = lines[j]!
      app.ingestor.accept(JSON.parse(raw), 'tcp', raw, raw, at)
    }
    await app.ingestor.commit('tcp')
    await turn()
  }
}

// HTTP batch bodies: the same lines as JSON arrays of 100, each item accepted without its own text
// (what POST /events does with an array); `whole` keeps the array text as one record, `each`
// serializes every event (the store's way before keepBatchText).
const BATCH = 100
const bodies: string[] = []
for (let i = 0; i < N; i += BATCH) bodies.push(`[${lines.slice(i, i + BATCH).join(',')}]`)
const acceptBodies = (whole: boolean) => async (app: App) => {
  const ing = app.ingestor
  for (let i = 0; i < bodies.length; i += CHUNK / BATCH) {
    for (let j = i; j < i + CHUNK / BATCH && j < bodies.length; j++) {
      const text = bodies[j]!
      const items = JSON.parse(text) as unknown[]
      const mark = ing.stagedCount()
      const at = performance.now() // one clock read per request, as POST /events does
      for (const v of items) ing.accept(v, 'http', undefined, text, at)
      if (whole) ing.keepBatchText(mark, text)
    }
    await ing.commit('http')
    await turn()
  }
}

const results: Record<string, number[]> = { parse: [], memory: [], normal: [], full: [], 'batch-each': [], 'batch-whole': [] }
// MICRO_STAGES=memory,full runs only those (for a CPU profile of one stage).
const only = process.env.MICRO_STAGES?.split(',')
const want = (k: string) => only === undefined || only.includes(k)
for (let r = 0; r < ROUNDS; r++) {
  if (want('parse')) {
    const t0 = cpuUs()
    await parseOnly()
    results.parse!.push((cpuUs() - t0) / N)
  }
  for (const mode of ['memory', 'normal', 'full'] as const) if (want(mode)) results[mode]!.push(await stage(mode, acceptAll))
  if (want('batch-each')) results['batch-each']!.push(await stage('full', acceptBodies(false)))
  if (want('batch-whole')) results['batch-whole']!.push(await stage('full', acceptBodies(true)))
}
await sim.stop()
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const [k, v] of Object.entries(results)) if (v.length > 0) console.log(`${k.padEnd(9)} median ${med(v).toFixed(2)} min ${Math.min(...v).toFixed(2)} µs/event (runs: ${v.map((x) => x.toFixed(2)).join(" ")})`)
process.exit(0)
