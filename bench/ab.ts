/**
 * A/B of two versions of the bridge on one load, for changes smaller than this machine's noise.
 * End-to-end throughput on a shared 2-core VM moves by ±15–30 % from one run to the next, so a
 * 5 % change cannot be seen in one benchmark run. This starts the bridge of a base revision (a
 * git worktree) and of the work tree in turn, alternating which goes first, each a fresh process
 * pinned to the system-under-test core, warms each up with one round of the load, then measures
 * the CPU time the bridge process spent per event (user + system, from /proc: what the load
 * generator's own speed and other processes' steal move least) beside its throughput. Reports the
 * median and range of each, and B / A of the medians.
 *
 * Usage: bun bench/ab.ts [--base REV] [--load tcp|http1|http100] [--durable off|on|on_normal] [--reps N]
 *   --base      revision to compare the work tree against (default HEAD: uncommitted changes)
 *   --load      tcp: 200,000 NDJSON events over 4 connections, until the last ack (default);
 *               http1 / http100: wrk, 50 connections, 3 s, 1 or 100 events per POST /events
 *   --durable   queue mode, as in the scenarios (default off: in memory)
 *   --reps      measured runs per side (default 6)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../src/simulator/simulator'
import { bridgeConfig, writeConfig } from './lib/bridge'
import { BUN, cpuSeconds, median, pinned, pinSelf, ROOT, round, spawnChild, SUT_CORE } from './lib/common'
import { httpBodies, ingestBlock } from './lib/events'
import { cyclePlans, sendNdjson } from './lib/tcp-client'
import { runWrk, writeBodies, wrkAvailable, wrkErrors } from './lib/wrk'

type Load = 'tcp' | 'http1' | 'http100'
type Mode = 'off' | 'on' | 'on_normal'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

const base = arg('base', 'HEAD')
const load = arg('load', 'tcp') as Load
const mode = arg('durable', 'off') as Mode
const reps = Number(arg('reps', '6'))
if (!['tcp', 'http1', 'http100'].includes(load) || !['off', 'on', 'on_normal'].includes(mode) || !(reps >= 1)) {
  process.stderr.write('usage: bun bench/ab.ts [--base REV] [--load tcp|http1|http100] [--durable off|on|on_normal] [--reps N]\n')
  process.exit(2)
}
if (load !== 'tcp' && !wrkAvailable()) {
  process.stderr.write('wrk is not installed (apt-get install wrk)\n')
  process.exit(2)
}

const git = (...a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' })
const rev = git('rev-parse', '--short', base)
if (rev.status !== 0) {
  process.stderr.write(`no revision ${base}: ${rev.stderr}`)
  process.exit(2)
}
const scratchDir = mkdtempSync(join(tmpdir(), 'mcp-ilert-ab-'))
const baseTree = join(scratchDir, 'base')
const added = git('worktree', 'add', '--detach', baseTree, base)
if (added.status !== 0) {
  process.stderr.write(`git worktree add failed: ${added.stderr}`)
  process.exit(1)
}
symlinkSync(join(ROOT, 'node_modules'), join(baseTree, 'node_modules'))

pinSelf()
const sim = createSimulator({ address: '127.0.0.1', port: 0 }) // ilert's limits, as bench:tcp
const { url: simUrl } = await sim.start()

const EVENTS = 200_000
const block = load === 'tcp' ? ingestBlock(EVENTS, 10_000) : undefined
const perBody = load === 'http100' ? 100 : 1
const bodiesFile = load === 'tcp' ? '' : writeBodies(scratchDir, load, httpBodies(load === 'http1' ? 10_000 : 500, perBody, 10_000))

/** One round of the load against a bridge; the events it carried. */
async function round1(b: { tcpPort: number; http: string }): Promise<number> {
  if (block !== undefined) {
    const r = await sendNdjson('127.0.0.1', b.tcpPort, cyclePlans(block, EVENTS, 4), { acks: true, timeoutMs: 300_000 })
    if (r.acked !== EVENTS) throw new Error(`acked ${r.acked} of ${EVENTS}: ${r.errors.join(' | ')}`)
    return EVENTS
  }
  const w = await runWrk({ url: b.http, bodiesFile, connections: 50, seconds: 3 })
  if (wrkErrors(w) > 0) throw new Error(`wrk errors: ${JSON.stringify(w.errors)}`)
  return w.requests * perBody
}

