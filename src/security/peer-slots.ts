/**
 * Counts what each client address holds at once (TCP connections, HTTP requests in flight)
 * against a per-peer and a total cap. `acquire` says why it refused, and that reason is the metric
 * label. Entries disappear when their count returns to zero, so memory follows live use only.
 */
export type SlotResult = 'ok' | 'listener_full' | 'peer_full'

export class PeerSlots {
  private readonly perPeer = new Map<string, number>()
  private count = 0

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerPeer: number,
  ) {}

  acquire(peer: string): SlotResult {
    if (this.count >= this.maxTotal) return 'listener_full'
    const n = this.perPeer.get(peer) ?? 0
    if (n >= this.maxPerPeer) return 'peer_full'
    this.perPeer.set(peer, n + 1)
    this.count++
    return 'ok'
  }

  release(peer: string): void {
    const n = this.perPeer.get(peer)
    if (n === undefined) return
    if (n <= 1) this.perPeer.delete(peer)
    else this.perPeer.set(peer, n - 1)
    this.count--
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

  of(peer: string): number {
    return this.perPeer.get(peer) ?? 0
  }

  get peers(): number {
    return this.perPeer.size
  }
}
