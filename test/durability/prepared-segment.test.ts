// Zero-filled segments made ahead (src/queue/wal/prepared-segment.ts) under queue.sync: full, on
// real files: the store moves into one as soon as it is ready, a restart reads it whole, and a
// power loss image (frames not yet synced reaching the disk in any order) is told apart from
// damage to frames that were synced before.
import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IlertEventBody, QueuedEvent } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import { LogDamagedError, LogStore, type LogStoreOptions } from '../../src/queue/log-store'
import { readFrame, RecordType } from '../../src/queue/wal/frame'
import { PREPARED_NAME } from '../../src/queue/wal/prepared-segment'
import { waitFor } from '../helpers/harness'
import { storeScratch } from '../helpers/store-scratch'

const scratch = storeScratch('prepared')
const SEGMENT = 64 * 1024

const decodeRaw = (text: string): IlertEventBody | undefined => {
  const v = JSON.parse(text) as { k: string; s: string }
  return { integrationKey: 'ik-1', eventType: 'ALERT', summary: v.s, alertKey: v.k }
}

function store(path: string, extra: Partial<LogStoreOptions> = {}): LogStore {
  const s = new LogStore({ path, capacity: 1000, sync: 'full', segmentBytes: SEGMENT, maxDiskBytes: 0, maxMemoryBytes: 1 << 30, rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, decodeRaw, ...extra })
  return scratch.keep(s)
}

async function put(s: LogStore, k: string, summary = `summary of ${k}`): Promise<void> {
  const raw = JSON.stringify({ k, s: summary })
  const ev: QueuedEvent = { id: 0, body: decodeRaw(raw)!, laneKey: laneKeyFor(k), acceptedAt: performance.now(), attempts: 0 }
  expect(s.offer(ev, raw).kind).toBe('accepted')
  const r = await s.commit()
  expect(r.kind).toBe('ok')
}

const keys = (s: LogStore): string[] => [...s.table.sources.values()].flatMap((src) => [...src.lanes.keys()]).sort()
const segments = (path: string) => readdirSync(path).filter((f) => f.endsWith('.wal')).sort()

interface FrameAt {
  offset: number
  end: number
  types: number[]
  synced?: number
}

/** The frames of a segment image up to its first bad frame (a zero header ends it). */
function framesOf(data: Uint8Array): FrameAt[] {
  const out: FrameAt[] = []
  for (let p = 0; ; ) {
    const f = readFrame(data, p)
    if (f.kind !== 'frame') return out
    const mark = f.records.find((r) => r.type === RecordType.Synced)
    out.push({ offset: p, end: f.next, types: f.records.map((r) => r.type), ...(mark ? { synced: Number(mark.text) } : {}) })
    p = f.next
  }
}

/** A store whose active segment is a prepared one, holding a, b (synced); returns it and its segment's path. */
async function onPreparedSegment(path: string, extra: Partial<LogStoreOptions> = {}): Promise<{ s: LogStore; seg: string }> {
  const s = store(path, extra)
  await put(s, 'a') // the first segment of a new path is an ordinary one
  await waitFor('a segment made ahead', () => s.segmentMadeAhead)
  expect(statSync(join(path, PREPARED_NAME)).size).toBe(SEGMENT)
  await put(s, 'b') // after this sync the store moves into the prepared segment
  await put(s, 'c')
  const seg = join(path, segments(path).at(-1)!)
  expect(statSync(seg).size).toBe(SEGMENT) // written in place: still a segment long
  return { s, seg }
}

