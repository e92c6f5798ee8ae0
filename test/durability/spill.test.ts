// queue.max_memory_bytes in the durable store (issue 16.4): beyond the bound, pending calls keep
// their bodies on disk only and read them back when they leave; a restart over a backlog larger
// than the bound loads it the same way. Real files, the real LogStore.
import { describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Entry } from '../../src/dispatch/coalesce'
import type { IlertEventBody, QueuedEvent } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import type { CommitResult } from '../../src/queue/event-store'
import { LogStore, type LogStoreOptions } from '../../src/queue/log-store'
import { storeScratch } from '../helpers/store-scratch'

const scratch = storeScratch('spill')
const tmp = scratch.queuePath

interface Ev {
  k: string
  s: string
  t?: IlertEventBody['eventType']
  d?: string
  l?: Record<string, string>
  c?: string
}

// Raw records are replayed (and read back) through this stand-in for validate + normalize.
const decodeRaw = (text: string): IlertEventBody | undefined => {
  const v = JSON.parse(text) as Ev
  const b: IlertEventBody = { integrationKey: 'ik-1', eventType: v.t ?? 'ALERT', summary: v.s, alertKey: v.k }
  if (v.d !== undefined) b.details = v.d
  if (v.l !== undefined) b.labels = v.l
  if (v.c !== undefined) b.comments = [{ creator: 'test', content: v.c }]
  return b
}

const BOUND = 64 * 1024

function store(path: string, extra: Partial<LogStoreOptions> = {}): LogStore {
  const s = new LogStore({ path, capacity: 100_000, sync: 'normal', segmentBytes: 256 * 1024, maxDiskBytes: 0, maxMemoryBytes: BOUND, rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, decodeRaw, ...extra })
  return scratch.keep(s)
}

const closeStore = (s: LogStore): void => scratch.close(s)

function offer(s: LogStore, e: Ev): void {
  const raw = JSON.stringify(e)
  const ev: QueuedEvent = { id: 0, body: decodeRaw(raw)!, laneKey: laneKeyFor(e.k), acceptedAt: performance.now(), attempts: 0 }
  expect(s.offer(ev, raw).kind).toBe('accepted')
}

function commit(s: LogStore): void {
  expect((s.commit() as CommitResult).kind).toBe('ok')
}

/** Offers events from..to-1 (one per alert key, ~1 KB each) in commits of 50 (staged events count against the bound too). */
function fill(s: LogStore, from: number, to: number, ev: (i: number) => Ev = (i) => ({ k: `key-${i}`, s: `event ${i}`, d: detail(i) })): void {
  for (let i = from; i < to; i++) {
    offer(s, ev(i))
    if ((i + 1 - from) % 50 === 0) commit(s)
  }
  commit(s)
}

const heads = (s: LogStore): Entry[] => [...s.table.sources.values()].flatMap((src) => [...src.lanes.values()].flatMap((l) => l.entries))

/** Every pending call's whole body (read back where spilled), by alert key. */
function bodies(s: LogStore): Map<string, IlertEventBody[]> {
  const out = new Map<string, IlertEventBody[]>()
  for (const src of s.table.sources.values()) {
    for (const lane of src.lanes.values()) {
      out.set(
        lane.key,
        lane.entries.map((e) => {
          expect(s.materialize(e)).toBe(true)
          return e.body
        }),
      )
    }
  }
  return out
}

const detail = (i: number) => `details of event ${i} `.repeat(40) // ~900 bytes

