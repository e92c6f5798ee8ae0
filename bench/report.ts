/**
 * Turns the scenario results (bench/results/*.json, or bench/results/tmp with --quick) into
 *   - summary.json: every target and check, and the machine of each run;
 *   - summary.md: the table (each figure beside its same-run baseline, the ratio as headline);
 *   - chart.svg (+ chart.png when rsvg-convert exists): latency percentiles and throughput ratios;
 *   - with --readme: the table between the markers of README.md's "## Performance" section
 *     (only that block is rewritten; the rest of the README is left as it is).
 * Usage: bun bench/report.ts [--quick] [--readme]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ROOT, resultsDir, type ScenarioResult, which, log } from './lib/common'

const quick = process.argv.includes('--quick')
const dir = resultsDir(quick)
const SCEN = ['tcp', 'http', 'latency', 'storm', 'footprint', 'backlog', 'peers']
const R: Record<string, ScenarioResult | undefined> = {}
for (const s of SCEN) {
  const f = join(dir, `${s}.json`)
  if (existsSync(f)) R[s] = JSON.parse(readFileSync(f, 'utf8')) as ScenarioResult
}

/** Dotted-path lookup into a scenario's results. */
function g(s: string, path: string): any {
  let v: any = R[s]?.results
  for (const k of path.split('.')) v = v?.[k]
  return v
}
const n = (x: unknown, digits = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–'
const pct = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `**${(x * 100).toFixed(0)} %**` : '–')
const times = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `**${x.toFixed(2)}×**` : '–')
const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? ' ✅' : ' ❌')
function met(s: string, name: string): boolean | undefined {
  return R[s]?.targets.find((t) => t.name === name)?.met
}
/** Queue modes a scenario measured: in memory, durable (sync full, the default), durable with sync normal. */
const modes = (s: string): ('off' | 'on' | 'on_normal')[] =>
  (['off', 'on', 'on_normal'] as const).filter((m) => g(s, `bridge_durable_${m}`) !== undefined || g(s, `single.bridge_durable_${m}`) !== undefined)

// ----------------------------------------------------------------------------------------- table
type Row = [string, string, string, string, string]
const rows: Row[] = []
const dlabel = (m: string) => (m === 'on' ? 'durable (sync full)' : m === 'on_normal' ? 'durable (sync normal)' : 'in-memory')
/** The target cell: issue 10's bound for in memory and sync full; sync normal is reported beside them. */
const goal = (m: string, off: number, on: number, s: string, name: string) => (m === 'on_normal' ? '(reported)' : `≥ ${m === 'off' ? off : on} %${mark(met(s, name))}`)

