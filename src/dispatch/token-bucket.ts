/**
 * Rate governor for outgoing ilert calls. ilert counts requests in FIXED one-minute windows whose
 * alignment we cannot see. A classic refilling bucket can spend 2N inside one of those windows
 * (N at the end of our interval, N refilled at the start of the next), so this bucket gives each
 * spent token back exactly one window (+ margin) after it was spent: at most N calls in ANY
 * interval of the window's length, hence in every fixed window ilert uses.
 *
 * "Spent" must mean "counted by ilert", and ilert counts a call somewhere between our send and its
 * answer. A call taken with takePending() therefore holds its token until settle() (at the answer,
 * or the timeout), and the window runs from there: however late a call reaches ilert (a loaded
 * event loop, a slow network), two calls on one token are counted at least a window apart.
 * O(1) per operation: spend times live in a preallocated ring of N slots.
 */
const PENDING = Infinity

export class WindowTokenBucket {
  private readonly spentAt: Float64Array
  private next = 0
  private used = 0
  private pending = 0
  /** The latest settle or spend time: with nothing pending, every token is back one window after it. */
  private latest = 0

  /**
   * @param tokens calls allowed per window (N)
   * @param windowMs window length, 60_000 for ilert
   * @param marginMs extra time a token stays spent, covering clock skew
   */
  constructor(
    readonly tokens: number,
    private readonly windowMs: number,
    private readonly marginMs = 0,
  ) {
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError('tokens must be a positive integer')
    this.spentAt = new Float64Array(tokens)
  }

  /** Time from which a token is available (≤ now means available now; Infinity: when a pending call settles). */
  availableAt(): number {
    if (this.used < this.tokens) return 0
    return this.spentAt[this.next]! + this.windowMs + this.marginMs
  }

  /** Time from which every token is back (0 if none was ever spent): a fresh bucket is then equivalent. */
  fullAt(): number {
    if (this.used === 0) return 0
    if (this.pending > 0) return PENDING
    return this.latest + this.windowMs + this.marginMs
  }

  /** Spends one token at `now`, settled at once (the call is counted when taken). */
  tryTake(now: number): boolean {
    const slot = this.take(now, now)
    if (slot >= 0 && now > this.latest) this.latest = now
    return slot >= 0
  }

  /** Spends one token for a call about to be sent; it stays spent until settle(slot). -1: none available. */
  takePending(now: number): number {
    const slot = this.take(now, PENDING)
    if (slot >= 0) this.pending++
    return slot
  }

  /** The call on `slot` was answered (or abandoned) at `at`: its token returns one window after. */
  settle(slot: number, at: number): void {
    if (this.spentAt[slot] !== PENDING) return
    this.spentAt[slot] = at
    this.pending--
    if (at > this.latest) this.latest = at
  }

  /** Marks every token spent at `now` (used after a 429: ilert says the window is exhausted). */
  exhaust(now: number): void {
    // Pending slots keep their mark: they return only when their own call settles.
    for (let i = 0; i < this.tokens; i++) if (this.spentAt[i] !== PENDING) this.spentAt[i] = now
    this.used = this.tokens
    if (now > this.latest) this.latest = now
  }

  private take(now: number, mark: number): number {
    if (this.used < this.tokens) this.used++
    else if (this.spentAt[this.next]! + this.windowMs + this.marginMs > now) return -1
    const slot = this.next
    this.spentAt[slot] = mark
    this.next = (slot + 1) % this.tokens
    return slot
  }
}
