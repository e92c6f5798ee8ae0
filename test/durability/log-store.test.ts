// The write-ahead log under the lanes (src/queue/log-store.ts), on real files: what a restart
// rebuilds, acknowledgement only after the covering sync, torn tails and damage, compaction,
// disk bounds, one owner per directory, and the 0.1 migration.
import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Lane } from '../../src/dispatch/lanes'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import type { CommitResult } from '../../src/queue/event-store'
import { LogDamagedError, LogStore, type LogStoreOptions } from '../../src/queue/log-store'
import { openQueueStore } from '../../src/queue/open-store'
import { DB_FILE } from '../../src/queue/sqlite-db'
import { QueueLockedError } from '../../src/queue/wal/queue-lock'
import { ConfigSchema, type Config } from '../../src/config/schema'
import { Value } from '@sinclair/typebox/value'
import { compactedFilesGone, decodeRaw, logStoreOptions, offer, snapshot } from '../helpers/log-store-kit'
import { storeScratch } from '../helpers/store-scratch'

const scratch = storeScratch('log')
const tmp = scratch.queuePath

function store(path: string, extra: Partial<LogStoreOptions> = {}): LogStore {
  return scratch.keep(new LogStore(logStoreOptions(path, extra)))
}

const closeStore = (s: LogStore): void => scratch.close(s)

const lane = (s: LogStore, key: string): Lane => s.table.laneOf('ik-1', key)!
const segments = (path: string) => readdirSync(path).filter((f) => f.endsWith('.wal')).sort()

describe('restart rebuilds exactly the pending calls', () => {
  test('coalesced entries, per-key order, attempts and completed calls survive a reopen', async () => {
    const path = tmp()
    const a = store(path)
    for (let i = 1; i <= 5; i++) offer(a, 'disk', `disk ${i}`)
    offer(a, 'disk', 'disk ok', 'RESOLVE')
    offer(a, 'disk', 'disk again')
    offer(a, 'cpu', 'cpu 1')
    offer(a, 'cpu', 'cpu 2')
    offer(a, 'mem', 'mem 1')
    expect((a.commit() as CommitResult).kind).toBe('ok')
    const cpu = lane(a, 'cpu')
    cpu.entries[0]!.attempts = 2
    a.recordAttempt(cpu)
    a.completeHead(lane(a, 'mem'))
    const before = snapshot(a)
    expect(before).toEqual({
      cpu: ['ALERTx2(cpu 2)@2'],
      disk: ['ALERTx5(disk 5)@0', 'RESOLVEx1(disk ok)@0', 'ALERTx1(disk again)@0'],
    })
    closeStore(a)
    const b = store(path)
    expect(snapshot(b)).toEqual(before)
    expect(b.table.entries).toBe(4)
  })

  test('events merged after a call left are not lost when that call completes (replay merges them into it)', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'k', 'first')
    a.commit()
    const l = lane(a, 'k')
    l.inFlight = true // the dispatcher sent the head
    offer(a, 'k', 'second')
    a.commit()
    expect(l.entries.map((e) => e.body.summary)).toEqual(['first', 'second'])
    a.completeHead(l) // ilert accepted "first"
    l.inFlight = false
    closeStore(a)
    const b = store(path)
    expect(snapshot(b)).toEqual({ k: ['ALERTx2(second)@0'] })
  })

  test('an event without an alert key keeps its own lane across a restart, and its completion is replayed', () => {
    const path = tmp()
    const a = store(path)
    offer(a, undefined, 'anon 1')
    offer(a, undefined, 'anon 2')
    a.commit()
    const keys = Object.keys(snapshot(a))
    expect(keys).toHaveLength(2)
    a.completeHead(lane(a, keys[0]!))
    closeStore(a)
    const b = store(path)
    expect(snapshot(b)).toEqual({ [keys[1]!]: ['ALERTx1(anon 2)@0'] })
  })

  test('a replayed dead letter keeps its place in its lane across a restart', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'other', 'other') // seq 1
    offer(a, 'k', 'newer') // seq 2
    a.commit()
    // A dead letter of "k" that was seq 1 before it failed goes back before seq 2, not after it.
    const body = decodeRaw('{"k":"k","s":"older","t":"RESOLVE"}')!
    a.offer({ id: 1, body, laneKey: 'k', acceptedAt: 0, attempts: 0 }, undefined)
    a.commit()
    const before = snapshot(a)
    expect(before.k).toEqual(['RESOLVEx1(older)@0', 'ALERTx1(newer)@0'])
    closeStore(a)
    expect(snapshot(store(path))).toEqual(before)
  })

  test('send history is kept for the rate limiter', () => {
    const path = tmp()
    const a = store(path)
    a.noteSent('ik-1')
    a.noteSent('ik-1')
    closeStore(a)
    const b = store(path)
    const sends = b.recoveredSends().get('ik-1')!
    expect(sends).toHaveLength(2)
    expect(Date.now() - sends[0]!).toBeLessThan(60_000)
  })

  test('a checkpoint keeps the send times inside the window, in order, and forgets the older ones', async () => {
    const path = tmp()
    const a = store(path, { rate: { perKey: 50, windowMs: 300, marginMs: 0 } })
    for (let i = 0; i < 3; i++) a.noteSent('ik-1')
    a.noteSent('ik-2')
    await Bun.sleep(400) // those four are now older than the window
    a.noteSent('ik-1')
    a.noteSent('ik-1')
    a.checkpointNow() // the segments with the old send records go; the checkpoint holds the rest
    closeStore(a)
    const b = store(path, { rate: { perKey: 50, windowMs: 300, marginMs: 0 } })
    const sends = b.recoveredSends()
    expect(sends.has('ik-2')).toBe(false)
    const times = sends.get('ik-1')!
    expect(times).toHaveLength(2)
    expect(times[0]!).toBeLessThanOrEqual(times[1]!)
  })

  test('a raw record that no longer validates is dropped at replay and reported', () => {
    const path = tmp()
    const a = store(path)
    a.offer({ id: 0, body: decodeRaw('{"k":"x","s":"x"}')!, laneKey: 'x', acceptedAt: 0, attempts: 0 }, '{"k":"x","s":"x","bad":true}')
    offer(a, 'y', 'y')
    a.commit()
    closeStore(a)
    let dropped = 0
    const b = store(path, { events: { replayDropped: (n) => (dropped = n) } })
    expect(dropped).toBe(1)
    expect(Object.keys(snapshot(b))).toEqual(['y'])
  })
})

