/**
 * What this bridge knows it has left open in ilert, per (integration key, alert key): the one
 * fact a pair cancellation needs. A RESOLVE may cancel its unsent ALERT only when no earlier ALERT
 * of this bridge can be open in ilert for that key; when the bridge cannot know (a restart after
 * its log was compacted, a memory store after a restart, keys evicted from this bounded map), the
 * answer is "unknown" and the RESOLVE is sent.
 *
 * `baseline` is what holds for every key not in the map: 'closed' while the bridge has seen every
 * call it ever delivered (a durable store replayed from its first segment), else 'unknown'.
 * The map is bounded: with a 'closed' baseline it holds only open and unknown keys; past the bound
 * the baseline falls back to 'unknown' (conservative: more RESOLVEs sent, none wrongly cancelled).
 */
import { ShardedMap } from './sharded-map'

export type KeyState = 'open' | 'closed' | 'unknown'

export const HISTORY_MAX_KEYS = 200_000

/** Told of every change, in order (the durable store appends them to its history log). */
export interface HistoryListener {
  /** The key's state is now `state`; undefined: back at the baseline (or forgotten). */
  key(id: string, state: KeyState | undefined): void
  /** The baseline is now `b`; `clear`: every key was forgotten, else the keys whose state is `b` were dropped. */
  baseline(b: 'closed' | 'unknown', clear: boolean): void
}

export class KeyHistory {
  private readonly keys = new ShardedMap<KeyState>()
  listener: HistoryListener | undefined

  constructor(
    public baseline: 'closed' | 'unknown' = 'unknown',
    private readonly maxKeys = HISTORY_MAX_KEYS,
  ) {}

  get size(): number {
    return this.keys.size
  }

  state(ik: string, laneKey: string): KeyState {
    return this.keys.get(id(ik, laneKey)) ?? this.baseline
  }

  /** True when no ALERT this bridge delivered can be open in ilert for the key. */
  closed(ik: string, laneKey: string): boolean {
    return this.state(ik, laneKey) === 'closed'
  }

  set(ik: string, laneKey: string, s: KeyState): void {
    const k = id(ik, laneKey)
    const had = this.keys.delete(k)
    if (s === this.baseline) {
      if (had) this.listener?.key(k, undefined)
      return
    }
    this.keys.set(k, s)
    this.listener?.key(k, s)
    if (this.keys.size <= this.maxKeys) return
    if (this.baseline === 'closed') {
      // Forgetting an open key under a 'closed' baseline would claim it closed: give up the baseline.
      this.baseline = 'unknown'
      for (const [key, v] of this.keys) if (v === 'unknown') this.keys.delete(key)
      this.listener?.baseline('unknown', false)
    }
    // Under an 'unknown' baseline forgetting is safe: the keys forgotten become unknown.
    while (this.keys.size > this.maxKeys) {
      const key = this.keys.evictOne()
      if (key === undefined) break
      this.listener?.key(key, undefined)
    }
  }

  /** Every key that differs from the baseline, as (id, state): what a checkpoint keeps. */
  entries(): IterableIterator<[string, KeyState]> {
    return this.keys.entries()
  }

  /** Puts back what `entries` gave (a checkpoint or history log being loaded), under its baseline; not told to the listener. */
  restore(baseline: 'closed' | 'unknown', entries: Iterable<[string, KeyState]>): void {
    this.keys.clear()
    this.baseline = baseline
    for (const [k, s] of entries) if (s !== baseline) this.keys.set(k, s)
  }

  /** Forgets everything (another bridge may have delivered for these keys meanwhile): every key unknown. */
  forget(): void {
    this.keys.clear()
    this.baseline = 'unknown'
    this.listener?.baseline('unknown', true)
  }

  /** A call for the key reached ilert (or, at replay, completed): what is open there now. */
  delivered(ik: string, laneKey: string, type: string): void {
    if (type === 'ALERT') this.set(ik, laneKey, 'open')
    else if (type === 'RESOLVE') this.set(ik, laneKey, 'closed')
  }
}

function id(ik: string, laneKey: string): string {
  return `${ik}\n${laneKey}`
}
