/**
 * ilert's heartbeat ping endpoints: GET|HEAD|POST /api/heartbeats/{key} (and /api/v1/...) for the
 * legacy heartbeat alert sources, GET|HEAD /api/pings/{key} for heartbeat monitors. Each answers
 * 202 with no body, and 429 beyond 5 pings per key in a fixed one-minute window (ilert's limit;
 * every ping counts, refused ones included). The record per key lets tests see what arrived.
 */
import { ilertError } from './http'
import { countRequest, newWindowCounter, overLimit, type WindowCounter } from './rate-limit'

export const HEARTBEAT_PINGS_PER_MINUTE = 5

export interface HeartbeatRecord {
  /** Time (ms) and method of every ping, refused ones included. */
  pings: { at: number; method: string; path: 'heartbeats' | 'pings'; status: number }[]
  accepted: number
  rateLimited: number
  window: WindowCounter
}

export class HeartbeatBook {
  readonly keys = new Map<string, HeartbeatRecord>()
  constructor(private readonly now: () => number) {}

  handler(path: 'heartbeats' | 'pings') {
    return (req: Request & { params: Record<string, string> }): Response => {
      const key = req.params.key ?? ''
      if (key === '') return ilertError(400, 'Missing heartbeat key')
      let rec = this.keys.get(key)
      if (rec === undefined) {
        if (this.keys.size >= 10_000) return ilertError(429, 'Too many heartbeat keys')
        rec = { pings: [], accepted: 0, rateLimited: 0, window: newWindowCounter() }
        this.keys.set(key, rec)
      }
      const now = this.now()
      const over = overLimit(countRequest(rec.window, now, 60_000), HEARTBEAT_PINGS_PER_MINUTE)
      const status = over ? 429 : 202
      if (rec.pings.length < 10_000) rec.pings.push({ at: now, method: req.method, path, status })
      if (over) {
        rec.rateLimited++
        return ilertError(429)
      }
      rec.accepted++
      return new Response(null, { status: 202 })
    }
  }

  clear(): void {
    this.keys.clear()
  }
}