describe('a JSON array body is stored as the text it came in', () => {
  test('one record for the whole array; a restart rebuilds each of its events, beside single events', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'solo', 'solo 1')
    const items = [
      { k: 'disk', s: 'disk 1' },
      { k: 'disk', s: 'disk 2' },
      { k: 'cpu', s: 'cpu 1' },
      { k: 'disk', s: 'disk ok', t: 'RESOLVE' },
    ]
    const text = JSON.stringify(items)
    const mark = a.stagedCount()
    for (const it of items) {
      const body = decodeRaw(JSON.stringify(it))!
      expect(a.offer({ id: 0, body, laneKey: laneKeyFor(it.k), acceptedAt: performance.now(), attempts: 0 }, undefined).kind).toBe('accepted')
    }
    a.keepBatchText(mark, text)
    offer(a, 'solo', 'solo 2')
    expect(a.commit()).toEqual({ kind: 'ok', committed: 6 })
    const before = snapshot(a)
    expect(before).toEqual({ cpu: ['ALERTx1(cpu 1)@0'], disk: ['ALERTx2(disk 2)@0', 'RESOLVEx1(disk ok)@0'], solo: ['ALERTx2(solo 2)@0'] })
    closeStore(a)
    // The array's text is in the log once, not its events one by one.
    const log = readFileSync(join(path, segments(path)[0]!), 'utf8')
    expect(log).toContain(text)
    expect(log.split('"disk 2"').length).toBe(2)
    expect(snapshot(store(path))).toEqual(before)
  })

  test('an array not accepted whole (an event staged with its own text inside the run) is stored event by event', () => {
    const path = tmp()
    const a = store(path)
    const mark = a.stagedCount()
    offer(a, 'x', 'x 1') // offered with its own text: the run is not one array's items
    a.keepBatchText(mark, '[{"k":"x","s":"x 1"},{"k":"y","s":"never sent"}]')
    a.commit()
    closeStore(a)
    expect(snapshot(store(path))).toEqual({ x: ['ALERTx1(x 1)@0'] })
  })
})

