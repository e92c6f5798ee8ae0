/**
 * The durable store on a real SQLite file: what was committed survives a reopen in order with its
 * attempts, completion forgets, replays from another connection are picked up, a full store and
 * an unusable queue.path are reported instead of acknowledged.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { QueuedEvent } from '../../src/pipeline/ilert-event'
import { openStoreDb } from '../../src/queue/sqlite-db'
import { SqliteDeadLetters } from '../../src/queue/sqlite-dead-letters'
import { SqliteQueue } from '../../src/queue/sqlite-queue'
import { waitFor } from '../helpers/harness'

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mcp-ilert-q-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const open = (path: string, capacity = 1000, maxDiskBytes = 0) => {
  const db = openStoreDb({ path, sync: 'normal', maxDiskBytes })
  return { db, q: new SqliteQueue(db, capacity) }
}
const ev = (key: string, summary = key, type: 'ALERT' | 'RESOLVE' = 'ALERT') => ({
  body: { integrationKey: 'il1api-secret-key', eventType: type, summary, alertKey: key },
  laneKey: key,
  acceptedAt: performance.now(),
  attempts: 0,
})
const take = (q: SqliteQueue, max = 10_000) => {
  const out: QueuedEvent[] = []
  q.takeBatch(max, out)
  return out
}

describe('SqliteQueue', () => {
  test('committed events come back after a reopen, in order, with their attempts; completed ones do not', () => {
    const path = tmp()
    const a = open(path)
    for (let i = 0; i < 5; i++) a.q.offer(ev(`k${i}`))
    expect(a.q.commit()).toEqual({ kind: 'ok', committed: 5 })
    const first = take(a.q, 2)
    expect(first.map((e) => e.body.alertKey)).toEqual(['k0', 'k1'])
    a.q.complete([first[0]!.id])
    a.q.recordAttempts([first[1]!.id], 3)
    a.q.close()
    a.db.close()

    const b = open(path)
    expect(b.q.freeSlots()).toBe(1000 - 4)
    const again = take(b.q)
    expect(again.map((e) => e.body.alertKey)).toEqual(['k1', 'k2', 'k3', 'k4'])
    expect(again[0]!.attempts).toBe(3)
    expect(again[0]!.body.integrationKey).toBe('il1api-secret-key')
    b.q.close()
    b.db.close()
  })

  test('staged events are neither waiting nor takeable until their commit (group commit across requests)', () => {
    const { db, q } = open(tmp())
    q.offer(ev('staged'))
    expect(q.size).toBe(0)
    expect(take(q)).toHaveLength(0)
    expect(q.freeSlots()).toBe(999)
    q.commit()
    expect(q.size).toBe(1)
    expect(take(q).map((e) => e.body.alertKey)).toEqual(['staged'])
    q.close()
    db.close()
  })

  test('staged but uncommitted events are not in the store (nothing was acknowledged)', () => {
    const path = tmp()
    const a = open(path)
    a.q.offer(ev('x'))
    a.q.close()
    a.db.close()
    const b = open(path)
    expect(take(b.q)).toHaveLength(0)
    b.q.close()
    b.db.close()
  })

  test('beyond the in-memory window events are read back from the file, still in order', () => {
    const { db, q } = open(tmp(), 200_000)
    const n = 70_000
    for (let i = 0; i < n; i++) q.offer(ev(`k${i}`))
    expect(q.commit().kind).toBe('ok')
    const all: QueuedEvent[] = []
    while (q.takeBatch(4096, all) > 0) {}
    expect(all).toHaveLength(n)
    expect(all.every((e, i) => e.body.alertKey === `k${i}`)).toBe(true)
    q.close()
    db.close()
  })

  test('capacity counts everything undelivered: taken but not completed events still hold their slot', () => {
    const { db, q } = open(tmp(), 3)
    for (let i = 0; i < 3; i++) expect(q.offer(ev(`k${i}`)).kind).toBe('accepted')
    expect(q.offer(ev('k3'))).toEqual({ kind: 'full', reason: 'queue_full' })
    q.commit()
    const got = take(q)
    expect(q.freeSlots()).toBe(0)
    let spaced = false
    q.onSpace(() => (spaced = true))
    q.complete([got[0]!.id])
    expect(spaced).toBe(true)
    expect(q.freeSlots()).toBe(1)
    q.close()
    db.close()
  })

  test('dead letters replayed by another process are picked up by the running queue', async () => {
    const path = tmp()
    const { db, q } = open(path)
    // Warm up: once caught up with the file, the queue serves new commits from memory.
    q.offer(ev('warm'))
    q.commit()
    expect(take(q).map((e) => e.body.alertKey)).toEqual(['warm'])
    expect(take(q)).toHaveLength(0)
    const other = openStoreDb({ path, sync: 'normal', maxDiskBytes: 0 })
    const dl = new SqliteDeadLetters(other)
    dl.add({ reason: 'status_400', lastAnswer: 'HTTP 400', attempts: 1, count: 1, body: ev('dl-1').body as never })
    expect(dl.list()[0]!.event.integrationKey).not.toContain('secret')
    expect(dl.replay({ kind: 'all' })).toBe(1)
    expect(dl.size).toBe(0)
    // Our own commit after the replay must not hide the replayed row.
    q.offer(ev('after'))
    q.commit()
    const got = await waitFor('replayed event', () => {
      const out = take(q)
      return out.length > 0 ? out : undefined
    }, 5000)
    const keys = got.map((e) => e.body.alertKey)
    const more = await waitFor('both', () => {
      keys.push(...take(q).map((e) => e.body.alertKey))
      return keys.includes('dl-1') && keys.includes('after') ? keys : undefined
    }, 5000)
    expect(more.sort()).toEqual(['after', 'dl-1'])
    other.close()
    q.close()
    db.close()
  })

  test('a store over max_disk_bytes refuses the commit as storage_full; nothing is taken', () => {
    const { db, q } = open(tmp(), 100_000, 64 * 1024)
    const big = 'x'.repeat(8 * 1024)
    for (let i = 0; i < 50; i++) q.offer(ev(`k${i}`, big))
    const r = q.commit()
    expect(r).toMatchObject({ kind: 'error', reason: 'storage_full', lost: 50 })
    expect(take(q)).toHaveLength(0)
    // Smaller commits still work once there is room.
    q.offer(ev('small'))
    expect(q.commit()).toEqual({ kind: 'ok', committed: 1 })
    q.close()
    db.close()
  })

  test('an unusable queue.path fails loudly, naming it', () => {
    const file = join(tmp(), 'not-a-dir')
    writeFileSync(file, 'x')
    expect(() => openStoreDb({ path: join(file, 'queue'), sync: 'normal', maxDiskBytes: 0 })).toThrow(/queue\.path .*not-a-dir/)
  })
})
