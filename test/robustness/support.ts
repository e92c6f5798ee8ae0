/**
 * Shared machinery of the robustness suites: a well-behaved control client that keeps sending
 * valid events beside the abuse (over TCP and HTTP) and checks every one of them is acknowledged
 * and reaches the ilert simulator; runners that send a corpus group over TCP or HTTP and check
 * each input's answer; metric deltas; memory readings. No timing assertions anywhere: every wait
 * is a poll with a generous upper bound.
 */
import { expect } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postEvents, type Stack, startStack, testConfig, waitFor } from '../helpers/harness'
import { connectClient, type TcpTestClient } from '../helpers/tcp-client'
import { type Case, type Expect, joinLines, validEvent } from './corpus'

type StackOptions = NonNullable<Parameters<typeof startStack>[0]>

/** The queue behind ingest: the in-memory ring (the harness default) or the durable SQLite store (the product default). */
export type Store = 'memory' | 'durable'
export const STORES: Store[] = ['memory', 'durable']

/** limits.max_json_depth of the bridge under test, when its config has that bound. */
export function jsonDepthLimit(): number | undefined {
  const limits = (testConfig() as unknown as { limits?: { max_json_depth?: number } }).limits
  return limits?.max_json_depth
}

type ConfigOverrides = NonNullable<Parameters<typeof testConfig>[0]>

/**
 * Adds to `config` whatever lifts the per-client-address bounds to `n` where the bridge has them
 * (every test client connects from 127.0.0.1). Untyped: configs without these keys ignore them.
 */
export function liftPerPeerBounds(n: number, config: ConfigOverrides = {}): ConfigOverrides {
  const c = config as Record<string, Record<string, unknown> | undefined>
  return {
    ...c,
    tcp: { ...c.tcp, max_connections_per_peer: n },
    listen: { ...c.listen, max_requests_in_flight_per_peer: n },
  } as ConfigOverrides
}

/**
 * Starts the real bridge and simulator with rate limits out of the way (the control client and
 * the accepted corpus cases share one key). `durable` puts the queue in a fresh temporary
 * directory, removed again by `stop()`.
 */
export async function startRobustStack(
  opts: { store?: Store; config?: ConfigOverrides; sim?: StackOptions['sim'] } = {},
): Promise<Stack> {
  const dir = opts.store === 'durable' ? mkdtempSync(join(tmpdir(), 'mcp-ilert-robust-')) : undefined
  const stack = await startStack({
    config: {
      rate_limit: { per_key_per_minute: 10_000, per_minute: 20_000 },
      ...(dir === undefined ? {} : { queue: { durable: true, path: join(dir, 'queue') } }),
      ...opts.config,
    },
    sim: { rateLimit: { perKey: 0 }, ...opts.sim },
  })
  if (dir === undefined) return stack
  const stop = stack.stop.bind(stack)
  return Object.assign(stack, {
    async stop() {
      try {
        await stop()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  })
}

// ───────────────────────── control client ─────────────────────────

export interface Control {
  /** Resolves once the first round was acknowledged: the control client is live. */
  readonly ready: Promise<void>
  /** Stops after the current round; resolves once every control event reached the simulator. */
  stop(): Promise<{ rounds: number; keys: string[] }>
  /** Stops the loop without checking anything (cleanup after a failed test); idempotent. */
  halt(): Promise<void>
}

/** Minimum rounds a control client completes, so it is really sending beside the abuse. */
const MIN_ROUNDS = 3

export interface ControlOptions {
  /** Also send over TCP (default true). */
  tcp?: boolean
}

/**
 * Sends one valid event over a persistent TCP connection (waiting for its ack) and one over
 * HTTP (expecting 202) per round, until stopped. Every event carries a unique alert key.
 */
export function startControl(stack: Stack, tag: string, opts: ControlOptions = {}): Control {
  const keys: string[] = []
  let stopping = false
  let rounds = 0
  let live: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (live = resolve))
  const run = (async () => {
    const c = opts.tcp === false ? undefined : await connectClient(stack.bound.tcp!.port)
    try {
      while (!stopping || rounds < MIN_ROUNDS) {
        const n = ++rounds
        if (c !== undefined) {
          const tk = `ctl-${tag}-tcp-${n}`
          await c.send(validEvent(tk) + '\n')
          const ack = await c.waitForAck(n, 20_000)
          if (ack.ack !== n || ack.accepted !== n || ack.rejected !== 0) throw new Error(`control: unexpected ack ${JSON.stringify(ack)} for line ${n}`)
          keys.push(tk)
        }
        const hk = `ctl-${tag}-http-${n}`
        const res = await postEvents(stack, JSON.parse(validEvent(hk)))
        const body = await res.text()
        if (res.status !== 202) throw new Error(`control: HTTP ${res.status} ${body}`)
        keys.push(hk)
        live()
        await Bun.sleep(2)
      }
      if (c !== undefined) {
        expect(c.errors()).toEqual([])
        expect(c.closed).toBe(false)
      }
    } finally {
      c?.close()
    }
  })()
  run.catch(() => undefined) // reported by stop()
  return {
    ready: Promise.race([ready, run.then(() => undefined)]),
    async halt() {
      stopping = true
      await run.catch(() => undefined)
    },
    async stop() {
      stopping = true
      await run
      await waitFor(
        `all ${keys.length} control events of ${tag} at ilert`,
        () => {
          const seen = new Set(stack.sim.events().map((e) => e.alertKey))
          return keys.every((k) => seen.has(k))
        },
        20_000,
      )
      return { rounds, keys }
    },
  }
}

/**
 * Runs `abuse` with a control client beside it: the control client is live before the abuse
 * starts, keeps sending during it, and every one of its events must be acknowledged and reach
 * ilert afterwards. The control loop is stopped even when the abuse fails.
 */
export async function withControl<T>(stack: Stack, tag: string, abuse: () => Promise<T>, opts: ControlOptions = {}): Promise<T> {
  const control = startControl(stack, tag, opts)
  try {
    await control.ready
    const result = await abuse()
    await control.stop()
    return result
  } finally {
    await control.halt()
  }
}

// ───────────────────────── metrics, memory, pollution ─────────────────────────

export type Transport = 'tcp' | 'http'

/** mcp_rejected_events_total{transport} by reason. */
export async function rejectedByReason(stack: Stack, transport: Transport): Promise<Record<string, number>> {
  const m = await stack.registry.getSingleMetric('mcp_rejected_events_total')?.get()
  const out: Record<string, number> = {}
  for (const v of m?.values ?? []) {
    // Label sets exist at 0 from the start (so alerts see the first increase); only counts matter here.
    if (v.labels.transport !== transport || v.value === 0) continue
    const r = String(v.labels.reason)
    out[r] = (out[r] ?? 0) + v.value
  }
  return out
}

export function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0)
  return out
}