describe('acknowledgement waits for the sync that covers it (queue.sync: full)', () => {
  test('a commit resolves only after its fdatasync; commits made meanwhile wait for the next one', async () => {
    const path = tmp()
    const syncs: (() => void)[] = []
    const s = store(path, { sync: 'full', syncFn: () => new Promise<void>((r) => syncs.push(r)) })
    offer(s, 'a', 'a')
    let first: CommitResult | undefined
    const p1 = s.commit() as Promise<CommitResult>
    void p1.then((r) => (first = r))
    offer(s, 'b', 'b')
    let second: CommitResult | undefined
    void (s.commit() as Promise<CommitResult>).then((r) => (second = r))
    await Bun.sleep(20)
    expect(syncs).toHaveLength(1) // one sync in flight; the second group waits to be written
    expect(first).toBeUndefined()
    expect(s.table.entries).toBe(1) // "a" is written and in its lane, not yet acknowledged
    syncs[0]!()
    await Bun.sleep(5)
    expect(first).toEqual({ kind: 'ok', committed: 1 })
    expect(second).toBeUndefined()
    expect(syncs).toHaveLength(2) // the next group went out as soon as the first sync was done
    syncs[1]!()
    await Bun.sleep(5)
    expect(second).toEqual({ kind: 'ok', committed: 1 })
  })

  test('a reader paused for room while a sync was in flight goes on once the staged events are written', async () => {
    const path = tmp()
    const syncs: (() => void)[] = []
    const s = store(path, { capacity: 4, sync: 'full', syncFn: () => new Promise<void>((r) => syncs.push(r)) })
    offer(s, 'x', 'x 1')
    void s.commit()
    // While the first sync is in flight, a storm on one alert key fills the slots with staged events.
    for (let i = 2; i <= 4; i++) expect(offer(s, 'x', `x ${i}`).kind).toBe('accepted')
    expect(offer(s, 'x', 'x 5').kind).toBe('full')
    let woken = 0
    s.onSpace(() => woken++)
    void s.commit()
    syncs[0]!() // the staged events are written and merge into the one pending call: room again
    await Bun.sleep(5)
    expect(s.table.entries).toBe(1)
    expect(woken).toBe(1) // not only when ilert takes a call (a real 60 s window away)
    expect(offer(s, 'x', 'x 5').kind).toBe('accepted')
  })

  test('while a sync is in flight, stream sources are told to pause at the staging bound; nothing offered is refused for it', async () => {
    const path = tmp()
    const syncs: (() => void)[] = []
    const s = store(path, { capacity: 100_000, sync: 'full', syncFn: () => new Promise<void>((r) => syncs.push(r)) })
    offer(s, 'k0', 'first')
    void s.commit()
    let i = 0
    while (!s.stagingFull()) expect(offer(s, `k${++i}`, `storm ${i}`).kind).toBe('accepted')
    // The bound is far below capacity: a storm no longer stages tens of thousands of parsed events.
    expect(i).toBeLessThan(10_000)
    // An HTTP batch that arrives now still fits (its room is capacity, not the staging bound).
    expect(s.freeSlots()).toBeGreaterThan(50_000)
    for (let j = 0; j < 500; j++) expect(offer(s, `h${j}`, 'batch').kind).toBe('accepted')
    let woken = 0
    s.onSpace(() => woken++)
    void s.commit()
    syncs[0]!() // the staged events are written: the paused readers may go on
    await Bun.sleep(5)
    expect(s.stagingFull()).toBe(false)
    expect(woken).toBe(1)
    expect(s.table.entries).toBe(i + 501)
  })

  test('a failed sync acknowledges nothing', async () => {
    const path = tmp()
    const s = store(path, { sync: 'full', syncFn: () => Promise.reject(new Error('EIO: i/o error')) })
    offer(s, 'a', 'a')
    const r = await s.commit()
    expect(r.kind).toBe('error')
    expect(s.health().kind).toBe('unavailable')
  })
})

