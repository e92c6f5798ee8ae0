// The monitoring kit against the real tools: Debian's promtool checks and unit-tests the alert rules
// (deploy/prometheus), lints the bridge's own /metrics (from the release binary, default metrics on),
// and parses every Grafana panel query; every metric a rule or panel names is one the bridge exports.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { REPO_ROOT } from '../config/fixtures'
import { aptTool } from '../helpers/apt-tool'
import { logProcess } from '../helpers/log-process'
import { releaseBinary } from '../helpers/release-binary'

const PROM_DIR = join(REPO_ROOT, 'deploy', 'prometheus')
const DASHBOARD = join(REPO_ROOT, 'deploy', 'grafana', 'mcp-ilert-dashboard.json')
const PKG_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version

let promtool: string
let dir: string
let metrics = ''

beforeAll(async () => {
  promtool = aptTool('promtool', 'prometheus')
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-monitoring-'))
  const bin = await releaseBinary()
  const p = logProcess([bin], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir, MCP_ILERT_LISTEN_PORT: '0', MCP_ILERT_TCP_PORT: '0', MCP_ILERT_METRICS_LISTEN_PORT: '0' } })
  try {
    const started = await p.line('mcp-ilert started.')
    metrics = await (await fetch(started.metrics)).text()
  } finally {
    await p.stop()
  }
}, 300_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const tool = (args: string[], stdin?: string) => {
  const r = Bun.spawnSync([promtool, ...args], { cwd: PROM_DIR, stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin), stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() }
}

/** Metric names a PromQL expression refers to (mcp_* and up), histogram suffixes folded. */
const namesIn = (expr: string) => [...expr.matchAll(/\b(mcp_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))
const exported = () => new Set([...metrics.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!))

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[]
}

describe('monitoring kit', () => {
  test('promtool check rules: alerts.yml', () => {
    const r = tool(['check', 'rules', 'alerts.yml'])
    expect(r.out).toContain('SUCCESS: 7 rules found')
    expect(r.code).toBe(0)
  })

  test('promtool test rules: alerts.test.yml', () => {
    const r = tool(['test', 'rules', 'alerts.test.yml'])
    expect(r.out).toContain('SUCCESS')
    expect(r.code).toBe(0)
  })

  test('promtool check metrics is clean on the bridge\'s /metrics', () => {
    expect(metrics).toContain('process_resident_memory_bytes') // the defaults are on, as in production
    const r = tool(['check', 'metrics'], metrics)
    expect(r.out).toBe('')
    expect(r.code).toBe(0)
  })

  test('mcp_build_info names version, revision and runtime', () => {
    const line = metrics.split('\n').find((l) => l.startsWith('mcp_build_info{'))
    expect(line).toMatch(new RegExp(`^mcp_build_info\\{version="${PKG_VERSION.replace(/\./g, '\\.')}",revision="[0-9a-f]{12}(-dirty)?",runtime="bun \\d+\\.\\d+\\.\\d+ compiled"\\} 1$`))
  })

  test('every counter\'s label sets exist at 0 before anything happened', () => {
    for (const series of [
      'mcp_out_failed_total{reason="attempts_exhausted"} 0',
      'mcp_out_failed_total{reason="status_400"} 0',
      'mcp_out_retries_total{reason="network"} 0',
      'mcp_out_retries_total{reason="status_503"} 0',
      'mcp_out_requests_total{outcome="fail"} 0',
      'mcp_rejected_events_total{transport="tcp",reason="schema"} 0',
      'mcp_rejected_events_total{transport="http",reason="queue_full"} 0',
      'mcp_dropped_events_total{reason="shutdown_deadline"} 0',
      'mcp_auth_failures_total{transport="metrics",reason="invalid"} 0',
      'mcp_tls_reloads_total{outcome="error"} 0',
      'mcp_out_success_total 0',
      'mcp_out_rate_limited_total 0',
    ]) {
      expect(metrics.split('\n')).toContain(series)
    }
    // No counter family without a single series (the gap `increase() > 0` falls into).
    const counters = [...metrics.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]!)
    const empty = counters.filter((name) => !metrics.split('\n').some((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)))
    expect(empty).toEqual([])
    expect(metrics.split('\n')).toContain('mcp_tool_calls_total{tool="send_event",outcome="invalid_arguments"} 0')
    expect(metrics.split('\n')).toContain('mcp_requests_refused_total{reason="unknown_token"} 0')
  })

  test('every Grafana panel query parses (promtool) and names exported metrics only', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard
    const titles = dash.panels.map((p) => p.title)
    for (const t of ['Ingest by transport', 'Delivered to ilert', 'Retries and 429s', 'Dead letters', 'Queue depth', 'Coalescing ratio', "Latency, acceptance to ilert's answer"]) expect(titles).toContain(t)
    const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr))
    // Grafana's variables replaced by what it would substitute, then each query as a recording rule.
    const rules = exprs.map((e, i) => ({ record: `dashboard:q${i}`, expr: e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*') }))
    const file = join(dir, 'dashboard-queries.yml')
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }))
    const r = tool(['check', 'rules', file])
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`)
    const have = exported()
    const unknown = exprs.flatMap(namesIn).filter((n) => !have.has(n))
    expect(unknown).toEqual([])
  })

  test('every alert rule names exported metrics only', () => {
    const rules = readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8')
    const have = exported()
    const names = namesIn(rules.split('\n').filter((l) => !l.trim().startsWith('#') && !l.includes('description:')).join('\n'))
    expect(names.length).toBeGreaterThan(8)
    expect(names.filter((n) => !have.has(n))).toEqual([])
  })
})
