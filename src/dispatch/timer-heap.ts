/**
 * Binary min-heap of items keyed by a due time: lanes waiting out a retry backoff. The dispatcher
 * pops what is due and sleeps until the top's time, so thousands of backing-off lanes cost
 * O(log n) each instead of one timer apiece.
 */
export class TimerHeap<T> {
  private readonly due: number[] = []
  private readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  /** Due time of the earliest item, or Infinity when empty. */
  peekDue(): number {
    return this.due.length === 0 ? Infinity : this.due[0]!
  }

  push(dueAt: number, item: T): void {
    let i = this.items.length
    this.due.push(dueAt)
    this.items.push(item)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.due[p]! <= dueAt) break
      this.swap(i, p)
      i = p
    }
  }

  /** Removes and returns the earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    if (this.due.length === 0 || this.due[0]! > now) return undefined
    const top = this.items[0]!
    const lastDue = this.due.pop()!
    const lastItem = this.items.pop()!
    if (this.items.length > 0) {
      this.due[0] = lastDue
      this.items[0] = lastItem
      this.siftDown(0)
    }
    return top
  }

  private siftDown(i: number): void {
    const n = this.items.length
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < n && this.due[l]! < this.due[m]!) m = l
      if (r < n && this.due[r]! < this.due[m]!) m = r
      if (m === i) return
      this.swap(i, m)
      i = m
    }
  }

  private swap(a: number, b: number): void {
    const d = this.due[a]!
    this.due[a] = this.due[b]!
    this.due[b] = d
    const it = this.items[a]!
    this.items[a] = this.items[b]!
    this.items[b] = it
  }
}