describe('torn tails and damage', () => {
  test('a frame cut short at the end of the newest segment is cut off; everything before it is kept', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'a', 'a')
    a.commit()
    offer(a, 'b', 'b')
    a.commit()
    closeStore(a)
    const seg = join(path, segments(path).at(-1)!)
    const whole = statSync(seg).size
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6])) // a header announcing 200 bytes, then 6
    const torn: string[] = []
    const b = store(path, { events: { tornTail: (file, offset) => torn.push(`${file}@${offset}`) } })
    expect(torn).toEqual([`${seg}@${whole}`])
    expect(statSync(seg).size).toBe(whole)
    expect(Object.keys(snapshot(b))).toEqual(['a', 'b'])
  })

  test('a bad checksum on the last frame is a torn tail too', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'a', 'a')
    a.commit()
    offer(a, 'b', 'b')
    a.commit()
    closeStore(a)
    const seg = join(path, segments(path).at(-1)!)
    const data = readFileSync(seg)
    data[data.length - 2] = data[data.length - 2]! ^ 0xff
    writeFileSync(seg, data)
    let torn = 0
    const b = store(path, { events: { tornTail: () => torn++ } })
    expect(torn).toBe(1)
    expect(Object.keys(snapshot(b))).toEqual(['a'])
  })

  test('damage before the tail stops the start, naming the file and offset', () => {
    const path = tmp()
    const a = store(path)
    offer(a, 'a', 'a')
    a.commit()
    offer(a, 'b', 'b')
    a.commit()
    closeStore(a)
    const seg = join(path, segments(path).at(-1)!)
    const data = readFileSync(seg)
    data[12] = data[12]! ^ 0xff // inside the first frame's payload
    writeFileSync(seg, data)
    expect(() => store(path)).toThrow(LogDamagedError)
    expect(() => store(path)).toThrow(new RegExp(`${seg.replaceAll('/', '\\/')} is damaged at offset 0 \\(checksum\\)`))
  })
})