interface Run {
  cpuUsPerEvent: number
  eventsPerSec: number
}

async function measure(side: 'A' | 'B', n: number): Promise<Run> {
  const tree = side === 'A' ? baseTree : ROOT
  const cfg = writeConfig(scratchDir, `${side}-${n}`, bridgeConfig({ simUrl, durable: mode, dataDir: join(scratchDir, `data-${side}-${n}`) }))
  const child = spawnChild(pinned(SUT_CORE, [BUN, join(tree, 'bench', 'lib', 'bridge-runner.ts'), '--config', cfg]), { cwd: tree, readyJson: true })
  try {
    const r = await child.ready
    const b = { tcpPort: r.tcpPort as number, http: r.http as string }
    await round1(b) // warm-up: the JIT, the lanes of every key
    const c0 = cpuSeconds(child.pid)
    const t0 = performance.now()
    const events = await round1(b)
    const seconds = (performance.now() - t0) / 1000
    const cpu = cpuSeconds(child.pid) - c0
    return { cpuUsPerEvent: (cpu * 1e6) / events, eventsPerSec: events / seconds }
  } finally {
    await child.kill('SIGKILL') // no drain: the lanes hold the load's pending calls
  }
}

const runs: Record<'A' | 'B', Run[]> = { A: [], B: [] }
try {
  for (let i = 1; i <= reps; i++) {
    const order: ('A' | 'B')[] = i % 2 === 1 ? ['A', 'B'] : ['B', 'A']
    for (const side of order) {
      const r = await measure(side, i)
      runs[side].push(r)
      process.stderr.write(`[ab] rep ${i} ${side}: ${round(r.cpuUsPerEvent, 3)} µs CPU/event, ${Math.round(r.eventsPerSec)} events/s\n`)
    }
  }
} finally {
  await sim.stop()
  git('worktree', 'remove', '--force', baseTree)
  rmSync(scratchDir, { recursive: true, force: true })
}

const summary = (rs: Run[]) => {
  const cpu = rs.map((r) => r.cpuUsPerEvent)
  const eps = rs.map((r) => r.eventsPerSec)
  return { cpu: median(cpu), cpuMin: Math.min(...cpu), cpuMax: Math.max(...cpu), eps: median(eps), epsMin: Math.min(...eps), epsMax: Math.max(...eps) }
}
const a = summary(runs.A)
const b = summary(runs.B)
const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== ''
const fmt = (s: ReturnType<typeof summary>) =>
  `${round(s.cpu, 3)} µs (${round(s.cpuMin, 3)}–${round(s.cpuMax, 3)}) | ${Math.round(s.eps).toLocaleString('en-US')} (${Math.round(s.epsMin).toLocaleString('en-US')}–${Math.round(s.epsMax).toLocaleString('en-US')})`
process.stdout.write(
  [
    `load ${load}, queue ${mode}, ${reps} runs per side, alternating; A = ${rev.stdout.trim()} (${base}), B = work tree${dirty ? ' (src/ has uncommitted changes)' : ''}`,
    '',
    '| side | CPU per event, median (range) | events/s, median (range) |',
    '| --- | --- | --- |',
    `| A | ${fmt(a)} |`,
    `| B | ${fmt(b)} |`,
    `| B / A | ${round(b.cpu / a.cpu, 3)} | ${round(b.eps / a.eps, 3)} |`,
    '',
  ].join('\n'),
)
