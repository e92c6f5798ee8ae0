import { describe, expect, test } from 'bun:test'
import { RingBuffer } from '../../src/queue/ring-buffer'
import type { QueuedEvent } from '../../src/pipeline/ilert-event'

const ev = (i: number): QueuedEvent => ({
  id: 0,
  body: { integrationKey: 'k', eventType: 'ALERT', summary: `s${i}` },
  laneKey: `a${i}`,
  acceptedAt: i,
  attempts: 0,
})

describe('RingBuffer', () => {
  test('keeps FIFO order across wrap-around', () => {
    const q = new RingBuffer(3)
    const out: QueuedEvent[] = []
    for (let round = 0; round < 5; round++) {
      expect(q.offer(ev(round * 2)).kind).toBe('accepted')
      expect(q.offer(ev(round * 2 + 1)).kind).toBe('accepted')
      q.takeBatch(10, out)
    }
    expect(out.map((e) => e.acceptedAt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(q.size).toBe(0)
  })

  test('refuses when full instead of dropping, and reports space once freed', () => {
    const q = new RingBuffer(2)
    q.offer(ev(1))
    q.offer(ev(2))
    expect(q.offer(ev(3))).toEqual({ kind: 'full', reason: 'queue_full' })
    let spaced = 0
    q.onSpace(() => spaced++)
    const out: QueuedEvent[] = []
    expect(q.takeBatch(1, out)).toBe(1)
    expect(spaced).toBe(1)
    expect(q.offer(ev(3)).kind).toBe('accepted')
    q.takeBatch(5, out)
    expect(out.map((e) => e.acceptedAt)).toEqual([1, 2, 3])
  })

  test('signals data once per commit that added events, not per offer', () => {
    const q = new RingBuffer(4)
    let woke = 0
    q.onData(() => woke++)
    q.offer(ev(1))
    q.offer(ev(2))
    expect(woke).toBe(0)
    expect(q.commit()).toEqual({ kind: 'ok', committed: 2 })
    expect(woke).toBe(1)
    expect(q.commit()).toEqual({ kind: 'ok', committed: 0 })
    expect(woke).toBe(1)
    q.takeBatch(4, [])
    q.offer(ev(3))
    q.commit()
    expect(woke).toBe(2)
  })

  test('freeSlots follows what is held', () => {
    const q = new RingBuffer(3)
    q.offer(ev(1))
    expect(q.freeSlots()).toBe(2)
    q.takeBatch(1, [])
    expect(q.freeSlots()).toBe(3)
  })

  test('takeBatch honours max', () => {
    const q = new RingBuffer(8)
    for (let i = 0; i < 8; i++) q.offer(ev(i))
    const out: QueuedEvent[] = []
    expect(q.takeBatch(3, out)).toBe(3)
    expect(q.size).toBe(5)
  })
})