describe('compaction', () => {
  test('a storm over few keys keeps the disk near twice the live set plus a segment, and a restart sees the same lanes', async () => {
    const path = tmp()
    const a = store(path, { segmentBytes: 64 * 1024 })
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, `round ${round} ${'x'.repeat(100)}`)
      a.commit()
    }
    // 4,000 events of ~150 bytes (~600 KB) over 20 lanes: the log was compacted as it grew.
    expect(a.table.entries).toBe(20)
    expect(a.table.events).toBe(4000)
    await compactedFilesGone(path)
    const onDisk = readdirSync(path).filter((f) => f.endsWith('.wal') || f.endsWith('.ckpt')).reduce((n, f) => n + statSync(join(path, f)).size, 0)
    expect(onDisk).toBeLessThan(2 * a.table.bytes + 2 * 64 * 1024)
    expect(readdirSync(path).some((f) => f.endsWith('.ckpt'))).toBe(true)
    const before = snapshot(a)
    closeStore(a)
    const b = store(path, { segmentBytes: 64 * 1024 })
    expect(snapshot(b)).toEqual(before)
    expect(b.table.events).toBe(4000)
  })

  test('a checkpoint keeps a pending call as the text its newest event arrived as; a body without one is serialized; a reopen is exact', () => {
    const path = tmp()
    const a = store(path, { segmentBytes: 64 * 1024 })
    const built = (k: string, summary: string) => ({ id: 0, body: { integrationKey: 'ik-1', eventType: 'ALERT' as const, summary, alertKey: k }, laneKey: laneKeyFor(k), acceptedAt: performance.now(), attempts: 0 })
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, `round ${round} ${'x'.repeat(100)}`)
      a.offer(built('built', `built ${round}`), undefined) // an ilert body with no received text (MCP, a replayed dead letter)
      a.commit()
    }
    // The newest checkpoint (the ones it replaced are deleted off the event loop, maybe not yet).
    const ckpt = readdirSync(path).filter((f) => f.endsWith('.ckpt')).sort()
    expect(ckpt.length).toBeGreaterThan(0)
    const text = readFileSync(join(path, ckpt.at(-1)!), 'latin1')
    const last = Math.max(...[...text.matchAll(/"s":"round (\d+) /g)].map((m) => Number(m[1])))
    expect(text).toContain(`{"k":"key-7","s":"round ${last} ${'x'.repeat(100)}","t":"ALERT"}`) // as received
    expect(text).not.toContain('"alertKey":"key-7"') // not serialized again
    expect(text).toMatch(/"b":\{"integrationKey":"ik-1","eventType":"ALERT","summary":"built \d+","alertKey":"built"\}/)
    const before = snapshot(a)
    closeStore(a)
    const b = store(path, { segmentBytes: 64 * 1024 })
    expect(snapshot(b)).toEqual(before)
    expect(b.recovered.dropped).toBe(0)
    closeStore(b)
    // A text that no longer validates (the config changed) is left out and counted, as a replayed record is.
    const dropped: number[] = []
    const c = store(path, { segmentBytes: 64 * 1024, decodeRaw: (t) => (t.includes('"key-3"') ? undefined : decodeRaw(t)), events: { replayDropped: (n) => dropped.push(n) } })
    expect(c.table.laneOf('ik-1', 'key-3')).toBeUndefined()
    expect(snapshot(c)['key-4']).toEqual(before['key-4']!)
    expect(Object.keys(snapshot(c)).length).toBe(Object.keys(before).length - 1)
    expect(c.recovered.dropped).toBeGreaterThanOrEqual(1)
    expect(dropped).toEqual([c.recovered.dropped])
    closeStore(c)
    // With a replayInvalid hook (the App's: the dead letters) each such text goes there as received,
    // with its sequence number and the events it stands for (a checkpointed call merged many).
    const kept: { text: string; seq: number; count: number }[] = []
    const d = store(path, { segmentBytes: 64 * 1024, decodeRaw: (t) => (t.includes('"key-3"') ? undefined : decodeRaw(t)), events: { replayInvalid: (text, seq, count) => kept.push({ text, seq, count }) > 0 } })
    expect(d.table.laneOf('ik-1', 'key-3')).toBeUndefined()
    expect(d.recovered.dropped).toBe(0)
    const [n, summary] = /x(\d+)\((.*)\)@/.exec(before['key-3']![0]!)!.slice(1)
    expect(kept.reduce((sum, k) => sum + k.count, 0)).toBe(Number(n))
    expect(d.recovered.invalid).toBe(Number(n))
    expect(JSON.parse(kept.at(-1)!.text)).toEqual({ k: 'key-3', s: summary, t: 'ALERT' })
    expect(kept.every((k) => k.seq > 0)).toBe(true)
  })

  test('the received texts kept with pending calls count against queue.max_memory_bytes, and go with their calls', () => {
    const s = store(tmp())
    const kept = () => {
      let n = 0
      for (const src of s.table.sources.values()) for (const l of src.lanes.values()) for (const e of l.entries) n += e.raw?.length ?? 0
      return n
    }
    for (const k of ['a', 'b', 'c']) offer(s, k, `${k} first`)
    s.commit()
    offer(s, 'a', 'a second, a longer summary than before') // merged: the newer text replaces the older
    s.commit()
    expect(kept()).toBeGreaterThan(0)
    expect(s.table.rawBytes).toBe(kept())
    expect(s.table.heldBytes).toBe(s.table.bytes + kept())
    for (const k of ['a', 'b', 'c']) s.completeHead(lane(s, k))
    expect(s.table.rawBytes).toBe(0)
    expect(s.table.heldBytes).toBe(0)
  })

  test('delivery that empties the lanes lets the log shrink to almost nothing', async () => {
    const path = tmp()
    const a = store(path, { segmentBytes: 64 * 1024 })
    for (let i = 0; i < 2000; i++) offer(a, `k${i}`, `event ${i} ${'y'.repeat(100)}`)
    a.commit()
    for (const src of [...a.table.sources.values()]) for (const l of [...src.lanes.values()]) a.completeHead(l)
    await Bun.sleep(1100) // the store's once-a-second upkeep
    const onDisk = readdirSync(path).filter((f) => f.endsWith('.wal') || f.endsWith('.ckpt')).reduce((n, f) => n + statSync(join(path, f)).size, 0)
    expect(onDisk).toBeLessThan(64 * 1024)
    closeStore(a)
    expect(store(path).table.entries).toBe(0)
  })
})

