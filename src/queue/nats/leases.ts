/**
 * One owner per partition: a lease is a KV entry `p.<n>` = {owner, exp} written with
 * compare-and-set on its revision, so of two instances racing for a partition exactly one write
 * wins. The owner renews every quarter lease; another instance may take the entry once `exp`
 * (epoch ms, written by the owner) has passed. The owner itself trusts its lease only until half
 * a lease after it SENT the renewal that succeeded (a monotonic clock, so a pause counts): every
 * send is fenced by `holds(p)`, so a paused owner finds out it may have lost the lease before it
 * sends again, and a taker (which waits for the whole lease) never overlaps it. Members announce
 * themselves (`m.<instance>`) so each takes a fair share: ceil(partitions / live instances);
 * above its share an instance releases a partition (after its calls on the wire are answered).
 */
import type { KV, KvEntry } from '@nats-io/kv'
import { fnv1a } from '../../security/digest'

export interface LeaseEvents {
  acquired(p: number): void
  /** The partition is no longer ours (taken by another, or released): drop its lanes. */
  lost(p: number, why: 'taken' | 'released'): void
  /** Our hold was lapsed (renewals failing) and is confirmed again. */
  renewed(p: number): void
  error(op: string, err: Error): void
}

interface Held {
  rev: number
  /** performance.now() until which this instance may send for the partition. */
  validUntil: number
  releasing: boolean
}

interface LeaseValue {
  owner: string
  exp: number
}

export class Leases {
  private readonly held = new Map<number, Held>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private ticking: Promise<void> | undefined
  /** Set by the store: may partition `p` be released now (no call on the wire)? */
  canRelease: (p: number) => boolean = () => true

  constructor(
    private readonly kv: KV,
    private readonly instance: string,
    private readonly partitions: number,
    private readonly leaseMs: number,
    private readonly events: LeaseEvents,
  ) {}

  /** True while this instance may send for partition `p`. */
  holds(p: number): boolean {
    const h = this.held.get(p)
    return h !== undefined && !h.releasing && performance.now() < h.validUntil
  }

  owned(): number[] {
    return [...this.held.keys()]
  }

  start(): Promise<void> {
    return (this.ticking = this.boundedTick().finally(() => this.schedule()))
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.ticking = this.boundedTick().finally(() => this.schedule())
    }, Math.max(50, this.leaseMs / 4))
  }

  /**
   * A round that hangs (a request lost across a NATS restart) must not stop the renewals: after
   * half a lease the next round starts anyway (compare-and-set keeps overlapping rounds safe).
   */
  private boundedTick(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(100, this.leaseMs / 2))))
    return Promise.race([this.tick().catch((err: Error) => this.events.error('lease_tick', err)), limit]).finally(() => clearTimeout(timer))
  }

  /** Stops renewing and releases every partition (a clean stop hands them over at once). */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.ticking?.catch(() => undefined)
    await Promise.all([...this.held.keys()].map((p) => this.release(p)))
    await this.kv.delete(`m.${this.instance}`).catch(() => undefined)
  }

  private value(): string {
    return JSON.stringify({ owner: this.instance, exp: Date.now() + this.leaseMs } satisfies LeaseValue)
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    try {
      await this.kv.put(`m.${this.instance}`, JSON.stringify({ exp: Date.now() + this.leaseMs }))
    } catch (err) {
      this.events.error('lease_member', err as Error)
      // Without NATS nothing below can succeed; holds lapse on their own.
    }
    await Promise.all([...this.held].map(([p, h]) => (h.releasing ? this.finishRelease(p) : this.renew(p, h))))
    if (this.stopped) return
    let view: { leases: Map<number, { rev: number; v: LeaseValue | undefined }>; members: number }
    try {
      view = await this.read()
    } catch (err) {
      this.events.error('lease_read', err as Error)
      return
    }
    const fair = Math.ceil(this.partitions / Math.max(1, view.members))
    const mine = [...this.held.values()].filter((h) => !h.releasing).length
    if (mine < fair) {
      const now = Date.now()
      let want = fair - mine
      // Start at a different partition per instance so racing starters spread out.
      const offset = fnv1a(this.instance) % this.partitions
      for (let i = 0; i < this.partitions && want > 0; i++) {
        const p = (offset + i) % this.partitions
        if (this.held.has(p)) continue
        const cur = view.leases.get(p)
        if (cur !== undefined && cur.v !== undefined && cur.v.exp > now) continue
        if (await this.acquire(p, cur?.rev)) want--
      }
    } else if (mine > fair) {
      for (const [p, h] of this.held) {
        if (!h.releasing) {
          h.releasing = true
          await this.finishRelease(p)
          break
        }
      }
    }
  }

  private async read(): Promise<{ leases: Map<number, { rev: number; v: LeaseValue | undefined }>; members: number }> {
    const keys: string[] = []
    for await (const k of await this.kv.keys()) keys.push(k)
    const leases = new Map<number, { rev: number; v: LeaseValue | undefined }>()
    let members = 0
    const now = Date.now()
    await Promise.all(
      keys.map(async (k) => {
        const e = await this.kv.get(k)
        if (e === null || e.operation !== 'PUT') {
          if (e !== null && k.startsWith('p.')) leases.set(Number(k.slice(2)), { rev: e.revision, v: undefined })
          return
        }
        const v = parse(e)
        if (k.startsWith('m.')) {
          if (v !== undefined && v.exp > now) members++
        } else if (k.startsWith('p.')) leases.set(Number(k.slice(2)), { rev: e.revision, v: v as LeaseValue | undefined })
      }),
    )
    return { leases, members }
  }

  private async acquire(p: number, rev: number | undefined): Promise<boolean> {
    const sentAt = performance.now()
    try {
      const r = rev === undefined ? await this.kv.create(`p.${p}`, this.value()) : await this.kv.update(`p.${p}`, this.value(), rev)
      this.held.set(p, { rev: r, validUntil: sentAt + this.leaseMs / 2, releasing: false })
      this.events.acquired(p)
      return true
    } catch {
      return false // another instance won the race
    }
  }

  private async renew(p: number, h: Held): Promise<void> {
    const sentAt = performance.now()
    const before = h.validUntil
    const revAtStart = h.rev
    try {
      h.rev = await this.kv.update(`p.${p}`, this.value(), h.rev)
      const lapsed = performance.now() >= before
      h.validUntil = sentAt + this.leaseMs / 2
      if (lapsed) this.events.renewed(p)
    } catch (err) {
      // A stale revision because an overlapping round renewed meanwhile is not a loss.
      if (isWrongSequence(err) && h.rev === revAtStart && this.held.get(p) === h) {
        this.held.delete(p)
        this.events.lost(p, 'taken')
      } else this.events.error('lease_renew', err as Error)
    }
  }

  /** Completes a release once no call of the partition is on the wire. */
  private async finishRelease(p: number): Promise<void> {
    if (!this.canRelease(p) && !this.stopped) return
    await this.release(p)
  }

  private async release(p: number): Promise<void> {
    const h = this.held.get(p)
    if (h === undefined) return
    h.releasing = true
    this.held.delete(p)
    this.events.lost(p, 'released')
    await this.kv.delete(`p.${p}`, { previousSeq: h.rev }).catch(() => undefined)
  }
}

function parse(e: KvEntry): { exp: number; owner?: string } | undefined {
  try {
    return JSON.parse(e.string()) as { exp: number; owner?: string }
  } catch {
    return undefined
  }
}

function isWrongSequence(err: unknown): boolean {
  return /wrong last sequence|key not found/i.test((err as Error).message ?? '')
}

