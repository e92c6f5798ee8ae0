/**
 * Shared plumbing for the benchmark scenarios: command-line flags, CPU pinning, process spawning,
 * /proc readings (RSS), Prometheus text parsing, machine facts and result files.
 *
 * Every scenario runs as its own process (the load generator, pinned to core 1) and spawns what it
 * measures (the bridge or a baseline, pinned to core 0), so the two never share a core when the
 * machine has two. Results go to bench/results/<scenario>.json (full mode) or
 * bench/results/tmp/<scenario>.json (quick mode, not committed).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, mkdtempSync } from 'node:fs'
import { cpus, tmpdir, totalmem, release } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'

export const ROOT = resolve(import.meta.dir, '..', '..')
export const BENCH = join(ROOT, 'bench')
export const BUN = process.execPath

export interface Flags {
  quick: boolean
  /** Durable-queue modes to measure, where it matters: [false] before the durable store exists. */
  durable: ('on' | 'off')[] | undefined
  args: string[]
}

export function parseFlags(argv = process.argv.slice(2)): Flags {
  const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1'
  let durable: Flags['durable']
  const d = argv.find((a) => a.startsWith('--durable='))
  if (d) {
    const v = d.slice('--durable='.length)
    durable = v === 'both' ? ['off', 'on'] : v === 'on' ? ['on'] : ['off']
  }
  return { quick, durable, args: argv.filter((a) => !a.startsWith('--')) }
}

export function resultsDir(quick: boolean): string {
  const dir = quick ? join(BENCH, 'results', 'tmp') : join(BENCH, 'results')
  mkdirSync(dir, { recursive: true })
  return dir
}

