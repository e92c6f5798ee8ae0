// Compaction of a large live set writes its checkpoint a few lanes per event-loop turn
// (src/queue/wal/stepped-checkpoint.ts) while events, outcomes and replayed dead letters keep
// changing the lanes. What a user relies on: ingest goes on meanwhile, and a restart (after the
// checkpoint, during it, or after a close that interrupted it) rebuilds exactly the pending calls.
import { describe, expect, test } from 'bun:test'
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { IlertEventBody, QueuedEvent } from '../../src/pipeline/ilert-event'
import { LogStore, type LogStoreOptions } from '../../src/queue/log-store'
import { compactedFilesGone, logStoreOptions, offer, snapshot } from '../helpers/log-store-kit'
import { storeScratch } from '../helpers/store-scratch'

const scratch = storeScratch('stepped')
// Two lanes per step: a checkpoint of 60 lanes takes about 30 event-loop turns.
const STEPS: LogStoreOptions['compactionSteps'] = { minEntries: 1, maxLanesPerStep: 2, stepMs: 1000 }
const KEYS = 60

function store(path: string, extra: Partial<LogStoreOptions> = {}): LogStore {
  return scratch.keep(new LogStore(logStoreOptions(path, { compactionSteps: STEPS, ...extra })))
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
const lane = (s: LogStore, key: string) => s.table.laneOf('ik-1', key)!

/** Every lane with its calls' sequence ranges too: what a replay must rebuild exactly. */
function exact(s: LogStore): Record<string, string[]> {
  const out = snapshot(s)
  for (const src of s.table.sources.values()) for (const l of src.lanes.values()) out[l.key] = out[l.key]!.map((text, i) => `${text} [${l.entries[i]!.firstSeq}..${l.entries[i]!.lastSeq}]`)
  return out
}

/** KEYS lanes (every third with an ALERT and a RESOLVE waiting), then merges until a compaction begins. */
async function untilCompacting(s: LogStore): Promise<number> {
  for (let k = 0; k < KEYS; k++) {
    offer(s, `key-${k}`, `first ${k}`)
    if (k % 3 === 0) offer(s, `key-${k}`, `resolved ${k}`, 'RESOLVE')
  }
  s.commit()
  for (let round = 0; round < 500; round++) {
    for (let k = 0; k < KEYS; k++) offer(s, `key-${k}`, `round ${round} ${'x'.repeat(100)}`, k % 3 === 0 ? 'RESOLVE' : 'ALERT')
    s.commit()
    if (s.compacting) return round
  }
  throw new Error('no compaction began')
}

/** Changes of every kind, to lanes already written and to lanes not yet written, a turn apart. */
async function changeWhileCompacting(s: LogStore): Promise<void> {
  const last = `key-${KEYS - 1}` // written last, so still due for the first changes
  const changes: (() => void)[] = [
    () => offer(s, last, 'merged into a lane not yet written'),
    () => offer(s, 'key-1', 'merged into a lane written first'),
    () => offer(s, 'new-lane', 'a lane the checkpoint does not hold'),
    () => s.completeHead(lane(s, `key-${KEYS - 2}`)), // an outcome for a lane not yet written
    () => s.completeHead(lane(s, 'key-0')), // its RESOLVE is next
    () => offer(s, `key-${KEYS - 4}`, 'a state change after the merges', 'RESOLVE'),
    () => {
      // A dead letter put back at its place (its old sequence number), into a lane not yet written.
      const head = lane(s, `key-${KEYS - 3}`).entries[0]!
      const body: IlertEventBody = { integrationKey: 'ik-1', eventType: 'ALERT', summary: 'replayed dead letter', alertKey: `key-${KEYS - 3}` }
      const ev: QueuedEvent = { id: head.firstSeq - 1, body, laneKey: `key-${KEYS - 3}`, acceptedAt: performance.now(), attempts: 0 }
      s.offer(ev, undefined)
    },
  ]
  for (const change of changes) {
    expect(s.compacting).toBe(true)
    change()
    s.commit()
    await turn()
  }
}

/** A store mid-way through a checkpoint written in steps, changed meanwhile, and the lanes a restart must rebuild. */
async function midCheckpoint(path: string): Promise<{ a: LogStore; want: { lanes: Record<string, string[]>; events: number } }> {
  const a = store(path)
  await untilCompacting(a)
  await changeWhileCompacting(a)
  expect(a.compacting).toBe(true)
  return { a, want: { lanes: exact(a), events: a.table.events } }
}

/** A store opened on `path` rebuilds exactly `want`. */
function expectRebuilt(path: string, want: { lanes: Record<string, string[]>; events: number }): void {
  const b = store(path)
  expect(exact(b)).toEqual(want.lanes)
  expect(b.table.events).toBe(want.events)
}

async function untilWritten(s: LogStore): Promise<void> {
  for (let i = 0; i < 1000 && s.compacting; i++) await turn()
  expect(s.compacting).toBe(false)
}

describe('compaction in steps', () => {
  test('the checkpoint holds every lane as it was when it began; what changed meanwhile is replayed; a reopen is exact', async () => {
    const path = scratch.queuePath()
    const a = store(path)
    await untilCompacting(a)
    const began = readdirSync(path).filter((f) => f.endsWith('.wal'))
    await changeWhileCompacting(a)
    // Ingest went on meanwhile, and the segments the checkpoint covers were still there.
    expect(a.compacting).toBe(true)
    expect(began.every((f) => existsSync(join(path, f)))).toBe(true)
    await untilWritten(a)
    await compactedFilesGone(path)
    expect(readdirSync(path).some((f) => f.endsWith('.ckpt'))).toBe(true)
    expect(readdirSync(path).some((f) => f.endsWith('.tmp') && f.startsWith('checkpoint'))).toBe(false)
    const before = exact(a)
    const events = a.table.events
    scratch.close(a)
    const b = store(path)
    expect(exact(b)).toEqual(before)
    expect(b.table.events).toBe(events)
  })

  test('a crash while the checkpoint is written in steps loses nothing; the unfinished file is removed at start', async () => {
    const path = scratch.queuePath()
    const { want } = await midCheckpoint(path)
    // The disk as a kill -9 would leave it now (with sync normal every write is in the OS): a copy,
    // without the lock of this live process.
    const crashed = join(scratch.dir(), 'queue')
    cpSync(path, crashed, { recursive: true })
    rmSync(join(crashed, 'LOCK'), { force: true })
    expect(readdirSync(crashed).some((f) => f.startsWith('checkpoint') && f.endsWith('.ckpt.tmp'))).toBe(true)
    expectRebuilt(crashed, want)
    expect(readdirSync(crashed).some((f) => f.endsWith('.ckpt.tmp'))).toBe(false)
  })

  test('a close while the checkpoint is written in steps gives it up; the next start is exact', async () => {
    const path = scratch.queuePath()
    const { a, want } = await midCheckpoint(path)
    scratch.close(a)
    expect(readdirSync(path).some((f) => f.endsWith('.tmp') && f.startsWith('checkpoint'))).toBe(false)
    expectRebuilt(path, want)
  })

  test('a disk bound that needs the checkpoint whole finishes it at once', async () => {
    const path = scratch.queuePath()
    const a = store(path)
    await untilCompacting(a)
    // A bound just above what the disk holds now: the next commit must free room, so the
    // checkpoint is finished within it instead of step by step.
    const held = readdirSync(path).reduce((n, f) => n + Bun.file(join(path, f)).size, 0)
    ;(a as unknown as { opts: LogStoreOptions }).opts.maxDiskBytes = held + 64 * 1024
    for (let k = 0; k < KEYS; k++) offer(a, `key-${k}`, `after the bound ${'y'.repeat(200)}`)
    expect(a.commit()).toMatchObject({ kind: 'ok' })
    expect(a.compacting).toBe(false)
    const before = exact(a)
    scratch.close(a)
    expect(exact(store(path, { maxDiskBytes: 0 }))).toEqual(before)
  })

  test('a small live set is still written in one go', async () => {
    const a = store(scratch.queuePath(), { compactionSteps: { minEntries: 10_000 } })
    for (let round = 0; round < 300; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, `round ${round} ${'x'.repeat(100)}`)
      a.commit()
      expect(a.compacting).toBe(false)
    }
    expect(a.table.events).toBe(6000)
  })
})
