/**
 * ilert takes 5 heartbeat pings per minute per key (fixed one-minute windows). The proxy forwards a
 * ping only when fewer than `perMinute` were forwarded for that key in the last 61 s (a sliding
 * window that covers any fixed one, plus a second of skew); the others are answered locally: the
 * monitor was pinged moments ago, which is all a heartbeat says. Keys are bounded (`maxKeys`):
 * beyond it the key pinged least recently is forgotten.
 */
const WINDOW_MS = 61_000

export class PingLimiter {
  private readonly keys = new Map<string, number[]>()
  constructor(
    private readonly perMinute: number,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and recorded) when a ping for `key` may be forwarded now. */
  take(key: string): boolean {
    const t = this.now()
    let times = this.keys.get(key)
    if (times === undefined) {
      if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!)
      times = []
    } else this.keys.delete(key) // re-inserted below: the Map's order is least recently pinged first
    this.keys.set(key, times)
    while (times.length > 0 && t - times[0]! >= WINDOW_MS) times.shift()
    if (times.length >= this.perMinute) return false
    times.push(t)
    return true
  }

  /** A forward that failed gives its slot back, so the next ping may try again. */
  giveBack(key: string): void {
    this.keys.get(key)?.pop()
  }
}
