import { describe, expect, test } from 'bun:test'
import { backoffDelay, decide, rateLimitDelay } from '../../src/dispatch/retry-policy'

describe('decide: one row per ilert answer', () => {
  const rows: [number, string, string][] = [
    [200, 'success', 'ok'],
    [202, 'success', 'ok'],
    [204, 'success', 'ok'],
    [400, 'fail', 'status_400'],
    [401, 'fail', 'status_401'],
    [403, 'fail', 'status_403'],
    [404, 'fail', 'status_404'],
    [408, 'retry', 'status_408'],
    [413, 'fail', 'status_413'],
    [429, 'rate_limited', 'status_429'],
    [500, 'retry', 'status_500'],
    [501, 'fail', 'status_501'],
    [502, 'retry', 'status_502'],
    [503, 'retry', 'status_503'],
    [504, 'retry', 'status_504'],
  ]
  for (const [status, kind, reason] of rows) {
    test(`${status} → ${kind}`, () => {
      expect(decide({ kind: 'status', status })).toEqual({ kind, reason } as never)
    })
  }
  test('transport errors are retried with their reason', () => {
    expect(decide({ kind: 'error', reason: 'timeout', message: 'x' })).toEqual({ kind: 'retry', reason: 'timeout' })
    expect(decide({ kind: 'error', reason: 'network', message: 'x' })).toEqual({ kind: 'retry', reason: 'network' })
    expect(decide({ kind: 'error', reason: 'connect_timeout', message: 'x' })).toEqual({ kind: 'retry', reason: 'connect_timeout' })
  })
})

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseMs: 2000, maxMs: 60_000 }
  test('ceiling doubles per attempt and is capped (full jitter at random=1)', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(policy, a, () => 1))).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000])
  })
  test('jitter spreads below the ceiling but never to zero', () => {
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(4000)
    expect(backoffDelay(policy, 3, () => 0)).toBe(200)
  })
})

describe('rateLimitDelay', () => {
  test('waits for the next fixed window boundary plus margin', () => {
    expect(rateLimitDelay(61_000, 60_000, 1000)).toBe(60_000)
    expect(rateLimitDelay(119_500, 60_000, 1000)).toBe(1500)
  })
  test('waits at least a second on real windows', () => {
    expect(rateLimitDelay(119_999, 60_000, 0)).toBe(1000)
  })
  test('scaled windows (tests, benchmarks) are not stretched to a second', () => {
    expect(rateLimitDelay(1_000_050, 200, 10)).toBe(200)
  })
})