describe('queue.max_memory_bytes in the durable store', () => {
  test('a backlog twenty times the bound is accepted; the bodies held stay near the bound; every body reads back whole', () => {
    const s = store(tmp())
    fill(s, 0, 2000)
    expect(s.table.entries).toBe(2000)
    expect(s.table.bytes).toBeGreaterThan(20 * BOUND)
    expect(s.table.heldBytes).toBeLessThanOrEqual(BOUND + 2048)
    expect(heads(s).filter((e) => e.spill !== undefined).length).toBeGreaterThan(1800)
    const all = bodies(s)
    for (let i = 0; i < 2000; i++) expect(all.get(`key-${i}`)).toEqual([{ integrationKey: 'ik-1', eventType: 'ALERT', summary: `event ${i}`, alertKey: `key-${i}`, details: detail(i) }])
  })

  test('a restart over a backlog larger than the bound holds only the bound in memory and rebuilds every call exactly', () => {
    const path = tmp()
    const a = store(path)
    fill(a, 0, 1500, (i) => ({ k: `key-${i % 500}`, s: `event ${i}`, d: detail(i), ...(i >= 1000 ? { t: 'RESOLVE' as const } : {}) }))
    const before = bodies(a)
    closeStore(a)
    const b = store(path)
    expect(b.table.heldBytes).toBeLessThanOrEqual(BOUND + 2048)
    expect(b.table.spilledBytes).toBeGreaterThan(10 * BOUND)
    expect(b.table.entries).toBe(1000)
    expect(bodies(b)).toEqual(before)
    // Without a bound the same log loads whole: the same calls.
    closeStore(b)
    expect(bodies(store(path, { maxMemoryBytes: 1 << 30 }))).toEqual(before)
  })

  test('merges into a spilled call keep the newest body with every label, and comments accumulate', () => {
    const s = store(tmp())
    fill(s, 0, 200)
    offer(s, { k: 'disk', s: 'disk 1', l: { host: 'a' }, d: `first ${detail(1)}` })
    offer(s, { k: 'note', s: 'note', t: 'COMMENT', c: `one ${detail(2)}` })
    commit(s)
    const disk = s.table.laneOf('ik-1', 'disk')!
    const note = s.table.laneOf('ik-1', 'note')!
    expect(disk.entries[0]!.spill).toBeDefined()
    expect(note.entries[0]!.spill).toBeDefined()
    offer(s, { k: 'disk', s: 'disk 2', l: { rack: 'r7' }, d: 'second' })
    offer(s, { k: 'note', s: 'note', t: 'COMMENT', c: 'two' })
    commit(s)
    expect(disk.entries.length).toBe(1)
    expect(bodies(s).get('disk')).toEqual([{ integrationKey: 'ik-1', eventType: 'ALERT', summary: 'disk 2', alertKey: 'disk', details: 'second', labels: { host: 'a', rack: 'r7' } }])
    expect(note.entries.length).toBe(1)
    expect(note.entries[0]!.body.comments).toEqual([
      { creator: 'test', content: `one ${detail(2)}` },
      { creator: 'test', content: 'two' },
    ])
  })

  test('a COMMENT into a spilled COMMENT whose comments cannot be read back starts a call of its own; none is lost', () => {
    const s = store(tmp())
    fill(s, 0, 200)
    offer(s, { k: 'note', s: 'note', t: 'COMMENT', c: `one ${detail(2)}` })
    commit(s)
    const note = s.table.laneOf('ik-1', 'note')!
    expect(note.entries[0]!.spill).toBeDefined()
    // Reading it back fails for a moment (an I/O error), while the second comment comes in.
    const reader = (s as unknown as { spill: { read: (...a: unknown[]) => unknown } }).spill
    const read = reader.read
    reader.read = () => {
      throw new Error('EIO: i/o error, read')
    }
    offer(s, { k: 'note', s: 'note', t: 'COMMENT', c: 'two' })
    commit(s)
    reader.read = read
    // Two calls, in order: the first still points at its record, the second holds only its own comment.
    expect(note.entries.length).toBe(2)
    for (const e of note.entries) expect(s.materialize(e)).toBe(true)
    expect(note.entries[1]!.body.comments).toEqual([{ creator: 'test', content: 'two' }])
    expect(note.entries[0]!.body.comments).toEqual([{ creator: 'test', content: `one ${detail(2)}` }])
  })

  test('compaction moves spilled bodies into the checkpoint before the segments go; a restart from it is exact', async () => {
    const path = tmp()
    const a = store(path, { segmentBytes: 64 * 1024 })
    fill(a, 0, 2000)
    // Deliver three in four: the log is then mostly superseded and the next commit compacts it.
    for (const src of [...a.table.sources.values()]) for (const l of [...src.lanes.values()]) if (Number(l.key.slice(4)) % 4 !== 0) a.completeHead(l)
    offer(a, { k: 'after', s: 'after' })
    commit(a)
    expect(a.health()).toEqual({ kind: 'ok' })
    expect(readdirSync(path).some((f) => f.endsWith('.ckpt'))).toBe(true)
    // The covered segments are deleted off the event loop.
    const wal = () => readdirSync(path).filter((f) => f.endsWith('.wal')).length
    for (let i = 0; i < 100 && wal() > 2; i++) await Bun.sleep(20)
    expect(wal()).toBeLessThanOrEqual(2)
    const spilled = heads(a).filter((e) => e.spill !== undefined)
    expect(spilled.length).toBeGreaterThan(300)
    for (const e of spilled) expect(e.spill!.file).toEndWith('.ckpt')
    const before = bodies(a)
    expect(before.size).toBe(501)
    for (let i = 0; i < 2000; i += 4) expect(before.get(`key-${i}`)![0]!.details).toBe(detail(i))
    closeStore(a)
    const b = store(path, { segmentBytes: 64 * 1024 })
    expect(b.table.heldBytes).toBeLessThanOrEqual(BOUND + 2048)
    expect(bodies(b)).toEqual(before)
  })

  test('an HTTP batch body stays one record; its spilled items read back one by one', () => {
    const path = tmp()
    const s = store(path)
    fill(s, 0, 100)
    const items: Ev[] = []
    for (let i = 0; i < 50; i++) items.push({ k: `b-${i}`, s: `batch item ${i}`, d: detail(i) })
    const from = s.stagedCount()
    for (const it of items) {
      const ev: QueuedEvent = { id: 0, body: decodeRaw(JSON.stringify(it))!, laneKey: laneKeyFor(it.k), acceptedAt: performance.now(), attempts: 0 }
      expect(s.offer(ev, undefined).kind).toBe('accepted')
    }
    s.keepBatchText(from, JSON.stringify(items))
    commit(s)
    expect(s.table.spilledBytes).toBeGreaterThan(0)
    expect(s.table.laneOf('ik-1', 'b-49')!.entries[0]!.spill?.item).toBe(49)
    const all = bodies(s)
    for (let i = 0; i < 50; i++) expect(all.get(`b-${i}`)![0]!.summary).toBe(`batch item ${i}`)
    closeStore(s)
    const b = store(path)
    const again = bodies(b)
    for (let i = 0; i < 50; i++) expect(again.get(`b-${i}`)![0]!.details).toBe(detail(i))
  })

  test('a spilled body that cannot be read back is reported (false) and stays a spilled skeleton; read again later, it comes back whole', () => {
    const path = tmp()
    const s = store(path)
    fill(s, 0, 300)
    const e = heads(s).find((x) => x.spill !== undefined)!
    const ref = e.spill!
    e.spill = { ...ref, at: ref.at + (1 << 30) } // past the file's end
    expect(s.materialize(e)).toBe(false)
    expect(e.spill).toBeDefined()
    expect(e.body.details).toBeUndefined() // still the skeleton
    e.spill = ref
    expect(s.materialize(e)).toBe(true)
    expect(e.body.details).toBeDefined()
  })
})
