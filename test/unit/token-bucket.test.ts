import { describe, expect, test } from 'bun:test'
import { WindowTokenBucket } from '../../src/dispatch/token-bucket'

/** Counts the most calls that fall into any fixed window [k*w + offset, (k+1)*w + offset). */
function maxInFixedWindow(times: number[], windowMs: number, offset: number): number {
  const counts = new Map<number, number>()
  for (const t of times) {
    const k = Math.floor((t - offset) / windowMs)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return Math.max(0, ...counts.values())
}

describe('WindowTokenBucket', () => {
  test('allows exactly N calls, then none until the first token returns', () => {
    const b = new WindowTokenBucket(3, 1000)
    expect([b.tryTake(0), b.tryTake(1), b.tryTake(2), b.tryTake(3)]).toEqual([true, true, true, false])
    expect(b.availableAt()).toBe(1000)
    expect(b.tryTake(999)).toBe(false)
    expect(b.tryTake(1000)).toBe(true)
    expect(b.tryTake(1000)).toBe(false)
    expect(b.availableAt()).toBe(1001)
  })

  test('never exceeds N in any fixed window, whatever its alignment (a refilling bucket would allow 2N)', () => {
    const n = 50
    const w = 60_000
    const b = new WindowTokenBucket(n, w)
    const sent: number[] = []
    // Greedy sender polling every 250 ms for 10 simulated minutes.
    for (let t = 0; t < 10 * w; t += 250) while (b.tryTake(t)) sent.push(t)
    expect(sent.length).toBeGreaterThanOrEqual(n * 9)
    for (const offset of [0, 1, 59_999, 30_000, 12_345]) expect(maxInFixedWindow(sent, w, offset)).toBeLessThanOrEqual(n)
  })

  test('margin keeps tokens spent a little longer', () => {
    const b = new WindowTokenBucket(1, 1000, 200)
    expect(b.tryTake(0)).toBe(true)
    expect(b.tryTake(1100)).toBe(false)
    expect(b.tryTake(1200)).toBe(true)
  })

  test('exhaust() blocks every token for a full window from now', () => {
    const b = new WindowTokenBucket(5, 1000)
    expect(b.tryTake(0)).toBe(true)
    b.exhaust(500)
    expect(b.tryTake(1499)).toBe(false)
    expect(b.availableAt()).toBe(1500)
    for (let i = 0; i < 5; i++) expect(b.tryTake(1500)).toBe(true)
    expect(b.tryTake(1500)).toBe(false)
  })

  test('fullAt: when every token is back', () => {
    const b = new WindowTokenBucket(3, 1000, 10)
    expect(b.fullAt()).toBe(0)
    b.tryTake(5)
    b.tryTake(7)
    expect(b.fullAt()).toBe(1017)
  })

  test('rejects a non-positive size', () => {
    expect(() => new WindowTokenBucket(0, 1000)).toThrow(RangeError)
  })
})
