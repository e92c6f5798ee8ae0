/**
 * Counters behind GET /stats. Per-key counters live in one record per raw integration key (which
 * also holds the key's rate-limit window and its simulated alert source), so the hot path does a
 * single Map lookup. The raw key never leaves this module's memory: snapshots are keyed by the
 * masked key. Keys that share their first four characters share a masked name; their counters are
 * summed and `maxPerWindowObserved` takes the largest per-key value. `keyStats(rawKey)` on the
 * simulator gives one key's exact numbers.
 */
import { maskKey } from './options'
import { newWindowCounter, type WindowCounter } from './rate-limit'

export interface KeyStats {
  received: number
  accepted: number
  rateLimited: number
}

export interface SimulatorStats {
  /** Every POST /api/events request, whatever its answer. */
  received: number
  /** 202s sent. */
  accepted: number
  /** 429s sent (rate limit or forced). */
  rateLimited: number
  /** Injected 5xx answers and connection resets (down period, errorRatio, resetRatio, forced 5xx). */
  faults: number
  /** 400s sent (bad JSON, schema, forced). */
  badRequests: number
  /** 404s sent (unknown integration key, forced). */
  notFound: number
  /** Event log entries dropped because the log was full. */
  logDropped: number
  /** Alerts dropped because the alert list was full. */
  alertsDropped: number
  /** Alerts currently kept. */
  alerts: number
  perKey: Record<string, KeyStats>
  /** The most requests seen in any single fixed window, per masked key. */
  maxPerWindowObserved: Record<string, number>
}

export interface KeyRecord extends KeyStats, WindowCounter {
  masked: string
  source: { id: number; name: string }
}

export class StatsBook {
  received = 0
  accepted = 0
  rateLimited = 0
  faults = 0
  badRequests = 0
  notFound = 0
  readonly keys = new Map<string, KeyRecord>()
  private nextSourceId = 1

  /** The record for `rawKey`, created on first sight. */
  key(rawKey: string): KeyRecord {
    let rec = this.keys.get(rawKey)
    if (rec === undefined) {
      const masked = maskKey(rawKey)
      rec = { ...newWindowCounter(), received: 0, accepted: 0, rateLimited: 0, masked, source: { id: this.nextSourceId++, name: `Simulated alert source ${masked}` } }
      this.keys.set(rawKey, rec)
    }
    return rec
  }

  /** Counts an answer by status class. */
  countStatus(status: number, rec: KeyRecord | undefined): void {
    if (status === 202) {
      this.accepted++
      if (rec) rec.accepted++
    } else if (status === 429) {
      this.rateLimited++
      if (rec) rec.rateLimited++
    } else if (status === 400) this.badRequests++
    else if (status === 404) this.notFound++
  }

  snapshot(extra: { logDropped: number; alertsDropped: number; alerts: number }): SimulatorStats {
    const perKey: Record<string, KeyStats> = {}
    const maxPerWindowObserved: Record<string, number> = {}
    for (const rec of this.keys.values()) {
      const p = (perKey[rec.masked] ??= { received: 0, accepted: 0, rateLimited: 0 })
      p.received += rec.received
      p.accepted += rec.accepted
      p.rateLimited += rec.rateLimited
      maxPerWindowObserved[rec.masked] = Math.max(maxPerWindowObserved[rec.masked] ?? 0, rec.maxInWindow)
    }
    const { received, accepted, rateLimited, faults, badRequests, notFound } = this
    return { received, accepted, rateLimited, faults, badRequests, notFound, ...extra, perKey, maxPerWindowObserved }
  }

  clear(): void {
    this.received = this.accepted = this.rateLimited = this.faults = this.badRequests = this.notFound = 0
    this.keys.clear()
    this.nextSourceId = 1
  }
}