if (R.tcp) {
  const ev = R.tcp.params.events as number
  for (const m of modes('tcp')) {
    rows.push([
      `TCP ingest, ${n(ev)} events, ${dlabel(m)}`,
      `${n(g('tcp', `bridge_durable_${m}.eventsPerSec`))} ev/s`,
      `bare Bun.listen loop ${n(g('tcp', 'baseline.eventsPerSec'))} ev/s`,
      pct(g('tcp', `bridge_durable_${m}.ratio`)),
      goal(m, 80, 75, 'tcp', `TCP ingest, durable ${m}: bridge / bare loop`),
    ])
  }
}
if (R.http) {
  for (const m of modes('http')) {
    rows.push([
      `HTTP, 1 event per request, ${dlabel(m)}`,
      `${n(g('http', `single.bridge_durable_${m}.requestsPerSec`))} req/s`,
      `bare Bun.serve ${n(g('http', 'single.baseline.requestsPerSec'))} req/s`,
      pct(g('http', `single.bridge_durable_${m}.ratio`)),
      goal(m, 80, 75, 'http', `HTTP single events, durable ${m}: bridge / bare Bun.serve (req/s)`),
    ])
  }
  for (const m of modes('http')) {
    rows.push([
      `HTTP, 100 events per body, ${dlabel(m)}`,
      `${n(g('http', `batch100.bridge_durable_${m}.eventsPerSec`))} ev/s`,
      `bare Bun.serve ${n(g('http', 'batch100.baseline.eventsPerSec'))} ev/s`,
      pct(g('http', `batch100.bridge_durable_${m}.ratio`)),
      goal(m, 80, 70, 'http', `HTTP 100 events per body, durable ${m}: bridge / bare Bun.serve (events/s)`),
    ])
  }
}
if (R.latency) {
  const fmt = (o: any) => (o ? `${o.p50} / ${o.p99} / ${o.p999} ms` : '–')
  for (const rate of [1000, 10000]) {
    for (const m of modes('latency')) {
      const b = g('latency', `bridge_durable_${m}.r${rate}`)
      const base = g('latency', `baseline.r${rate}`)
      rows.push([
        `E2E latency p50 / p99 / p99.9 @ ${n(rate)}/s, ${dlabel(m)}`,
        fmt(b),
        `bare relay ${fmt(base)}`,
        b && base ? `p99 ${times(b.p99 / base.p99)}` : '–',
        rate === 1000 ? `p99 ≤ 5 ms${mark(met('latency', `e2e p99 at 1,000 events/s, durable ${m}`))}` : `p99 ≤ 10 ms${mark(met('latency', `e2e p99 at 10,000 events/s, durable ${m}`))}`,
      ])
    }
  }
}
if (R.storm) {
  const p = R.storm.params
  const bare = `bare loop ${n(g('storm', 'baseline.ingestEventsPerSec'))} ev/s`
  const ok = (run: string, ...names: string[]) => mark(names.every((x) => met('storm', `storm, ${run}: ${x}`)))
  const d = g('storm', 'bridge_durable_on')
  if (d) {
    rows.push([`Storm ${n(p.events)} events / ${n(p.alertKeys)} keys / ${n(p.sources)} sources, default config (durable, sync full, ilert's 60 s window): ingest`, `${n(d.ingestEventsPerSec)} ev/s`, bare, pct(d.ingestVsBare), `≥ 70 %${ok('default', 'ingest / bare loop')}`])
    rows.push([
      'Storm, default config: kill -9 while draining, restart on the same queue.path',
      `${n(d.restartPendingCalls)} of ${n(d.killedWithPendingCalls)} pending calls rebuilt in ${n(d.restartMs)} ms; ${n(d.callsNextWindow)} calls in the next window`,
      `${n(d.callsBeforeKill)} calls before the kill`,
      '',
      `exact, 0 in the spent window${mark(R.storm.checks.filter((c) => c.name.startsWith('bridge (default):')).every((c) => c.ok))}`,
    ])
    rows.push([`Storm, default config: 429s · peak RSS · peak disk`, `${n(d.rateLimited429)} · ${n(d.peakRssMB)} MB · ${n(d.peakDiskMB, 1)} MB`, 'both processes', '', `0 · < 192 MB · < 64 MB${ok('default', '429s provoked', 'peak RSS', 'peak disk')}`])
  }
  const sc = g('storm', 'bridge_durable_on_scaled')
  if (sc) {
    rows.push([`Storm, default config, window scaled to ${n(p.scaledWindowMs)} ms: ingest`, `${n(sc.ingestEventsPerSec)} ev/s`, bare, pct(sc.ingestVsBare), `≥ 70 %${ok('default-scaled', 'ingest / bare loop')}`])
    rows.push([
      'Storm, scaled: kill -9 half-way through the drain, restart: final states · 429s · peak RSS · peak disk',
      `${n((p.alertKeys as number) - (sc.finalStatesWrong ?? (p.alertKeys as number)))} of ${n(p.alertKeys)} · ${n(sc.rateLimited429)} · ${n(sc.peakRssMB)} MB · ${n(sc.peakDiskMB, 1)} MB`,
      `${n(sc.calls)} calls, all delivered in ${n(sc.deliverAllSeconds, 1)} s`,
      '',
      `all · 0 · < 192 MB · < 64 MB${ok('default-scaled', '429s provoked', 'peak RSS', 'peak disk')}`,
    ])
  }
  const m = g('storm', 'bridge_durable_off')
  if (m) {
    rows.push([`Storm, in-memory, scaled window: ingest`, `${n(m.ingestEventsPerSec)} ev/s`, bare, pct(m.ingestVsBare), ''])
    rows.push([`Storm, in-memory: 429s · peak RSS`, `${n(m.rateLimited429)} · ${n(m.peakRssMB)} MB`, `${n(m.calls)} calls, ${n(m.eventsCoalesced)} coalesced, all in ${n(m.deliverAllSeconds, 1)} s`, '', `0 · < 192 MB${ok('in-memory', '429s provoked', 'peak RSS')}`])
  }
}
if (R.footprint) {
  for (const m of modes('footprint')) {
    const f = g('footprint', `bridge_durable_${m}`)
    rows.push([
      `Cold start to ready (median), ${dlabel(m)}`,
      `${n(f.coldStartMs.median, 1)} ms`,
      `bare Bun.serve ${n(g('footprint', 'baseline.coldStartMs.median'), 1)} ms`,
      times(f.coldStartVsBaseline),
      `≤ 150 ms${mark(met('footprint', `cold start to ready, durable ${m} (median)`))}`,
    ])
    if (f.binary)
      rows.push([
        `Cold start to ready (median), compiled binary, ${dlabel(m)}`,
        `${n(f.binary.coldStartMs.median, 1)} ms`,
        `bare Bun.serve ${n(g('footprint', 'baseline.coldStartMs.median'), 1)} ms`,
        times(f.binary.coldStartMs.median / g('footprint', 'baseline.coldStartMs.median')),
        `≤ 100 ms${mark(met('footprint', `cold start to ready, compiled binary, durable ${m} (median)`))}`,
      ])
    rows.push([`RSS idle · under load, ${dlabel(m)}`, `${n(f.idleRssMB)} · ${n(f.loadPeakRssMB)} MB`, `bare ${n(g('footprint', 'baseline.idleRssMB'))} · ${n(g('footprint', 'baseline.loadPeakRssMB'))} MB`, `${times(f.idleVsBaseline)} · ${times(f.loadVsBaseline)}`, `idle ≤ 45 MB${mark(met('footprint', `RSS idle, durable ${m}`))}`])
    if (f.binary?.idleRssMB !== undefined)
      rows.push([`RSS idle, compiled binary, ${dlabel(m)}`, `${n(f.binary.idleRssMB)} MB`, `bare ${n(g('footprint', 'baseline.idleRssMB'))} MB`, times(f.binary.idleRssMB / g('footprint', 'baseline.idleRssMB')), `≤ 45 MB${mark(met('footprint', `RSS idle, compiled binary, durable ${m}`))}`])
  }
}
if (R.backlog) {
  const p = R.backlog.params
  const w = g('backlog', 'start_whole_in_memory')
  const b = g('backlog', 'start_bounded')
  const i = g('backlog', 'ingest')
  if (w && b) {
    const mib = (p.boundBytes as number) / 1024 / 1024
    rows.push([
      `Backlog of ${n(p.events)} × 2 KB (${n(i?.megabytes)} MB, ilert down), kill -9, start with \`max_memory_bytes\` ${mib} MiB: peak RSS · ready`,
      `${n(b.peakRssMB)} MB · ${n(b.readyMs)} ms`,
      `every body in memory ${n(w.peakRssMB)} MB · ${n(w.readyMs)} ms`,
      pct(g('backlog', 'startRssBoundedVsWhole')),
      `≤ 50 %${mark(met('backlog', 'backlog: start RSS with the bound / whole backlog in memory'))}`,
    ])
    rows.push([
      `Backlog, ${mib} MiB bound: ingest peak RSS · drain once ilert answers`,
      `${n(i?.peakRssMB)} MB · ${n(b.drainCallsPerSec)} calls/s`,
      `${n(p.events)} bodies delivered whole${mark(R.backlog.checks.every((c) => c.ok))}`,
      '',
      '',
    ])
  }
}
if (R.peers) {
  const am = g('peers', 'alertmanager')
  if (am) {
    for (const v of ['single', 'batch100']) {
      const a = am[`alertmanager_${v}`]
      for (const m of ['off', 'on']) {
        const b = am[`bridge_durable_${m}_${v}`]
        if (!a || !b) continue
        rows.push([
          `vs Alertmanager, ${v === 'single' ? '1 alert per request' : '100 per body'}, ${dlabel(m)}`,
          `${n(b.eventsPerSec)} ev/s`,
          `Alertmanager ${n(a.alertsPerSec)} alerts/s`,
          times(b.ratioToAlertmanager),
          '',
        ])
      }
    }
  }
  const sy = g('peers', 'syslog_ng')
  if (sy?.syslog_ng) {
    for (const m of ['off', 'on']) {
      const b = sy[`bridge_durable_${m}`]
      if (!b) continue
      rows.push([`vs syslog-ng, TCP in → HTTP out, ${dlabel(m)}`, `${n(b.eventsPerSec)} ev/s`, `syslog-ng ${n(sy.syslog_ng.eventsPerSec)} ev/s`, times(b.ratioToSyslogNg), ''])
    }
  }
  for (const s of R.peers.skipped ?? []) rows.push([`${s.what}: not run`, '', s.why.slice(0, 120), '', ''])
}