/** Checks a metric delta against expected rejections (string reasons exactly, regex reasons by sum). */
export function expectRejectionCounts(d: Record<string, number>, expected: (string | RegExp)[]): void {
  const exact: Record<string, number> = {}
  const patterns: RegExp[] = []
  for (const r of expected) {
    if (typeof r === 'string') exact[r] = (exact[r] ?? 0) + 1
    else patterns.push(r)
  }
  const rest: Record<string, number> = { ...d }
  for (const r of Object.keys(exact)) {
    expect({ reason: r, count: d[r] ?? 0 }).toEqual({ reason: r, count: exact[r]! })
    delete rest[r]
  }
  const restTotal = Object.values(rest).reduce((a, b) => a + b, 0)
  expect(restTotal).toBe(patterns.length)
  for (const r of Object.keys(rest)) expect(patterns.some((p) => p.test(r))).toBe(true)
}

export interface MemoryReading {
  rss: number
  heapUsed: number
}

export function memory(): MemoryReading {
  Bun.gc(true)
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed }
}

/** Generous: the bridge runs inside the test process together with the simulator. */
export const MAX_GROWTH_BYTES = 100 * 1024 * 1024

export function expectBoundedGrowth(before: MemoryReading, after: MemoryReading): void {
  const mb = (n: number) => Math.round(n / 1024 / 1024)
  expect({ rssGrowthMB: mb(after.rss - before.rss) < mb(MAX_GROWTH_BYTES), heapGrowthMB: mb(after.heapUsed - before.heapUsed) < mb(MAX_GROWTH_BYTES) }).toEqual({
    rssGrowthMB: true,
    heapGrowthMB: true,
  })
}

export function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false)
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined()
  expect((Object as unknown as Record<string, unknown>).polluted).toBeUndefined()
}

// ───────────────────────── answer checks ─────────────────────────

const matches = (want: string | RegExp | undefined, got: unknown) =>
  want === undefined || (typeof got === 'string' && (typeof want === 'string' ? got === want : want.test(got)))

function describeWant(e: Expect): string {
  return e.kind === 'accepted' ? `accepted as ${e.alertKey}` : `rejected reason=${e.reason} field=${e.field ?? '-'} message=${e.message ?? '-'}`
}

