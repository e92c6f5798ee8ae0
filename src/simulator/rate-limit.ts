/**
 * ilert's Events API throttle: a request budget per integration key in FIXED windows aligned to
 * epoch multiples of the window length (ilert: "rejected with 429 responses until a new window
 * starts"). Not a token bucket: a client that bursts at the end of one window and the start of the
 * next is allowed up to twice the budget across the boundary, exactly as with ilert.
 *
 * Every request that names a key counts, including ones answered with 429, a fault or a 400: ilert
 * counts requests, not successes, so a client's retries spend its budget too. `maxInWindow` keeps
 * the most requests any single window saw, so tests can prove a client never exceeded its budget.
 */

/** Per-key window counters; embedded in the per-key record so a request does one Map lookup. */
export interface WindowCounter {
  window: number
  count: number
  maxInWindow: number
}

export function newWindowCounter(): WindowCounter {
  return { window: -1, count: 0, maxInWindow: 0 }
}

/** Counts one request at `now`; returns how many requests (this one included) its window has seen. */
export function countRequest(c: WindowCounter, now: number, windowMs: number): number {
  const w = Math.floor(now / windowMs)
  if (w !== c.window) {
    c.window = w
    c.count = 0
  }
  c.count++
  if (c.count > c.maxInWindow) c.maxInWindow = c.count
  return c.count
}

/** True when the `count`-th request of a window is over a budget of `perKey` (0 or Infinity: no limit). */
export function overLimit(count: number, perKey: number): boolean {
  return perKey > 0 && perKey !== Infinity && count > perKey
}
