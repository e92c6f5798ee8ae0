/**
 * The bad-input corpus through the Alertmanager webhook receiver (ilert's own path
 * /api/v1/events/prometheus/{key}), on both queues. Every input sits as the one bad alert between
 * two good ones of a version 4 notification: the good ones must be stored and reach the ilert
 * simulator, the bad one must be named by index and field in a 400, and counted in
 * mcp_rejected_events_total{transport="alertmanager",reason}. Bytes that leave the notification
 * unreadable (not JSON, not UTF-8, too deep) are refused whole with their reason, as no alert can
 * be told from another. Alertmanager-specific abuse of each alert field follows the same pattern,
 * as do odd but valid alerts (escapes, over-long labels and annotations), which must be delivered.
 */
import { isUtf8 } from 'node:buffer'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { TEST_KEY, type Stack, waitFor } from '../helpers/harness'
import { bytes, corpus, type GroupName, LONG } from './corpus'
import { delta, expectNoPollution, expectRejectionCounts, jsonDepthLimit, rejectedByReason, startRobustStack, STORES, withControl } from './support'
import type { SimAlert } from '../../src/simulator/simulator'

const T = 'alertmanager' as never
const MAX_DEPTH = jsonDepthLimit() ?? 32

type Want =
  /** The bad alert (index 1) is named; the good ones around it are stored. */
  | { kind: 'bad_alert'; field: RegExp; reason?: string }
  /** The whole notification is refused (unreadable). */
  | { kind: 'whole'; reason: string }
  /** All three alerts are stored; `check` looks at the middle one at ilert. */
  | { kind: 'all_stored'; fingerprint: string; check?: (a: SimAlert) => boolean }

interface AmCase {
  name: string
  /** The middle alert, as JSON text (or raw bytes). */
  alert: Uint8Array
  want: Want
}

const te = new TextEncoder()
const good = (fp: string, summary = `good ${fp}`) => JSON.stringify({ status: 'firing', labels: { alertname: 'CorpusGood', instance: fp }, annotations: { summary }, fingerprint: fp })
const notification = (alerts: Uint8Array[]) =>
  bytes('{"version":"4","status":"firing","receiver":"bridge","groupKey":"{}:{alertname=\\"Corpus\\"}","alerts":[', ...alerts.flatMap((a, i) => (i === 0 ? [a] : [',', a])), ']}')

function depthOver(v: unknown, max: number, depth = 1): boolean {
  if (typeof v !== 'object' || v === null) return false
  if (depth > max) return true
  return Object.values(v).some((c) => depthOver(c, max, depth + 1))
}

/** The expectation for a corpus line in the place of an alert, from what the line is as JSON. */
function corpusWant(line: Uint8Array): Want {
  const body = notification([te.encode(good('x')), line, te.encode(good('y'))])
  if (!isUtf8(body)) return { kind: 'whole', reason: 'invalid_utf8' }
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return { kind: 'whole', reason: 'invalid_json' }
  }
  if (depthOver(v, MAX_DEPTH)) return { kind: 'whole', reason: 'json_too_deep' }
  // An event of ours (or anything else) is not an Alertmanager alert.
  return { kind: 'bad_alert', field: /^alerts\.1(\.|$)/ }
}

const alertJson = (o: Record<string, unknown>) => te.encode(JSON.stringify(o))
const base = (fp: string, extra: Record<string, unknown> = {}) => ({ status: 'firing', labels: { alertname: 'CorpusOdd', instance: fp }, annotations: { summary: `odd ${fp}` }, fingerprint: fp, ...extra })