/** A scratch directory under the OS temp dir, removed by `cleanup()`. */
export function scratch(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `mcp-ilert-bench-${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

// ---------------------------------------------------------------------------------------------
// CPU pinning

let tasksetOk: boolean | undefined
export function hasTaskset(): boolean {
  if (tasksetOk === undefined) {
    tasksetOk = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0
  }
  return tasksetOk
}

/** Core for the system under test (bridge, baselines, peers) and for the load generator. */
export const SUT_CORE = 0
export const LOAD_CORE = 1

/** Pins every thread of this process to `core` (threads created later inherit it). */
export function pinSelf(core = LOAD_CORE): boolean {
  if (!hasTaskset()) return false
  return spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)]).status === 0
}

export function pinned(core: number, cmd: string[]): string[] {
  return hasTaskset() ? ['taskset', '-c', String(core), ...cmd] : cmd
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface Child {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  pid: number
  /** The first stdout line that parses as JSON (a runner's "ready" report). */
  ready: Promise<Record<string, any>>
  stderrTail(): string
  kill(signal?: NodeJS.Signals | number): Promise<void>
}

/**
 * Spawns `cmd`; when `readyJson`, resolves `ready` with the first JSON line on stdout.
 * stderr is kept (last 8 KiB) for error reports.
 */
export function spawnChild(cmd: string[], opts: { cwd?: string; env?: Record<string, string>; readyJson?: boolean } = {}): Child {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let err = ''
  void (async () => {
    const dec = new TextDecoder()
    for await (const c of proc.stderr) {
      err += dec.decode(c)
      if (err.length > 16384) err = err.slice(-8192)
    }
  })()
  const ready = new Promise<Record<string, any>>((resolveReady, reject) => {
    if (!opts.readyJson) {
      void (async () => {
        for await (const _ of proc.stdout) {
          /* drain */
        }
      })()
      resolveReady({})
      return
    }
    void (async () => {
      const dec = new TextDecoder()
      let buf = ''
      let done = false
      for await (const c of proc.stdout) {
        if (done) continue
        buf += dec.decode(c)
        let nl: number
        while (!done && (nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim()
          buf = buf.slice(nl + 1)
          if (line.startsWith('{')) {
            try {
              resolveReady(JSON.parse(line))
              done = true
            } catch {
              /* not the report */
            }
          }
        }
      }
      if (!done) reject(new Error(`${cmd.join(' ')} exited before reporting ready (code ${await proc.exited}): ${err.slice(-2000)}`))
    })()
  })
  return {
    proc,
    pid: proc.pid,
    ready,
    stderrTail: () => err.slice(-4000),
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill(signal)
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await proc.exited
      clearTimeout(t)
    },
  }
}

export const sleep = (ms: number) => Bun.sleep(ms)

/** Wall clock in ms with sub-ms resolution; comparable across processes on one machine. */
export const wallMs = () => performance.timeOrigin + performance.now()

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const t0 = performance.now()
  for (;;) {
    if (await check()) return performance.now() - t0
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** A port that was free a moment ago (for programs that cannot report a port-0 bind). */
export function freePort(): number {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const p = s.port
  s.stop(true)
  return p
}

// ---------------------------------------------------------------------------------------------
// /proc readings

export interface Rss {
  rssMB: number
  hwmMB: number
}

export function readRss(pid: number): Rss | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN)
    return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 }
  } catch {
    return undefined
  }
}

/** Resets the peak-RSS mark (VmHWM) of `pid` to its current RSS. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
  } catch {
    /* not permitted: the peak then covers the whole process life */
  }
}

/** Samples RSS every `everyMs` until stopped; returns the peak (max of samples and VmHWM). */
export function rssSampler(pid: number, everyMs = 25) {
  let peak = 0
  const t = setInterval(() => {
    const r = readRss(pid)
    if (r && r.rssMB > peak) peak = r.rssMB
  }, everyMs)
  return {
    stop(): number {
      clearInterval(t)
      const r = readRss(pid)
      return Math.max(peak, r?.hwmMB ?? 0, r?.rssMB ?? 0)
    },
  }
}

/** CPU time (user+sys, seconds) of a process so far. */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) / 100 // utime, stime at index 14,15 (1-based) → 11,12 after state
  } catch {
    return NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus text

export type Samples = { name: string; labels: Record<string, string>; value: number }[]

export function parseProm(text: string): Samples {
  const out: Samples = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    if (m[3]) for (const l of m[3].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    out.push({ name: m[1]!, labels, value: Number(m[4]) })
  }
  return out
}

export function metricSum(s: Samples, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const x of s) if (x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)) sum += x.value
  return sum
}

export async function scrape(url: string): Promise<Samples> {
  const r = await fetch(url)
  return parseProm(await r.text())
}

// ---------------------------------------------------------------------------------------------
// Machine and results

function loadAverage(): number[] | undefined {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
  } catch {
    return undefined
  }
}
/** Load when this process started: other work on a shared machine shows here. */
const LOAD_AT_START = loadAverage()

export interface Machine {
  cpuModel: string
  cpuCount: number
  memoryGiB: number
  kernel: string
  bun: string
  pinning: string
  /** The commit measured, and whether src/ had uncommitted changes (a shared work tree). */
  commit?: string
  srcDirty?: boolean
  date: string
  /** 1/5/15-minute load averages when the scenario started and ended (other work on the machine). */
  loadAverageAtStart?: number[]
  loadAverage?: number[]
}

function gitState(): { commit?: string; srcDirty?: boolean } {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' })
  if (head.status !== 0) return {}
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' })
  return { commit: head.stdout.trim(), srcDirty: dirty.stdout.trim().length > 0 }
}

export function machine(): Machine {
  let model = cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) model = m[1]!.trim()
  } catch {
    /* non-Linux */
  }
  return {
    cpuModel: model,
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    bun: Bun.version,
    pinning: hasTaskset() ? `taskset: system under test on core ${SUT_CORE}, load generator on core ${LOAD_CORE}` : 'none (taskset missing or one core)',
    ...gitState(),
    date: new Date().toISOString(),
    loadAverageAtStart: LOAD_AT_START,
    loadAverage: loadAverage(),
  }
}

export interface Check {
  name: string
  ok: boolean
  detail?: string
}

export interface Target {
  name: string
  /** What was measured, in `unit`. */
  value: number
  unit: string
  /** Comparison: value must be >= or <= bound. */
  op: '>=' | '<=' | '=='
  bound: number
  met: boolean
}

export function target(name: string, value: number, unit: string, op: Target['op'], bound: number): Target {
  const met = op === '>=' ? value >= bound : op === '<=' ? value <= bound : value === bound
  return { name, value: round(value, 4), unit, op, bound, met }
}

export interface ScenarioResult {
  scenario: string
  title: string
  mode: 'quick' | 'full'
  machine: Machine
  durationSeconds?: number
  params: Record<string, unknown>
  /** Scenario-specific measurements; each figure beside its baseline and their ratio. */
  results: Record<string, unknown>
  targets: Target[]
  checks: Check[]
  /** Peers or tools that could not run, and why. */
  skipped?: { what: string; why: string }[]
  ok: boolean
}

export function writeResult(r: Omit<ScenarioResult, 'ok'>, quick: boolean): ScenarioResult {
  const full: ScenarioResult = { ...r, ok: r.checks.every((c) => c.ok) }
  const file = join(resultsDir(quick), `${r.scenario}.json`)
  writeFileSync(file, JSON.stringify(full, null, 2) + '\n')
  log(`wrote ${file.slice(ROOT.length + 1)} (checks ${full.ok ? 'passed' : 'FAILED'})`)
  return full
}

export function round(x: number, digits = 1): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export function log(msg: string, extra?: Record<string, unknown>): void {
  const t = new Date().toISOString().slice(11, 19)
  process.stderr.write(`[bench ${t}] ${msg}${extra ? ' ' + JSON.stringify(extra) : ''}\n`)
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  if (n === 0) return NaN
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2
}

/** Runs `main`, printing errors and exiting non-zero when it throws or its checks fail. */
export function runScenario(main: () => Promise<ScenarioResult | undefined>): void {
  main().then(
    (r) => {
      if (r && !r.ok) {
        for (const c of r.checks.filter((c) => !c.ok)) log(`CHECK FAILED: ${c.name}${c.detail ? ` (${c.detail})` : ''}`)
        process.exit(1)
      }
      process.exit(0)
    },
    (err) => {
      log(`scenario failed: ${(err as Error).stack ?? err}`)
      process.exit(1)
    },
  )
}

export function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

export { existsSync, join }
