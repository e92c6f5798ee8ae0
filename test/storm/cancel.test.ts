// Issue 15.1: a RESOLVE cancels its still unsent ALERT when this bridge has no open ALERT for the
// key in ilert; when it cannot know, the RESOLVE is sent. On the lanes, and on the durable log
// across a real reopen (what was cancelled stays cancelled; a compaction keeps the history, in its
// own log; an older checkpoint without one leaves it unknown).
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KeyHistory } from '../../src/dispatch/key-history'
import { LaneTable } from '../../src/dispatch/lanes'
import { type IlertEventBody, type IlertEventType, laneKeyFor, type QueuedEvent } from '../../src/pipeline/ilert-event'
import { LogStore } from '../../src/queue/log-store'
import { FrameWriter, readFrame, RecordType } from '../../src/queue/wal/frame'
import { storeScratch } from '../helpers/store-scratch'

let seq = 0
function ev(alertKey: string, eventType: IlertEventType, ik = 'k1'): QueuedEvent {
  return { id: ++seq, body: { integrationKey: ik, eventType, summary: `${eventType} ${alertKey}`, alertKey }, laneKey: alertKey, acceptedAt: seq, attempts: 0 }
}

function table(baseline: 'closed' | 'unknown' = 'closed', on = true): LaneTable {
  const t = new LaneTable({ perKey: 50, windowMs: 60_000, marginMs: 0 })
  t.history.baseline = baseline
  t.cancelPairs = on
  return t
}
const types = (t: LaneTable, key: string, ik = 'k1') => t.laneOf(ik, key)?.entries.map((e) => `${e.type}x${e.count}`) ?? []

describe('pair cancellation on the lanes', () => {
  test('an unsent ALERT (coalesced) and its RESOLVE are both removed and counted; other keys are untouched', () => {
    const t = table()
    const seen: string[] = []
    t.onCancel((lane, alert, resolve) => seen.push(`${lane.key}:${alert.count}+${resolve.body.eventType}`))
    for (let i = 0; i < 5; i++) t.add(ev('flap', 'ALERT'))
    t.add(ev('stays', 'ALERT'))
    expect(t.add(ev('flap', 'RESOLVE'))).toBe(true)
    expect(t.laneOf('k1', 'flap')).toBeUndefined()
    expect(types(t, 'stays')).toEqual(['ALERTx1'])
    expect(t.entries).toBe(1)
    expect(t.events).toBe(1)
    expect(t.sources.get('k1')!.calls).toBe(1)
    expect(t.cancelled).toBe(6)
    expect(t.cancelledPairs).toBe(1)
    expect(seen).toEqual(['flap:5+RESOLVE'])
    // A new ALERT for the key after the cancellation starts afresh.
    t.add(ev('flap', 'ALERT'))
    expect(types(t, 'flap')).toEqual(['ALERTx1'])
  })

  test('history unknown (a restart, a compacted log): the RESOLVE is sent', () => {
    const t = table('unknown')
    t.add(ev('x', 'ALERT'))
    t.add(ev('x', 'RESOLVE'))
    expect(types(t, 'x')).toEqual(['ALERTx1', 'RESOLVEx1'])
    expect(t.cancelled).toBe(0)
  })

  test('an earlier ALERT of this bridge is open in ilert: the RESOLVE must close it', () => {
    const t = table()
    t.history.delivered('k1', 'x', 'ALERT')
    t.add(ev('x', 'ALERT'))
    t.add(ev('x', 'RESOLVE'))
    expect(types(t, 'x')).toEqual(['ALERTx1', 'RESOLVEx1'])
    // Once its RESOLVE was delivered the key is closed again, and the next pair cancels.
    t.history.delivered('k1', 'x', 'RESOLVE')
    const u = table()
    u.history.baseline = 'unknown'
    u.history.delivered('k1', 'y', 'RESOLVE')
    u.add(ev('y', 'ALERT'))
    u.add(ev('y', 'RESOLVE'))
    expect(types(u, 'y')).toEqual([])
    expect(u.cancelledPairs).toBe(1)
  })

  test('an ALERT that was sent (ilert may hold it), is on the wire, or had attempts never cancels', () => {
    const sent = table()
    sent.add(ev('a', 'ALERT'))
    sent.laneOf('k1', 'a')!.entries[0]!.sent = true
    sent.add(ev('a', 'RESOLVE'))
    expect(types(sent, 'a')).toEqual(['ALERTx1', 'RESOLVEx1'])

    const wire = table()
    wire.add(ev('b', 'ALERT'))
    wire.laneOf('k1', 'b')!.inFlight = true
    wire.add(ev('b', 'RESOLVE'))
    expect(types(wire, 'b')).toEqual(['ALERTx1', 'RESOLVEx1'])

    const tried = table()
    tried.add(ev('c', 'ALERT'))
    tried.laneOf('k1', 'c')!.entries[0]!.attempts = 1
    tried.add(ev('c', 'RESOLVE'))
    expect(types(tried, 'c')).toEqual(['ALERTx1', 'RESOLVEx1'])
  })

  test('only a lone ALERT cancels: a pending ACCEPT or RESOLVE before it keeps the order of calls', () => {
    const t = table()
    for (const e of ['RESOLVE', 'ALERT', 'RESOLVE'] as const) t.add(ev('r', e))
    expect(types(t, 'r')).toEqual(['RESOLVEx1', 'ALERTx1', 'RESOLVEx1'])
  })

  test('dispatch.cancel_pairs off: the pair is sent', () => {
    const t = table('closed', false)
    t.add(ev('x', 'ALERT'))
    t.add(ev('x', 'RESOLVE'))
    expect(types(t, 'x')).toEqual(['ALERTx1', 'RESOLVEx1'])
  })

  test('the same alert key under another integration key has its own history', () => {
    const t = table()
    t.history.delivered('k2', 'x', 'ALERT')
    for (const ik of ['k1', 'k2']) {
      t.add(ev('x', 'ALERT', ik))
      t.add(ev('x', 'RESOLVE', ik))
    }
    expect(types(t, 'x', 'k1')).toEqual([])
    expect(types(t, 'x', 'k2')).toEqual(['ALERTx1', 'RESOLVEx1'])
  })
})