/** Alertmanager-specific inputs: a bad value in each alert field, and odd alerts that must still arrive. */
function amCases(tag: string): AmCase[] {
  const fp = (n: string) => `${tag}-${n}`
  const bad = (name: string, alert: unknown, field: RegExp): AmCase => ({ name, alert: te.encode(JSON.stringify(alert)), want: { kind: 'bad_alert', field } })
  const ok = (name: string, alert: Record<string, unknown>, check?: (a: SimAlert) => boolean): AmCase => ({ name, alert: alertJson(alert), want: { kind: 'all_stored', fingerprint: String(alert.fingerprint), check } })
  const strip = (o: Record<string, unknown>, k: string) => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k))
  return [
    bad('alert without status', strip(base(fp('no-status')), 'status'), /^alerts\.1\.status$/),
    ...['pending', 'FIRING', 1, null, ['firing']].map((s) => bad(`status ${JSON.stringify(s)}`, base(fp('status'), { status: s }), /^alerts\.1\.status$/)),
    bad('alert without labels', strip(base(fp('no-labels')), 'labels'), /^alerts\.1\.labels$/),
    ...['x', [], null, 1].map((l) => bad(`labels ${JSON.stringify(l)}`, base(fp('labels'), { labels: l }), /^alerts\.1\.labels$/)),
    ...[1, null, { b: 'c' }, ['v']].map((v) => bad(`label value ${JSON.stringify(v)}`, base(fp('label-value'), { labels: { alertname: 'x', team: v } }), /^alerts\.1\.labels\.team$/)),
    bad('annotations a string', base(fp('ann'), { annotations: 'x' }), /^alerts\.1\.annotations$/),
    bad('annotation summary a number', base(fp('ann-num'), { annotations: { summary: 1 } }), /^alerts\.1\.annotations\.summary$/),
    { name: 'annotation __proto__ an object', alert: te.encode(`{"status":"firing","labels":{"alertname":"x"},"annotations":{"__proto__":{"polluted":1}}}`), want: { kind: 'bad_alert', field: /^alerts\.1\.annotations\.__proto__/ } },
    ...(['startsAt', 'endsAt', 'generatorURL', 'fingerprint'] as const).flatMap((f) => [1, [], {}].map((v) => bad(`${f} ${JSON.stringify(v)}`, base(fp(f), { [f]: v }), new RegExp(`^alerts\\.1\\.${f}$`)))),
    bad('fingerprint of 300 characters (alert keys are at most 256)', base('f'.repeat(300)), /^alerts\.1\.fingerprint$/),
    bad(`fingerprint of ${LONG} characters`, base('g'.repeat(LONG)), /^alerts\.1\.fingerprint$/),
    ...[null, 42, 'an alert', [], [base(fp('nested'))]].map((a) => bad(`alert ${JSON.stringify(a).slice(0, 30)}`, a, /^alerts\.1$/)),

    ok('unknown alert fields are ignored (Alertmanager adds fields)', base(fp('unknown-fields'), { silencedBy: [], extra: { a: 1 } })),
    ok('escaped code points in summary and labels arrive intact', base(fp('escapes'), { labels: { alertname: 'x', 'k\ud800': 'v\udfff\u0000\u202e' }, annotations: { summary: 'a\u0000b \ud83d\ude80 \ud800' } }), (a) =>
      a.summary === 'a\u0000b \ud83d\ude80 \ud800' && a.labels['k\ud800'] === 'v\udfff\u0000\u202e'),
    ok(`label value of ${LONG} characters: cut to 1024`, base(fp('long-label'), { labels: { alertname: 'x', team: 't'.repeat(LONG) } }), (a) => a.labels.team?.length === 1024),
    ok(`label name of ${LONG} characters: left out, the others kept`, base(fp('long-name'), { labels: { alertname: 'kept', ['n'.repeat(LONG)]: 'v' } }), (a) => a.labels.alertname === 'kept' && Object.keys(a.labels).every((k) => k.length <= 128)),
    ok('100 labels: at most 64 kept', base(fp('many-labels'), { labels: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`l${i}`, 'v'])) }), (a) => Object.keys(a.labels).length <= 64 && a.labels.l0 === 'v'),
    ok(`summary annotation of ${LONG} characters: cut to 4096`, base(fp('long-summary'), { annotations: { summary: 's'.repeat(LONG) } }), (a) => a.summary.length === 4096),
    ok(`generatorURL of ${LONG} characters: cut to 2048`, base(fp('long-url'), { generatorURL: `http://p/${'u'.repeat(LONG)}` }), (a) => a.links.some((l) => l.href.length === 2048)),
    {
      name: 'labels named __proto__ and constructor arrive as labels',
      alert: te.encode(`{"status":"firing","labels":{"alertname":"x","__proto__":"polluted","constructor":"c"},"annotations":{"summary":"proto labels"},"fingerprint":"${fp('proto-labels')}"}`),
      want: { kind: 'all_stored', fingerprint: fp('proto-labels'), check: (a) => Object.hasOwn(a.labels, '__proto__') && (a.labels as any).constructor === 'c' },
    },
  ]
}

