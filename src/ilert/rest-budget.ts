/**
 * ilert allows 120 REST calls per minute per user API key. Each key gets a WindowTokenBucket
 * (the dispatcher's: a spent token returns one window later, so no window of that length ever
 * sees more than N calls). Keys are held as hashes, never as text, and the map is bounded: the
 * least recently used key is dropped beyond `maxKeys` (so random bearer tokens cannot grow it).
 */
import { WindowTokenBucket } from '../dispatch/token-bucket'

export type BudgetOutcome = { kind: 'granted' } | { kind: 'wait'; ms: number }

export class RestBudget {
  private readonly buckets = new Map<string, WindowTokenBucket>()

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
    private readonly marginMs = 1_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes a token for `apiKey` at `now`, or says how long until one is free. */
  take(apiKey: string, now: number): BudgetOutcome {
    const id = String(Bun.hash(apiKey))
    let bucket = this.buckets.get(id)
    if (bucket === undefined) {
      bucket = new WindowTokenBucket(this.perWindow, this.windowMs, this.marginMs)
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
    } else this.buckets.delete(id) // re-insert: Map order is recency order
    this.buckets.set(id, bucket)
    if (bucket.tryTake(now)) return { kind: 'granted' }
    return { kind: 'wait', ms: Math.max(1, bucket.availableAt() - now) }
  }

  /** After a 429: ilert says this key's window is spent. */
  exhaust(apiKey: string, now: number): void {
    this.buckets.get(String(Bun.hash(apiKey)))?.exhaust(now)
  }
}