describe('disk bounds and ownership', () => {
  test('queue.max_disk_bytes: commits are refused with storage_full, then taken again once delivery frees room', async () => {
    const path = tmp()
    const s = store(path, { maxDiskBytes: 256 * 1024, segmentBytes: 64 * 1024 })
    let refused: CommitResult | undefined
    for (let i = 0; i < 10_000 && refused === undefined; i++) {
      offer(s, `k${i}`, `${i} ${'z'.repeat(200)}`)
      const r = s.commit() as CommitResult
      if (r.kind === 'error') refused = r
    }
    expect(refused).toMatchObject({ kind: 'error', reason: 'storage_full' })
    expect(s.health().kind).toBe('unavailable')
    const onDisk = readdirSync(path).reduce((n, f) => n + lstatSync(join(path, f)).size, 0)
    expect(onDisk).toBeLessThanOrEqual(256 * 1024)
    for (const src of [...s.table.sources.values()]) for (const l of [...src.lanes.values()]) s.completeHead(l)
    await Bun.sleep(1100)
    offer(s, 'after', 'after')
    expect((s.commit() as CommitResult).kind).toBe('ok')
    expect(s.health().kind).toBe('ok')
  })

  test('a second store on the same path is refused, naming the holder', () => {
    const path = tmp()
    store(path)
    expect(() => store(path)).toThrow(QueueLockedError)
    expect(() => store(path)).toThrow(`(pid ${process.pid})`)
  })

  test('a lock left by a process that is gone is taken over', () => {
    const path = tmp()
    mkdirSync(path, { recursive: true })
    const dead = Bun.spawnSync(['true']).pid // exited: its pid is free
    require('node:fs').symlinkSync(String(dead), join(path, 'LOCK'))
    expect(() => store(path)).not.toThrow()
  })

  test('a queue.path that cannot be created is refused with one message naming it', () => {
    const d = tmp()
    mkdirSync(join(d, '..'), { recursive: true })
    writeFileSync(join(d, '..', 'file'), 'x')
    expect(() => store(join(d, '..', 'file', 'queue'))).toThrow(/queue\.path .*file\/queue cannot be created/)
  })
})

describe('migration from 0.1', () => {
  test('the per-event SQLite table is moved into the log on first start, then dropped', async () => {
    const path = tmp()
    mkdirSync(path, { recursive: true })
    const db = new Database(join(path, DB_FILE), { create: true })
    db.run('CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, lane TEXT NOT NULL, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)')
    const ins = db.query('INSERT INTO events (body, lane, accepted_at, attempts) VALUES (?1, ?2, 0, 0)')
    for (const [k, s] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1']]) ins.run(JSON.stringify({ integrationKey: 'ik-1', eventType: 'ALERT', summary: s, alertKey: k }), k!)
    db.close()
    const c = Value.Default(ConfigSchema, Value.Clone({})) as Config
    const opts = { rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, deadLetterCapacity: 10, decodeRaw }
    const q = await openQueueStore({ ...c.queue, path, sync: 'normal' }, opts)
    expect(q.migrated).toBe(3)
    const got = Object.fromEntries([...q.store.table.sources.get('ik-1')!.lanes].map(([k, l]) => [k, l.entries.map((e) => `${e.body.summary}x${e.count}`)]))
    expect(got).toEqual({ a: ['a2x2'], b: ['b1x1'] })
    q.close()
    const again = await openQueueStore({ ...c.queue, path, sync: 'normal' }, opts)
    expect(again.migrated).toBe(0) // the table is gone; the events are in the log
    expect(again.store.table.entries).toBe(2)
    again.close()
  })
})