/** Returns a problem description, or undefined when the error answer fits `want`. */
function checkError(got: { reason?: string; field?: string; message?: string } | undefined, want: Expect): string | undefined {
  if (want.kind === 'accepted') return got === undefined ? undefined : `expected it accepted, got error ${JSON.stringify(got).slice(0, 300)}`
  if (got === undefined) return 'expected an error, got none (accepted)'
  if (!matches(want.reason, got.reason)) return `reason ${JSON.stringify(got.reason)}`
  if (!matches(want.field, got.field)) return `field ${JSON.stringify(got.field)?.slice(0, 200)}`
  if (typeof got.message !== 'string' || got.message.length === 0) return 'no message'
  if (!matches(want.message, got.message)) return `message ${JSON.stringify(got.message).slice(0, 200)}`
  return undefined
}

/** Waits until every accepted case is at the simulator and passes its check. */
export async function expectDelivered(stack: Stack, wants: Expect[], what: string): Promise<void> {
  const acc = wants.filter((w): w is Extract<Expect, { kind: 'accepted' }> => w.kind === 'accepted')
  if (acc.length === 0) return
  const pending = () => {
    const byKey = new Map<string, unknown[]>()
    for (const a of stack.sim.alerts()) {
      const l = byKey.get(a.alertKey) ?? []
      l.push(a)
      byKey.set(a.alertKey, l)
    }
    return acc.filter((w) => !(byKey.get(w.alertKey) ?? []).some((a) => w.check?.(a as never) ?? true)).map((w) => w.alertKey)
  }
  try {
    await waitFor(`${what}: accepted events at ilert`, () => pending().length === 0, 20_000)
  } catch (err) {
    throw new Error(`${(err as Error).message}; missing or wrong: ${pending().join(', ')}`)
  }
}

// ───────────────────────── group runners ─────────────────────────

/**
 * TCP: sends every case as one line on a fresh connection, then a valid sentinel line; checks
 * one error line per rejected line (line number, reason, field, message), none for accepted
 * ones, the final cumulative ack, delivery of the accepted ones, and the rejection metrics.
 * The control client runs beside it throughout.
 */
export async function runTcpGroup(stack: Stack, name: string, cases: Case[]): Promise<void> {
  const before = await rejectedByReason(stack, 'tcp')
  await withControl(stack, `tcp-${name}`, () => tcpGroupBody(stack, name, cases))
  const d = delta(await rejectedByReason(stack, 'tcp'), before)
  expectRejectionCounts(d, cases.flatMap((k) => (k.expect.kind === 'rejected' ? [k.expect.reason] : [])))
}

async function tcpGroupBody(stack: Stack, name: string, cases: Case[]): Promise<void> {
  const c: TcpTestClient = await connectClient(stack.bound.tcp!.port)
  const sentinelKey = `tcp-${name}-sentinel`
  await c.send(joinLines([...cases.map((k) => k.line), new TextEncoder().encode(validEvent(sentinelKey))]))
  const last = cases.length + 1
  const ack = await c.waitForAck(last, 20_000)

  const errors = c.errors()
  const byLine = new Map<number, (typeof errors)[number]>()
  const problems: string[] = []
  for (const e of errors) {
    if (typeof e.line !== 'number') problems.push(`error without a line number: ${JSON.stringify(e)}`)
    else if (byLine.has(e.line)) problems.push(`two errors for line ${e.line}`)
    else byLine.set(e.line, e)
  }
  cases.forEach((k, i) => {
    const p = checkError(byLine.get(i + 1), k.expect)
    if (p) problems.push(`line ${i + 1} (${k.name}): ${p}; want ${describeWant(k.expect)}`)
  })
  if (byLine.has(last)) problems.push(`the sentinel line was rejected: ${JSON.stringify(byLine.get(last))}`)
  expect(problems).toEqual([])
  const nRejected = cases.filter((k) => k.expect.kind === 'rejected').length
  expect(ack).toEqual({ ack: last, accepted: cases.length - nRejected + 1, rejected: nRejected })
  expect(c.closed).toBe(false) // bad lines never cost the connection
  c.close()

  await expectDelivered(stack, [...cases.map((k) => k.expect), { kind: 'accepted', alertKey: sentinelKey }], `tcp ${name}`)
}

/** Keeps NDJSON batches under this size (listen.max_body_bytes defaults to 1 MiB). */
const NDJSON_BATCH_BYTES = 900 * 1024

async function postRaw(stack: Stack, body: Uint8Array | string, contentType: string) {
  const res = await fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': contentType }, body })
  const text = await res.text()
  let parsed: any
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = { unparseable: text.slice(0, 200) }
  }
  return { status: res.status, body: parsed, contentType: res.headers.get('content-type') }
}

