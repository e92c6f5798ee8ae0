/**
 * Counts what each client address holds at once (TCP connections, HTTP requests in flight)
 * against a per-peer and a total cap. `acquire` says why it refused, and that reason is the metric
 * label. Entries disappear when their count returns to zero, so memory follows live use only.
 *
 * HTTP requests enter through `enter`, which looks a holder's address up only when a per-peer cap
 * could bind: while fewer than `maxPerPeer` are held in all, no address can be over its cap, so
 * they are admitted unattributed. Bun's `server.requestIP` (a getpeername and a string) took 0.9-1.6
 * µs per request here, about 5 % of a one-event request; a bridge serving fewer than `maxPerPeer`
 * concurrent requests never calls it. Once that many are held, every unattributed holder is
 * looked up (it is still connected, or counts as "unknown") and counting is exact again.
 */
export type SlotResult = 'ok' | 'listener_full' | 'peer_full'

/** A slot holder whose address is looked up on demand (an HTTP request). */
export interface LazyHolder {
  /** Its address; the same answer every time (an implementation looks it up once and keeps it). */
  lookup(): string
}

export class PeerSlots {
  private readonly perPeer = new Map<string, number>()
  private count = 0
  /** Holders admitted by `enter` and not yet looked up. */
  private readonly unattributed = new Set<LazyHolder>()
  /** Everything held (attributed or not), unlike `count` not lowered by `stepOut`: bounds every peer's share. */
  private held = 0

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerPeer: number,
  ) {}

  acquire(peer: string): SlotResult {
    if (this.count >= this.maxTotal) return 'listener_full'
    if (this.held >= this.maxPerPeer) this.attributeAll()
    const n = this.perPeer.get(peer) ?? 0
    if (n >= this.maxPerPeer) return 'peer_full'
    this.perPeer.set(peer, n + 1)
    this.count++
    this.held++
    return 'ok'
  }

  release(peer: string): void {
    const n = this.perPeer.get(peer)
    if (n === undefined) return
    if (n <= 1) this.perPeer.delete(peer)
    else this.perPeer.set(peer, n - 1)
    this.count--
    this.held--
  }

  /** `acquire` for a holder whose address is looked up only if a per-peer cap could bind. */
  enter(h: LazyHolder): SlotResult {
    if (this.count >= this.maxTotal) return 'listener_full'
    if (this.held < this.maxPerPeer) {
      this.unattributed.add(h)
      this.count++
      this.held++
      return 'ok'
    }
    return this.acquire(h.lookup())
  }

  /** Gives back a slot `enter` granted. */
  leave(h: LazyHolder): void {
    if (this.unattributed.delete(h)) {
      this.count--
      this.held--
    } else this.release(h.lookup())
  }

  /** Counts every unattributed holder under its address. */
  private attributeAll(): void {
    if (this.unattributed.size === 0) return
    for (const h of this.unattributed) {
      const peer = h.lookup()
      this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1)
    }
    this.unattributed.clear()
  }

  /**
   * Gives back the listener-wide share of a held slot while its holder only waits on its client
   * (an HTTP body still arriving); the per-peer share stays held.
   */
  stepOut(): void {
    this.count--
  }

  /** Takes the listener-wide share back; false when that puts the listener over its cap. */
  stepIn(): boolean {
    return ++this.count <= this.maxTotal
  }

  get total(): number {
    return this.count
  }

  /** What `peer` holds (unattributed holders are looked up first). */
  of(peer: string): number {
    this.attributeAll()
    return this.perPeer.get(peer) ?? 0
  }

  /** Addresses holding slots (unattributed holders are looked up first). */
  get peers(): number {
    this.attributeAll()
    return this.perPeer.size
  }
}
