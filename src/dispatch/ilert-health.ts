/**
 * Is ilert itself down? A transient failure (unreachable, a timeout, a 5xx) that every call gets
 * is not the events' fault, so it must not use up their attempts: an outage longer than the
 * retry schedule would otherwise dead-letter everything. After `threshold` transient failures in
 * a row with no success between them, ilert is taken as down: delivery pauses, the attempts the
 * failures in that streak counted are refunded, and one call at a time probes ilert, at a growing
 * interval, until one is answered; then delivery resumes at the governed rate. A failure while
 * others succeed stays the event's own (its attempts count, it can end in the dead letters).
 */
import type { Entry } from './coalesce'

export type FailureVerdict =
  /** Counted as the event's attempt (ilert looks up). */
  | { kind: 'counted' }
  /** ilert is down: no attempt counted; `refund` lists the streak's earlier failures to undo (only when the outage just began). */
  | { kind: 'outage'; began: boolean; refund: Entry[] }

export interface HealthOptions {
  threshold: number
  minProbeMs: number
  maxProbeMs: number
}

export class IlertHealth {
  down = false
  /** performance.now() when the outage began. */
  downSince = 0
  /** No probe before this time. */
  probeAt = 0
  /** The call out as the probe, while down. */
  probe: Entry | undefined
  private probeDelay: number
  /** Entries whose transient failure was counted during the current streak of failures. */
  private streak: Entry[] = []

  constructor(private readonly opts: HealthOptions) {
    this.probeDelay = opts.minProbeMs
  }

  failure(entry: Entry, now: number): FailureVerdict {
    if (this.down) {
      if (entry === this.probe) {
        // The probe failed too: wait longer before the next one.
        this.probe = undefined
        this.probeDelay = Math.min(this.opts.maxProbeMs, this.probeDelay * 2)
        this.probeAt = now + this.probeDelay
      }
      return { kind: 'outage', began: false, refund: [] }
    }
    if (this.streak.length + 1 < this.opts.threshold) {
      this.streak.push(entry)
      return { kind: 'counted' }
    }
    const refund = this.streak
    this.streak = []
    this.down = true
    this.downSince = now
    this.probeDelay = this.opts.minProbeMs
    this.probeAt = now + this.probeDelay
    return { kind: 'outage', began: true, refund }
  }

  /** ilert answered (any status but a transient failure): returns how long it was down, or 0. */
  answered(now: number): number {
    this.streak = []
    if (!this.down) return 0
    this.down = false
    this.probe = undefined
    return now - this.downSince
  }

  /** While down: may a probe go out now? */
  probeDue(now: number): boolean {
    return this.probe === undefined && now >= this.probeAt
  }
}
