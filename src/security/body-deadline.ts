/**
 * Bounds how long a request body may take to arrive (listen.body_timeout_seconds), so a client
 * trickling bodies holds its slots for a bounded time only. One coarse timer, running only while
 * bodies are awaited, sweeps them all: a request pays a Set insert and delete, not a timer.
 */
export class BodyTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`the request body did not arrive within listen.body_timeout_seconds (${seconds} s)`)
  }
}

export interface Waiter {
  due: number
  fail(err: BodyTimeout): void
}

export class BodyDeadlines {
  private readonly waiting = new Set<Waiter>()
  private readonly tickMs: number
  private readonly ticksAllowed: number
  private ticks = 0
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly seconds: number) {
    const ms = seconds * 1000
    this.tickMs = Math.max(10, Math.min(250, ms / 4))
    // A body started just before a tick still gets its full time: one tick more than the deadline.
    this.ticksAllowed = Math.ceil(ms / this.tickMs) + 1
  }

  /**
   * Starts the clock for one body: `onTimeout` runs once the deadline passes, unless `settle`
   * (returning false when the timeout already ran) was called first.
   */
  track(onTimeout: (err: BodyTimeout) => void): Waiter {
    const w: Waiter = { due: this.ticks + this.ticksAllowed, fail: onTimeout }
    this.waiting.add(w)
    this.timer ??= this.start()
    return w
  }

  /** Stops the clock for `w`; false when its deadline had already passed (onTimeout ran). */
  settle(w: Waiter): boolean {
    return this.waiting.delete(w)
  }

  get pending(): number {
    return this.waiting.size
  }

  private start(): ReturnType<typeof setInterval> {
    const t = setInterval(() => this.sweep(), this.tickMs)
    t.unref?.()
    return t
  }

  private sweep(): void {
    this.ticks++
    for (const w of this.waiting) {
      if (w.due > this.ticks) continue
      this.waiting.delete(w)
      w.fail(new BodyTimeout(this.seconds))
    }
    if (this.waiting.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}
