/**
 * Benchmark runner: `npm run bench` (full, ~10 minutes), `npm run bench:quick` (smoke, ~1 minute),
 * `npm run bench:<scenario> [-- --quick]`. Runs each scenario as its own process (it pins itself to
 * the load core and the system under test to the other), installs the Debian packages it needs
 * when missing, then writes the summary, the chart and (full mode) the README's table.
 *
 * Usage: bun bench/run.ts [--quick] [--durable=on|off|both] [tcp http latency storm footprint backlog peers]
 * Exit status: non-zero when any scenario failed its own correctness checks or crashed.
 */
import { BENCH, BUN, join, log, parseFlags, round } from './lib/common'
import { ensureTool, type Tool } from './lib/tools'

export const SCENARIOS = ['tcp', 'http', 'latency', 'storm', 'footprint', 'backlog', 'peers'] as const
const NEEDS: Record<string, Tool[]> = { http: ['wrk'], peers: ['wrk', 'alertmanager', 'syslog-ng'] }

const flags = parseFlags()
const unknown = flags.args.filter((a) => !(SCENARIOS as readonly string[]).includes(a))
if (unknown.length > 0) {
  log(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`)
  process.exit(2)
}
const chosen = flags.args.length > 0 ? flags.args : [...SCENARIOS]
const passOn = process.argv.slice(2).filter((a) => a.startsWith('--'))

// Tools first, so installing them is not inside any measurement.
for (const tool of new Set(chosen.flatMap((s) => NEEDS[s] ?? []).concat('rsvg-convert'))) {
  const why = ensureTool(tool)
  if (why) log(`${tool}: unavailable (${why}); the scenarios record it and carry on`)
}

const t0 = performance.now()
const outcome: { scenario: string; code: number; seconds: number }[] = []
for (const s of chosen) {
  log(`── ${s}${flags.quick ? ' (quick)' : ''}`)
  const t = performance.now()
  const p = Bun.spawn([BUN, join(BENCH, 'scenarios', `${s}.ts`), ...passOn], { stdout: 'inherit', stderr: 'inherit', stdin: 'ignore' })
  const code = await p.exited
  outcome.push({ scenario: s, code, seconds: round((performance.now() - t) / 1000) })
  if (code !== 0) log(`${s} FAILED (exit ${code})`)
}

const report = Bun.spawn([BUN, join(BENCH, 'report.ts'), ...(flags.quick ? ['--quick'] : ['--readme'])], { stdout: 'inherit', stderr: 'inherit' })
const reportCode = await report.exited
log(`done in ${round((performance.now() - t0) / 1000)} s: ${outcome.map((o) => `${o.scenario} ${o.code === 0 ? 'ok' : 'FAILED'} (${o.seconds} s)`).join(', ')}`)
process.exit(outcome.some((o) => o.code !== 0) || reportCode !== 0 ? 1 : 0)
