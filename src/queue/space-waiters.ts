/**
 * Listeners waiting for room in a store (a paused TCP connection, a blocked reader): each is
 * called once, the next time room frees up, then forgotten.
 */
export class SpaceWaiters {
  private listeners: (() => void)[] = []

  add(listener: () => void): void {
    this.listeners.push(listener)
  }

  wake(): void {
    if (this.listeners.length === 0) return
    const ls = this.listeners
    this.listeners = []
    for (const l of ls) l()
  }
}