describe('segments made ahead (queue.sync: full)', () => {
  test('the store moves into a zero-filled segment, its frames say how far it was synced, and a restart reads it whole', async () => {
    const path = scratch.queuePath()
    const { s, seg } = await onPreparedSegment(path)
    await put(s, 'd')
    const frames = framesOf(readFileSync(seg))
    // c's frame was written on a segment synced to 0; d's after c's sync had covered c.
    expect(frames.map((f) => f.synced)).toEqual([0, frames[0]!.end])
    scratch.close(s)
    // Closed: the unwritten zeros are cut off, so the sealed segment is its frames alone.
    expect(statSync(seg).size).toBe(frames.at(-1)!.end)
    let torn = 0
    const b = store(path, { events: { tornTail: () => torn++ } })
    expect(torn).toBe(0)
    expect(keys(b)).toEqual(['a', 'b', 'c', 'd'])
  })

  test('a crash leaves the zeros in place: they are the end of the log, not a torn tail', async () => {
    const path = scratch.queuePath()
    const { s, seg } = await onPreparedSegment(path)
    const image = readFileSync(seg) // as a kill -9 leaves it: a segment long, zeros after c
    scratch.close(s)
    writeFileSync(seg, image)
    let torn = 0
    const b = store(path, { events: { tornTail: () => torn++ } })
    expect(torn).toBe(0)
    expect(keys(b)).toEqual(['a', 'b', 'c'])
    expect(statSync(seg).size).toBe(framesOf(image).at(-1)!.end)
  })

  test('power loss: a frame not yet synced is missing but one written after it reached the disk: torn tail, the synced frames kept', async () => {
    const path = scratch.queuePath()
    let release: (() => void) | undefined
    const { s, seg } = await onPreparedSegment(path, {
      syncFn: () => (release === undefined ? Promise.resolve() : new Promise<void>((r) => (release = r))),
    })
    release = () => undefined // hold the next sync
    const held = put(s, 'e') // written; its sync is in flight
    s.noteSent('ik-1') // an outcome record written while that sync is in flight
    const image = readFileSync(seg)
    const frames = framesOf(image)
    const [c, e, sent] = [frames.at(-3)!, frames.at(-2)!, frames.at(-1)!]
    expect(sent.types).toContain(RecordType.Sent)
    expect(sent.synced).toBe(e.offset) // written before e was known to be on disk
    release()
    await held
    scratch.close(s)
    // The image a power loss can leave: e's pages never reached the disk, the later Sent record did.
    image.fill(0, e.offset, e.end)
    writeFileSync(seg, image)
    const torn: number[] = []
    const b = store(path, { events: { tornTail: (_file, offset) => torn.push(offset) } })
    expect(torn).toEqual([e.offset])
    expect(keys(b)).toEqual(['a', 'b', 'c']) // what was synced
    expect(c.end).toBe(e.offset)
  })

  test('damage to a frame that a later frame says was synced stops the start, naming the file and offset', async () => {
    const path = scratch.queuePath()
    const { s, seg } = await onPreparedSegment(path)
    await put(s, 'd')
    await put(s, 'e')
    scratch.close(s)
    const image = readFileSync(seg)
    const frames = framesOf(image)
    const d = frames.at(-2)!
    expect(frames.at(-1)!.synced).toBeGreaterThan(d.offset) // e was written once d was on disk
    image[d.offset + 12] = image[d.offset + 12]! ^ 0xff
    writeFileSync(seg, image)
    expect(() => store(path)).toThrow(LogDamagedError)
    expect(() => store(path)).toThrow(new RegExp(`${seg.replaceAll('/', '\\/')} is damaged at offset ${d.offset} \\(checksum\\)`))
  })

  test('a bad checksum on the last frame of a prepared segment is a torn tail', async () => {
    const path = scratch.queuePath()
    const { s, seg } = await onPreparedSegment(path)
    const image = readFileSync(seg)
    scratch.close(s)
    const c = framesOf(image).at(-1)!
    image[c.end - 2] = image[c.end - 2]! ^ 0xff
    writeFileSync(seg, image)
    let torn = 0
    const b = store(path, { events: { tornTail: () => torn++ } })
    expect(torn).toBe(1)
    expect(keys(b)).toEqual(['a', 'b'])
  })

  test('no segment is made ahead when queue.max_disk_bytes leaves no room for it, nor with queue.sync: normal', async () => {
    for (const extra of [{ maxDiskBytes: 4 * SEGMENT }, { sync: 'normal' as const }]) {
      const path = scratch.queuePath()
      const s = store(path, extra)
      await put(s, 'a')
      await Bun.sleep(100)
      await put(s, 'b')
      expect(existsSync(join(path, PREPARED_NAME))).toBe(false)
      expect(segments(path)).toHaveLength(1)
    }
  })

  test('after a segment of large groups the next is not made ahead; after one of small groups it is again', async () => {
    const path = scratch.queuePath()
    const prepared = join(path, PREPARED_NAME)
    const { s } = await onPreparedSegment(path) // b and c: small groups; the next segment is being made
    await waitFor('the next segment made ahead', () => s.segmentMadeAhead)
    await put(s, 'big-1', 'x'.repeat(3 * SEGMENT)) // one sync of 3 segments: this segment's groups are large
    await put(s, 'd') // rotation: into the segment made ahead, and none after it
    await Bun.sleep(100)
    expect(existsSync(prepared)).toBe(false)
    await put(s, 'big-2', 'x'.repeat(3 * SEGMENT))
    await put(s, 'e') // rotation: a segment that grows as it is written
    const grown = join(path, segments(path).at(-1)!)
    expect(statSync(grown).size).toBeLessThan(SEGMENT)
    await Bun.sleep(100)
    expect(existsSync(prepared)).toBe(false)
    for (let i = 0; existsSync(grown) && statSync(grown).size < SEGMENT; i++) await put(s, `small-${i}`, 'y'.repeat(512))
    await put(s, 'f') // rotation after a segment of small groups
    await waitFor('a segment made ahead again', () => s.segmentMadeAhead)
    expect(statSync(prepared).size).toBe(SEGMENT)
    scratch.close(s)
    const b = store(path)
    expect(keys(b)).toContain('big-2')
    expect(keys(b)).toContain('f')
  })
})