async function postNotification(stack: Stack, body: Uint8Array) {
  const res = await fetch(`${stack.bound.http.url}/api/v1/events/prometheus/${TEST_KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: res.status, text, json }
}

async function runCases(stack: Stack, name: string, cases: AmCase[]) {
  const before = await rejectedByReason(stack, T)
  const reasons: string[] = []
  await withControl(stack, `am-${name}`, async () => {
    const problems: string[] = []
    const delivered: { fingerprint: string; check?: (a: SimAlert) => boolean }[] = []
    for (const [i, k] of cases.entries()) {
      const a = `${name}-${i}-a`
      const b = `${name}-${i}-b`
      const r = await postNotification(stack, notification([te.encode(good(a)), k.alert, te.encode(good(b))]))
      const got = `${r.status} ${r.text.slice(0, 300)}`
      const w = k.want
      if (w.kind === 'whole') {
        reasons.push(w.reason)
        if (r.status !== 400 || r.json?.reason !== w.reason || r.json?.accepted !== 0 || typeof r.json?.error !== 'string') problems.push(`${k.name}: want 400 ${w.reason}, got ${got}`)
        continue
      }
      delivered.push({ fingerprint: a }, { fingerprint: b })
      if (w.kind === 'all_stored') {
        if (r.status !== 200 || r.json?.accepted !== 3) problems.push(`${k.name}: want 200 accepted 3, got ${got}`)
        delivered.push({ fingerprint: w.fingerprint, check: w.check })
        continue
      }
      reasons.push(w.reason ?? 'schema')
      const rej = r.json?.rejected
      const item = Array.isArray(rej) && rej.length === 1 ? rej[0] : undefined
      if (r.status !== 400 || r.json?.accepted !== 2 || item === undefined) problems.push(`${k.name}: want 400 with accepted 2 and one rejected alert, got ${got}`)
      else if (item.index !== 1 || !w.field.test(String(item.field)) || item.reason !== (w.reason ?? 'schema') || typeof item.message !== 'string' || !item.message.startsWith(String(item.field)))
        problems.push(`${k.name}: rejected item ${JSON.stringify(item).slice(0, 300)}, want index 1, field ${w.field}`)
    }
    expect(problems).toEqual([])
    const missing = () =>
      delivered.filter((d) => !stack.sim.alerts().some((al) => al.alertKey === d.fingerprint && (d.check?.(al) ?? true))).map((d) => d.fingerprint)
    await waitFor(`${name}: the good alerts at ilert`, () => missing().length === 0, 20_000).catch((err) => {
      throw new Error(`${(err as Error).message}; missing or wrong: ${missing().join(', ')}`)
    })
  }, { tcp: false })
  expectRejectionCounts(delta(await rejectedByReason(stack, T), before), reasons)
}

for (const store of STORES) {
  describe(`Alertmanager webhook corpus (one bad alert between good ones), ${store} queue`, () => {
    let stack: Stack
    beforeAll(async () => {
      stack = await startRobustStack({ store })
    })
    afterAll(() => stack.stop())

    test(`runs on the ${store} queue`, () => {
      expect(stack.app.config.queue.durable).toBe(store === 'durable')
    })

    const groups = corpus(`am-${store}`, { maxJsonDepth: jsonDepthLimit() })
    for (const name of Object.keys(groups) as GroupName[]) {
      const cases = groups[name].map((k) => ({ name: k.name, alert: k.line, want: corpusWant(k.line) }))
      test(`corpus ${name}: ${cases.length} inputs as the middle alert; good alerts stored, the bad one named; counted`, () => runCases(stack, `am-${store}-${name}`, cases))
    }

    const own = amCases(`am-${store}`)
    test(`Alertmanager fields: ${own.length} bad or odd alerts between good ones`, () => runCases(stack, `am-${store}-fields`, own))

    test('a notification whose only alert is bad: 400 naming it, nothing stored', async () => {
      const r = await postNotification(stack, notification([te.encode('{"status":"firing"}')]))
      expect(r.status).toBe(400)
      expect(r.json).toEqual({ accepted: 0, rejected: [{ index: 0, reason: 'schema', field: 'alerts.0.labels', message: 'alerts.0.labels: is required' }], error: 'alerts.0.labels: is required' })
    })

    test('no prototype pollution after the corpus', () => {
      expectNoPollution()
    })
  })
}
