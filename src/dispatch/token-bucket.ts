/**
 * Rate governor for outgoing ilert calls. ilert counts requests in FIXED one-minute windows whose
 * alignment we cannot see. A classic refilling bucket can spend 2N inside one of those windows
 * (N at the end of our interval, N refilled at the start of the next), so this bucket gives each
 * spent token back exactly one window (+ margin for skew) after it was spent. That guarantees at
 * most N calls in ANY interval of the window's length, hence in every fixed window ilert uses.
 * O(1) per operation: spend times live in a preallocated ring of N slots.
 */
export class WindowTokenBucket {
  private readonly spentAt: Float64Array
  private next = 0
  private used = 0

  /**
   * @param tokens calls allowed per window (N)
   * @param windowMs window length, 60_000 for ilert
   * @param marginMs extra time a token stays spent, covering latency and clock skew
   */
  constructor(
    readonly tokens: number,
    private readonly windowMs: number,
    private readonly marginMs = 0,
  ) {
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError('tokens must be a positive integer')
    this.spentAt = new Float64Array(tokens)
  }

  /** Time from which a token is available (≤ now means available now). */
  availableAt(): number {
    if (this.used < this.tokens) return 0
    return this.spentAt[this.next]! + this.windowMs + this.marginMs
  }

  /** Time from which every token is back (0 if none was ever spent): a fresh bucket is then equivalent. */
  fullAt(): number {
    if (this.used === 0) return 0
    const last = this.spentAt[(this.next + this.tokens - 1) % this.tokens]!
    return last + this.windowMs + this.marginMs
  }

  /** Spends one token if one is available at `now`. */
  tryTake(now: number): boolean {
    if (this.used < this.tokens) {
      this.spentAt[this.next] = now
      this.next = (this.next + 1) % this.tokens
      this.used++
      return true
    }
    if (this.spentAt[this.next]! + this.windowMs + this.marginMs > now) return false
    this.spentAt[this.next] = now
    this.next = (this.next + 1) % this.tokens
    return true
  }

  /** Marks every token spent at `now` (used after a 429: ilert says the window is exhausted). */
  exhaust(now: number): void {
    this.spentAt.fill(now)
    this.used = this.tokens
  }
}
