/**
 * A ring buffer that grows up to a capacity and then overwrites its oldest entry. The event log and
 * the alert list use it so a long benchmark cannot grow the simulator's memory without bound.
 */
export class BoundedLog<T> {
  private buf: T[] = []
  private head = 0
  /** Entries overwritten since the last clear. */
  dropped = 0

  constructor(private readonly cap: number) {}

  get length(): number {
    return this.buf.length
  }

  /** Appends; returns the entry it dropped to make room, if any. */
  push(item: T): T | undefined {
    if (this.buf.length < this.cap) {
      this.buf.push(item)
      return undefined
    }
    const old = this.buf[this.head]
    this.buf[this.head] = item
    this.head = (this.head + 1) % this.cap
    this.dropped++
    return old
  }

  /** Entry `i`, 0 being the oldest kept. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.buf.length) return undefined
    return this.buf[(this.head + i) % this.buf.length]
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.head === 0 ? this.buf.slice() : this.buf.slice(this.head).concat(this.buf.slice(0, this.head))
  }

  clear(): void {
    this.buf = []
    this.head = 0
    this.dropped = 0
  }
}