/** The answer to a one-item HTTP request, reduced to what the expectation speaks about. */
function checkHttpSingle(r: { status: number; body: any }, want: Expect): string | undefined {
  if (want.kind === 'accepted') {
    if (r.status !== 202 || r.body.accepted !== 1) return `expected 202 accepted 1, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`
    return undefined
  }
  if (r.status !== 400) return `expected 400, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`
  if (r.body.accepted !== 0) return `accepted ${r.body.accepted}`
  // Whole-body problems: {error, reason}; per-item problems: {rejected: [{index, reason, field, message}]}.
  if (typeof r.body.reason === 'string') return checkError({ reason: r.body.reason, message: r.body.error }, { ...want, field: undefined })
  const item = Array.isArray(r.body.rejected) ? r.body.rejected[0] : undefined
  if (item === undefined) return `no reason and no rejected item: ${JSON.stringify(r.body).slice(0, 300)}`
  if (item.index !== 0) return `rejected index ${item.index}`
  return checkError(item, want)
}

/**
 * HTTP: POSTs each case alone as application/json (checking status, reason, index and field),
 * then all of them as NDJSON with a valid sentinel (checking each rejected item's index, line,
 * reason and field, and the accepted count); delivery; rejection metrics. Control client beside.
 * `jsonTag`/`ndjsonTag` cases must be built with different tags so their alert keys differ.
 */
export async function runHttpGroup(stack: Stack, name: string, asJson: Case[], asNdjson: Case[]): Promise<void> {
  const before = await rejectedByReason(stack, 'http')
  const expectedReasons = await withControl(stack, `http-${name}`, () => httpGroupBody(stack, name, asJson, asNdjson))
  expectRejectionCounts(delta(await rejectedByReason(stack, 'http'), before), expectedReasons)
}

async function httpGroupBody(stack: Stack, name: string, asJson: Case[], asNdjson: Case[]): Promise<(string | RegExp)[]> {
  const problems: string[] = []
  const expectedReasons: (string | RegExp)[] = []

  for (const k of asJson) {
    const want = k.asBody ?? k.expect
    const r = await postRaw(stack, k.line, 'application/json')
    if (r.contentType?.includes('application/json') !== true) problems.push(`json ${k.name}: content-type ${r.contentType}`)
    const p = checkHttpSingle(r, want)
    if (p) problems.push(`json body (${k.name}): ${p}; want ${describeWant(want)}`)
    if (want.kind === 'rejected') expectedReasons.push(want.reason)
  }

  // NDJSON in batches under the body limit; each batch ends with a valid sentinel.
  const sentinels: Expect[] = []
  let batch: Case[] = []
  let size = 0
  const flush = async () => {
    if (batch.length === 0) return
    const sentinelKey = `http-${name}-sentinel-${sentinels.length}`
    sentinels.push({ kind: 'accepted', alertKey: sentinelKey })
    const body = joinLines([...batch.map((k) => k.line), new TextEncoder().encode(validEvent(sentinelKey))])
    const r = await postRaw(stack, body, 'application/x-ndjson')
    const nRejected = batch.filter((k) => k.expect.kind === 'rejected').length
    if (r.status !== 202 || r.body.accepted !== batch.length - nRejected + 1) problems.push(`ndjson batch: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`)
    const byIndex = new Map<number, any>()
    for (const item of (r.body.rejected ?? []) as any[]) {
      if (byIndex.has(item.index)) problems.push(`ndjson: two rejections for index ${item.index}`)
      byIndex.set(item.index, item)
      if (item.line !== item.index + 1) problems.push(`ndjson index ${item.index}: line ${item.line}, want ${item.index + 1}`)
    }
    batch.forEach((k, i) => {
      const p = checkError(byIndex.get(i), k.expect)
      if (p) problems.push(`ndjson line ${i + 1} (${k.name}): ${p}; want ${describeWant(k.expect)}`)
      if (k.expect.kind === 'rejected') expectedReasons.push(k.expect.reason)
    })
    batch = []
    size = 0
  }
  for (const k of asNdjson) {
    if (size + k.line.length + 1 > NDJSON_BATCH_BYTES) await flush()
    batch.push(k)
    size += k.line.length + 1
  }
  await flush()

  expect(problems).toEqual([])
  await expectDelivered(stack, [...asJson.map((k) => k.asBody ?? k.expect), ...asNdjson.map((k) => k.expect), ...sentinels], `http ${name}`)
  return expectedReasons
}
