/**
 * Fault injection: decides, per /api/events request, whether to answer it normally or with a
 * down-period 503, a forced status, a random 5xx or a connection reset. Random draws come from a
 * seeded PRNG (mulberry32) so a seeded run injects the same faults in the same order every time.
 * `times` bounds the forced status, resets and hang to the next N requests, so a test can say
 * "fail exactly twice, then recover" without racing the bridge's retry timer.
 */
import { DEFAULTS, type FaultOptions } from './options'

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; injected: boolean }
  | { kind: 'reset' }

const NONE: FaultDecision = { kind: 'none' }
const RESET: FaultDecision = { kind: 'reset' }
const DOWN: FaultDecision = { kind: 'status', status: 503, injected: true }

export interface FaultInjector {
  readonly current: Readonly<FaultOptions>
  /** Merges `partial` into the current faults; a field set to undefined switches that fault off. */
  set(partial: FaultOptions): void
  /** Restores the faults given at construction and re-seeds the PRNG. */
  reset(): void
  /** Faults that apply before the rate limit: down period, connection reset, forced status (for `alertKey`'s event). */
  beforeLimit(now: number, alertKey?: unknown): FaultDecision
  /** Faults that apply to requests within their budget: random server errors. */
  afterLimit(): FaultDecision
  /** How long to hold the response (latency + hang). */
  delayMs(): number
}

export function createFaultInjector(initial: FaultOptions): FaultInjector {
  let f: FaultOptions = { ...initial }
  let rand = mulberry32(seedOf(f))
  let errorDecision = statusDecision(f)
  // The hang decided for the request beforeLimit() last saw (0 once `times` has run out).
  let hangNow = 0

  const inj: FaultInjector = {
    get current() {
      return f
    },
    set(partial) {
      f = { ...f, ...partial }
      if ('seed' in partial) rand = mulberry32(seedOf(f))
      errorDecision = statusDecision(f)
    },
    reset() {
      f = { ...initial }
      rand = mulberry32(seedOf(f))
      errorDecision = statusDecision(f)
    },
    beforeLimit(now, alertKey) {
      hangNow = 0
      if (f.downUntil !== undefined && now < f.downUntil) return DOWN
      if (f.forceStatusKeys !== undefined && !(typeof alertKey === 'string' && f.forceStatusKeys.includes(alertKey))) return NONE
      if (f.times !== undefined) {
        if (f.times <= 0) return NONE
        f = { ...f, times: f.times - 1 }
      }
      hangNow = f.hangMs ?? 0
      if (f.resetRatio && f.resetRatio > 0 && rand() < f.resetRatio) return RESET
      const forced = f.forceStatus
      if (forced !== undefined && forced >= 400 && forced <= 599) return { kind: 'status', status: forced, injected: forced >= 500 }
      return NONE
    },
    afterLimit() {
      if (f.errorRatio && f.errorRatio > 0 && rand() < f.errorRatio) return errorDecision
      return NONE
    },
    delayMs() {
      return (f.latencyMs ?? 0) + hangNow
    },
  }
  return inj
}

function statusDecision(f: FaultOptions): FaultDecision {
  return { kind: 'status', status: f.errorStatus ?? DEFAULTS.errorStatus, injected: true }
}

function seedOf(f: FaultOptions): number {
  return f.seed ?? Math.floor(Math.random() * 2 ** 32)
}

/** mulberry32: tiny, fast, good enough for fault ratios; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