describe('key history bounds', () => {
  test('past its bound under a closed baseline it gives up the baseline instead of claiming forgotten open keys closed', () => {
    const h = new KeyHistory('closed', 3)
    for (const k of ['a', 'b', 'c', 'd']) h.delivered('k1', k, 'ALERT')
    expect(h.baseline).toBe('unknown')
    expect(h.closed('k1', 'never-seen')).toBe(false)
    expect(h.state('k1', 'a')).not.toBe('closed')
    expect(h.size).toBeLessThanOrEqual(3)
  })
})

// ---- the durable store: a real reopen -----------------------------------------------------------

const scratch = storeScratch('cancel')
const decodeRaw = (text: string): IlertEventBody | undefined => {
  const v = JSON.parse(text) as { k: string; s: string; t: IlertEventType }
  return { integrationKey: 'ik-1', eventType: v.t, summary: v.s, alertKey: v.k }
}
/**
 * Rewrites a checkpoint as one of version 1 written before the history was kept (re-framed,
 * checksums and all): no history records, and no history log beside it.
 */
function asCheckpointWithoutHistory(dir: string, file: string): void {
  const data = readFileSync(join(dir, file))
  const w = new FrameWriter()
  for (let off = 0; ; ) {
    const f = readFrame(data, off)
    if (f.kind !== 'frame') break
    for (const r of f.records) {
      if (r.type === RecordType.CheckpointHistory) continue
      w.addText(r.type, r.type === RecordType.CheckpointHeader ? JSON.stringify({ ...JSON.parse(r.text), v: 1 }) : r.text)
    }
    off = f.next
  }
  writeFileSync(join(dir, file), w.seal())
  for (const f of readdirSync(dir)) if (f.startsWith('history-')) rmSync(join(dir, f))
}

function open(path: string): LogStore {
  const s = new LogStore({ path, capacity: 10_000, sync: 'normal', segmentBytes: 64 * 1024, maxDiskBytes: 0, maxMemoryBytes: 1 << 30, rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, decodeRaw })
  return scratch.keep(s)
}
const close = (s: LogStore): void => scratch.close(s)
function offer(s: LogStore, k: string, t: IlertEventType, summary = `${t} ${k}`): void {
  const raw = JSON.stringify({ k, s: summary, t })
  s.offer({ id: 0, body: decodeRaw(raw)!, laneKey: laneKeyFor(k), acceptedAt: performance.now(), attempts: 0 }, raw)
}
const pending = (s: LogStore) => {
  const out: Record<string, string[]> = {}
  for (const src of s.table.sources.values()) for (const l of src.lanes.values()) out[l.key] = l.entries.map((e) => `${e.type}x${e.count}`)
  return out
}

