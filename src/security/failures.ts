/**
 * Per-peer slowdown of failed authentication. Each failure from one address within the window
 * doubles the delay before the refusal is sent (50 ms, 100 ms, ... up to auth.failure_delay_max_seconds),
 * so guessing tokens costs time, while one mistyped token costs almost nothing. Together with the
 * per-peer connection and request caps, this bounds the guesses one address can make. Memory is
 * bounded: at most `maxPeers` addresses are remembered (the least recently failing are forgotten).
 */
export interface FailureLimiterOptions {
  maxDelayMs: number
  baseDelayMs?: number
  /** Failures older than this (since the last one) are forgotten. */
  windowMs?: number
  maxPeers?: number
  now?: () => number
}

interface Entry {
  count: number
  last: number
}

export class FailureLimiter {
  private readonly peers = new Map<string, Entry>()
  private readonly maxDelay: number
  private readonly base: number
  private readonly window: number
  private readonly maxPeers: number
  private readonly now: () => number

  constructor(opts: FailureLimiterOptions) {
    this.maxDelay = Math.max(0, opts.maxDelayMs)
    this.base = opts.baseDelayMs ?? 50
    this.window = opts.windowMs ?? 60_000
    this.maxPeers = opts.maxPeers ?? 10_000
    this.now = opts.now ?? Date.now
  }

  /** Records a failure from `peer` and returns how long (ms) to wait before answering it. */
  fail(peer: string): number {
    const t = this.now()
    const prev = this.peers.get(peer)
    const count = prev !== undefined && t - prev.last < this.window ? prev.count + 1 : 1
    this.peers.delete(peer) // re-insert: Map order is then least recently failing first
    this.peers.set(peer, { count, last: t })
    if (this.peers.size > this.maxPeers) this.peers.delete(this.peers.keys().next().value as string)
    return Math.min(this.maxDelay, this.base * 2 ** Math.min(count - 1, 30))
  }

  /** Failures remembered for `peer` within the window. */
  failures(peer: string): number {
    const e = this.peers.get(peer)
    return e !== undefined && this.now() - e.last < this.window ? e.count : 0
  }

  get trackedPeers(): number {
    return this.peers.size
  }
}