const anyRun = Object.values(R).find((r) => r !== undefined)
const mach = anyRun?.machine
const dates = Object.values(R)
  .filter((r): r is ScenarioResult => r !== undefined)
  .map((r) => r.machine.date.slice(0, 10))
const commits = [
  ...new Set(
    Object.values(R)
      .filter((r): r is ScenarioResult => r !== undefined && r.machine.commit !== undefined)
      .map((r) => `${r.machine.commit}${r.machine.srcDirty ? '+changes' : ''}`),
  ),
]
const header = mach
  ? `Measured ${[...new Set(dates)].join(', ')} on ${mach.cpuCount} × ${mach.cpuModel}, ${mach.memoryGiB} GiB, Linux ${mach.kernel}, Bun ${mach.bun}${commits.length ? `, commit ${commits.join(', ')}` : ''}; ${mach.pinning}.`
  : 'No results yet: run `npm run bench`.'
const table = [
  header,
  '',
  '| what | bridge | baseline (same run) | ratio | target |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n')

// ----------------------------------------------------------------------------------------- chart
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function chart(): string {
  const W = 1100
  const H = 595
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">mcp-ilert benchmarks${quick ? ' (quick run)' : ''}</text>`)
  out.push(`<text x="${W / 2}" y="42" text-anchor="middle" fill="#555">${esc(mach ? `${mach.cpuCount} × ${mach.cpuModel}, Bun ${mach.bun}, ${dates[0] ?? ''}` : '')}</text>`)

  // Panel A: latency percentiles, log scale.
  const ax = 70
  const ay = 70
  const aw = 470
  const ah = 400
  out.push(`<text x="${ax + aw / 2}" y="${ay - 8}" text-anchor="middle" font-weight="bold">End-to-end latency, acceptance → simulator (ms, log scale)</text>`)
  const lo = 0.01
  let worst = 1
  for (const k of ['baseline', 'bridge_durable_off', 'bridge_durable_on'])
    for (const r of [1000, 10000]) {
      const v = g('latency', `${k}.r${r}.p999`)
      if (typeof v === 'number' && v > worst) worst = v
    }
  const hi = 10 ** Math.max(3, Math.min(5, Math.ceil(Math.log10(worst))))
  const yOf = (v: number) => ay + ah - ((Math.log10(Math.max(lo, Math.min(hi, v))) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ah
  for (let e = -2; e <= Math.log10(hi); e++) {
    const v = 10 ** e
    const y = yOf(v)
    out.push(`<line x1="${ax}" y1="${y}" x2="${ax + aw}" y2="${y}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${ax - 6}" y="${y + 4}" text-anchor="end" fill="#555">${v >= 1 ? v : v.toFixed(2)}</text>`)
  }
  const y5 = yOf(5)
  out.push(`<line x1="${ax}" y1="${y5}" x2="${ax + aw / 2}" y2="${y5}" stroke="#d62728" stroke-dasharray="5,4"/>`)
  const series = [
    { key: 'baseline', label: 'bare relay', color: '#9e9e9e' },
    { key: 'bridge_durable_off', label: 'bridge, in-memory', color: '#1f77b4' },
    { key: 'bridge_durable_on', label: 'bridge, durable', color: '#ff7f0e' },
  ].filter((s) => g('latency', s.key) !== undefined)
  const pcts = [
    ['p50', 'p50'],
    ['p99', 'p99'],
    ['p999', 'p99.9'],
  ] as const
  const rates = [1000, 10000]
  const groupW = aw / rates.length
  const bw = Math.min(22, (groupW - 40) / (pcts.length * Math.max(1, series.length) + pcts.length))
  rates.forEach((rate, ri) => {
    const gx = ax + ri * groupW + 20
    out.push(`<text x="${ax + ri * groupW + groupW / 2}" y="${ay + ah + 34}" text-anchor="middle" font-weight="bold">${rate.toLocaleString('en-US')} events/s</text>`)
    pcts.forEach(([k, label], pi) => {
      const px = gx + pi * (series.length * bw + bw)
      series.forEach((s, si) => {
        const v = g('latency', `${s.key}.r${rate}.${k}`) as number | undefined
        if (typeof v !== 'number') return
        const x = px + si * bw
        const y = yOf(v)
        out.push(`<rect x="${x}" y="${y}" width="${bw - 2}" height="${ay + ah - y}" fill="${s.color}"><title>${esc(`${s.label} @${rate}/s ${label}: ${v} ms`)}</title></rect>`)
      })
      out.push(`<text x="${px + (series.length * bw) / 2}" y="${ay + ah + 16}" text-anchor="middle" fill="#333">${label}</text>`)
    })
  })
  out.push(`<line x1="${ax}" y1="${ay + ah}" x2="${ax + aw}" y2="${ay + ah}" stroke="#333"/>`)
  series.forEach((s, i) => {
    out.push(`<rect x="${ax + i * 145}" y="${ay + ah + 50}" width="12" height="12" fill="${s.color}"/>`)
    out.push(`<text x="${ax + i * 145 + 16}" y="${ay + ah + 60}">${esc(s.label)}</text>`)
  })
  const lx = ax
  out.push(`<line x1="${lx}" y1="${ay + ah + 74}" x2="${lx + 12}" y2="${ay + ah + 74}" stroke="#d62728" stroke-dasharray="4,3"/>`)
  out.push(`<text x="${lx + 16}" y="${ay + ah + 78}">target: p99 ≤ 5 ms at 1,000 events/s</text>`)

  // Panel B: throughput ratios against the same-run baseline.
  const bx = 760
  const by = 70
  const bwid = 310
  type Bar = { label: string; value: number; target?: number; color: string }
  const bars: Bar[] = []
  const col = (m: string) => (m === 'on' ? '#ff7f0e' : m === 'on_normal' ? '#2ca02c' : '#1f77b4')
  const tgt = (m: string, off: number, on: number) => (m === 'on_normal' ? undefined : m === 'off' ? off : on)
  for (const m of modes('tcp')) bars.push({ label: `TCP ingest / bare loop, ${dlabel(m)}`, value: g('tcp', `bridge_durable_${m}.ratio`), target: tgt(m, 0.8, 0.75), color: col(m) })
  for (const m of modes('http')) bars.push({ label: `HTTP 1/req / bare serve, ${dlabel(m)}`, value: g('http', `single.bridge_durable_${m}.ratio`), target: tgt(m, 0.8, 0.75), color: col(m) })
  for (const m of modes('http')) bars.push({ label: `HTTP 100/body / bare serve, ${dlabel(m)}`, value: g('http', `batch100.bridge_durable_${m}.ratio`), target: tgt(m, 0.8, 0.7), color: col(m) })
  for (const [k, label, m] of [['bridge_durable_on', 'default config', 'on'], ['bridge_durable_off', 'in-memory', 'off']] as const)
    if (g('storm', k)) bars.push({ label: `storm ingest / bare loop, ${label}`, value: g('storm', `${k}.ingestVsBare`), target: m === 'on' ? 0.7 : undefined, color: col(m) })
  const am = g('peers', 'alertmanager')
  for (const v of ['single', 'batch100'])
    for (const m of ['off', 'on']) if (am?.[`bridge_durable_${m}_${v}`]) bars.push({ label: `vs Alertmanager ${v === 'single' ? '1/req' : '100/body'}, ${dlabel(m)}`, value: am[`bridge_durable_${m}_${v}`].ratioToAlertmanager, color: col(m) })
  const sy = g('peers', 'syslog_ng')
  for (const m of ['off', 'on']) if (sy?.[`bridge_durable_${m}`]?.ratioToSyslogNg !== undefined) bars.push({ label: `vs syslog-ng TCP→HTTP, ${dlabel(m)}`, value: sy[`bridge_durable_${m}`].ratioToSyslogNg, color: col(m) })
  const valid = bars.filter((b) => typeof b.value === 'number' && Number.isFinite(b.value))
  const maxV = Math.max(1.2, ...valid.map((b) => b.value), ...valid.map((b) => b.target ?? 0))
  // Ratios above 2 are drawn to the edge (their value is printed): small ratios stay readable.
  const scaleMax = Math.min(2, Math.ceil(maxV * 2) / 2)
  const rowH = Math.min(26, (H - by - 70) / Math.max(1, valid.length))
  out.push(`<text x="${bx + bwid / 2 - 110}" y="${by - 8}" text-anchor="middle" font-weight="bold">Throughput: bridge ÷ same-run baseline or peer</text>`)
  const xOf = (v: number) => bx + (Math.min(v, scaleMax) / scaleMax) * bwid
  for (let t = 0; t <= scaleMax + 1e-9; t += 0.5) {
    const x = xOf(t)
    out.push(`<line x1="${x}" y1="${by}" x2="${x}" y2="${by + rowH * valid.length}" stroke="${t === 1 ? '#999' : '#e3e3e3'}"/>`)
    out.push(`<text x="${x}" y="${by + rowH * valid.length + 14}" text-anchor="middle" fill="#555">${t}×</text>`)
  }
  valid.forEach((b, i) => {
    const y = by + i * rowH
    out.push(`<text x="${bx - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(b.label)}</text>`)
    out.push(`<rect x="${bx}" y="${y + 4}" width="${Math.max(1, xOf(b.value) - bx)}" height="${rowH - 8}" fill="${b.color}"/>`)
    const labelX = Math.max(xOf(b.value), b.target !== undefined ? xOf(b.target) : 0) + 5
    const clipped = b.value > scaleMax
    out.push(`<text x="${clipped ? bx + bwid - 4 : labelX}" y="${y + rowH / 2 + 4}" fill="${clipped ? '#fff' : '#111'}" text-anchor="${clipped ? 'end' : 'start'}" font-weight="${clipped ? 'bold' : 'normal'}">${b.value.toFixed(2)}${clipped ? ' →' : ''}</text>`)
    if (b.target !== undefined) {
      const tx = xOf(b.target)
      out.push(`<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + rowH - 1}" stroke="#d62728" stroke-width="3"/>`)
    }
  })
  out.push(`<line x1="${bx}" y1="${by + rowH * valid.length + 30}" x2="${bx + 14}" y2="${by + rowH * valid.length + 30}" stroke="#d62728" stroke-width="3"/>`)
  out.push(`<text x="${bx + 20}" y="${by + rowH * valid.length + 34}" fill="#333">target (HTTP 100/body: 500,000 ev/s as a ratio)</text>`)
  out.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle" fill="#777" font-size="11">Each figure beside its baseline from the same run; absolute numbers on a shared 2-core machine are noisy, the ratios are the headline.</text>`)
  out.push('</svg>')
  return out.join('\n')
}

// ----------------------------------------------------------------------------------------- write
const targets = Object.values(R).flatMap((r) => (r ? r.targets.map((t) => ({ scenario: r.scenario, ...t })) : []))
const checks = Object.values(R).flatMap((r) => (r ? r.checks.map((c) => ({ scenario: r.scenario, ...c })) : []))
writeFileSync(
  join(dir, 'summary.json'),
  JSON.stringify(
    {
      mode: quick ? 'quick' : 'full',
      machine: mach,
      scenarios: Object.fromEntries(Object.entries(R).map(([k, v]) => [k, v ? { ok: v.ok, date: v.machine.date, durationSeconds: v.durationSeconds, skipped: v.skipped } : undefined])),
      targets,
      failedChecks: checks.filter((c) => !c.ok),
    },
    null,
    2,
  ) + '\n',
)
writeFileSync(join(dir, 'summary.md'), table + '\n')
const svg = chart()
writeFileSync(join(dir, 'chart.svg'), svg)
if (which('rsvg-convert')) {
  const r = spawnSync('rsvg-convert', ['-o', join(dir, 'chart.png'), join(dir, 'chart.svg')])
  if (r.status !== 0) log(`rsvg-convert failed: ${r.stderr}`)
}
log(`wrote ${join(dir, 'summary.md').slice(ROOT.length + 1)}, summary.json, chart.svg${which('rsvg-convert') ? ', chart.png' : ''}`)

if (process.argv.includes('--readme')) {
  const readme = join(ROOT, 'README.md')
  const BEGIN = '<!-- bench:table:begin (generated by bench/report.ts; edit outside the markers) -->'
  const END = '<!-- bench:table:end -->'
  const text = readFileSync(readme, 'utf8')
  const i = text.indexOf(BEGIN)
  const j = text.indexOf(END)
  if (i < 0 || j < i) log('README.md has no benchmark markers; table not written there')
  else {
    writeFileSync(readme, text.slice(0, i + BEGIN.length) + '\n' + table + '\n' + text.slice(j))
    log('README.md: benchmark table updated')
  }
}
process.stdout.write(table + '\n')