describe('pair cancellation on the durable log', () => {
  test('a cancelled pair stays cancelled after a reopen, and a later event for the key is kept', async () => {
    const path = scratch.queuePath()
    const a = open(path)
    expect(a.table.history.baseline).toBe('closed')
    a.table.cancelPairs = true // what the dispatcher does once the store has recovered
    offer(a, 'gone', 'ALERT')
    offer(a, 'gone', 'ALERT')
    offer(a, 'kept', 'ALERT')
    a.commit()
    offer(a, 'gone', 'RESOLVE')
    offer(a, 'back', 'ALERT')
    offer(a, 'back', 'RESOLVE')
    offer(a, 'back', 'ALERT', 'back again')
    a.commit()
    expect(pending(a)).toEqual({ kept: ['ALERTx1'], back: ['ALERTx1'] })
    expect(a.table.cancelled).toBe(5)
    await Bun.sleep(30) // the Complete records are written within 5 ms
    close(a)
    const b = open(path)
    // Replay never cancels on its own (cancelPairs is off until a dispatcher turns it on): the log's records do.
    expect(b.table.cancelPairs).toBe(false)
    expect(pending(b)).toEqual({ kept: ['ALERTx1'], back: ['ALERTx1'] })
    expect(b.table.laneOf('ik-1', 'back')!.entries[0]!.body.summary).toBe('back again')
    // No checkpoint yet: the log holds the whole history, so unseen keys are known closed.
    expect(b.table.history.baseline).toBe('closed')
  })

  test('a compaction keeps the history (in its own log): after a reopen an ALERT open in ilert still needs its RESOLVE, a fresh pair still cancels', () => {
    const path = scratch.queuePath()
    const a = open(path)
    offer(a, 'opened', 'ALERT')
    a.commit()
    // Delivered, as the dispatcher records it: ilert now holds an open alert for 'opened'.
    a.table.history.delivered('ik-1', 'opened', 'ALERT')
    a.completeHead(a.table.laneOf('ik-1', 'opened')!)
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, 'ALERT', `round ${round} ${'x'.repeat(100)}`)
      a.commit()
    }
    // Compacted: the record of that delivery is gone from the log, only the history log knows.
    expect(readdirSync(path).some((f) => f.endsWith('.ckpt'))).toBe(true)
    close(a)
    const b = open(path)
    b.table.cancelPairs = true
    expect(b.table.history.baseline).toBe('closed')
    expect(b.table.history.state('ik-1', 'opened')).toBe('open')
    offer(b, 'opened', 'ALERT')
    offer(b, 'opened', 'RESOLVE')
    offer(b, 'fresh', 'ALERT')
    offer(b, 'fresh', 'RESOLVE')
    b.commit()
    expect(pending(b).opened).toEqual(['ALERTx1', 'RESOLVEx1'])
    expect(pending(b).fresh).toBeUndefined()
    expect(b.table.cancelled).toBe(2)
  })

  test('a checkpoint written before the history was kept (none in it): the history is unknown, the RESOLVE is sent', () => {
    const path = scratch.queuePath()
    const a = open(path)
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, 'ALERT', `round ${round} ${'x'.repeat(100)}`)
      a.commit()
    }
    close(a)
    // As an older mcp-ilert wrote it.
    asCheckpointWithoutHistory(path, readdirSync(path).filter((f) => f.endsWith('.ckpt')).sort().at(-1)!)
    const b = open(path)
    b.table.cancelPairs = true
    expect(b.table.history.baseline).toBe('unknown')
    offer(b, 'fresh', 'ALERT')
    offer(b, 'fresh', 'RESOLVE')
    b.commit()
    expect(pending(b).fresh).toEqual(['ALERTx1', 'RESOLVEx1'])
    expect(b.table.cancelled).toBe(0)
  })
})
