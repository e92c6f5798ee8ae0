import { describe, expect, test } from 'bun:test'
import { LaneTable } from '../../src/dispatch/lanes'
import { bodyForSend } from '../../src/dispatch/coalesce'
import type { IlertEventType, QueuedEvent } from '../../src/pipeline/ilert-event'

let t = 0
function ev(alertKey: string, eventType: IlertEventType, summary = `${eventType} ${alertKey}`, ik = 'k1'): QueuedEvent {
  return { id: 0, body: { integrationKey: ik, eventType, summary, alertKey }, laneKey: alertKey.toLowerCase(), acceptedAt: ++t, attempts: 0 }
}

const table = () => new LaneTable({ perKey: 50, windowMs: 60_000, marginMs: 0 })
const types = (tb: LaneTable, ik: string, key: string) => tb.sources.get(ik)!.lanes.get(key)!.entries.map((e) => `${e.body.eventType}x${e.count}`)

describe('coalescing lanes', () => {
  test('a storm of ALERTs for one key becomes one call carrying the latest content and the count', () => {
    const tb = table()
    for (let i = 0; i < 1000; i++) tb.add(ev('cpu', 'ALERT', `cpu at ${i}%`))
    expect(tb.entries).toBe(1)
    const entry = tb.sources.get('k1')!.lanes.get('cpu')!.entries[0]!
    expect(entry.count).toBe(1000)
    expect(entry.body.summary).toBe('cpu at 999%')
    expect(entry.acceptedAt).toBeLessThan(t - 998)
    expect(bodyForSend(entry).customDetails).toEqual({ coalesced_events: 1000 })
  })

  test('state changes are kept in order: ALERT, RESOLVE, ALERT stay three calls', () => {
    const tb = table()
    for (const e of ['ALERT', 'ALERT', 'RESOLVE', 'RESOLVE', 'ALERT', 'ACCEPT'] as const) tb.add(ev('db', e))
    expect(types(tb, 'k1', 'db')).toEqual(['ALERTx2', 'RESOLVEx2', 'ALERTx1', 'ACCEPTx1'])
  })

  test('alert keys compare case-insensitively (as ilert does) through the lane key', () => {
    const tb = table()
    tb.add(ev('Disk-1', 'ALERT'))
    tb.add(ev('disk-1', 'RESOLVE'))
    expect(types(tb, 'k1', 'disk-1')).toEqual(['ALERTx1', 'RESOLVEx1'])
  })

  test('the same alert key under two integration keys never merges', () => {
    const tb = table()
    tb.add(ev('x', 'ALERT', 's', 'k1'))
    tb.add(ev('x', 'ALERT', 's', 'k2'))
    expect(tb.entries).toBe(2)
  })

  test('never merges into the entry on the wire', () => {
    const tb = table()
    tb.add(ev('net', 'ALERT', 'first'))
    const lane = tb.lastLane!
    lane.inFlight = true
    tb.add(ev('net', 'ALERT', 'second'))
    tb.add(ev('net', 'ALERT', 'third'))
    expect(types(tb, 'k1', 'net')).toEqual(['ALERTx1', 'ALERTx2'])
    expect(lane.entries[0]!.body.summary).toBe('first')
    expect(lane.entries[1]!.body.summary).toBe('third')
    // The call on the wire is answered: the waiting entry is now the head, and still takes merges.
    lane.inFlight = false
    tb.completeHead(lane)
    tb.add(ev('net', 'ALERT', 'fourth'))
    expect(types(tb, 'k1', 'net')).toEqual(['ALERTx3'])
    expect(lane.entries[0]!.body.summary).toBe('fourth')
  })

  test('comments accumulate instead of replacing each other', () => {
    const tb = table()
    const c = (content: string): QueuedEvent => ({ ...ev('c', 'COMMENT'), body: { ...ev('c', 'COMMENT').body, comments: [{ creator: 'bot', content }] } })
    tb.add(c('one'))
    tb.add(c('two'))
    const entry = tb.sources.get('k1')!.lanes.get('c')!.entries[0]!
    expect(entry.body.comments!.map((x) => x.content)).toEqual(['one', 'two'])
  })

  test('labels are unioned, newest value winning', () => {
    const tb = table()
    const withLabels = (labels: Record<string, string>): QueuedEvent => {
      const e = ev('l', 'ALERT')
      return { ...e, body: { ...e.body, labels } }
    }
    tb.add(withLabels({ a: '1', b: '1' }))
    tb.add(withLabels({ b: '2' }))
    expect(tb.sources.get('k1')!.lanes.get('l')!.entries[0]!.body.labels).toEqual({ a: '1', b: '2' })
  })

  test('a single label (the common source label) is kept across merges whatever the next event carries', () => {
    const tb = table()
    const withLabels = (labels: Record<string, string> | undefined, summary: string): QueuedEvent => {
      const e = ev('s', 'ALERT', summary)
      return { ...e, body: { ...e.body, labels } }
    }
    const labelsNow = () => tb.sources.get('k1')!.lanes.get('s')!.entries[0]!.body.labels
    tb.add(withLabels({ source: 'probe-1' }, 'one'))
    tb.add(withLabels({ source: 'probe-2' }, 'two'))
    expect(labelsNow()).toEqual({ source: 'probe-2' })
    tb.add(withLabels(undefined, 'three'))
    expect(labelsNow()).toEqual({ source: 'probe-2' })
    tb.add(withLabels({ team: 'db' }, 'four'))
    expect(labelsNow()).toEqual({ source: 'probe-2', team: 'db' })
    tb.add(withLabels({ team: 'web' }, 'five'))
    expect(labelsNow()).toEqual({ source: 'probe-2', team: 'web' })
    expect(tb.sources.get('k1')!.lanes.get('s')!.entries).toHaveLength(1)
    expect(tb.sources.get('k1')!.lanes.get('s')!.entries[0]!.body.summary).toBe('five')
  })

  test('sweep forgets idle integration keys only once their rate history has expired', () => {
    const tb = table()
    tb.add(ev('x', 'ALERT', 's', 'one-off-key'))
    const lane = tb.lastLane!
    lane.source.bucket.tryTake(1000)
    tb.completeHead(lane)
    tb.sweep(1000 + 59_999)
    expect(tb.sources.has('one-off-key')).toBe(true)
    tb.sweep(1000 + 60_000)
    expect(tb.sources.has('one-off-key')).toBe(false)
  })

  test('completing the last entry forgets the lane (memory stays bounded by live keys)', () => {
    const tb = table()
    tb.add(ev('gone', 'ALERT'))
    const lane = tb.lastLane!
    tb.completeHead(lane)
    expect(tb.entries).toBe(0)
    expect(tb.sources.get('k1')!.lanes.has('gone')).toBe(false)
  })
})
