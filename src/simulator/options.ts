/**
 * Simulator options and their defaults, in one place so the library, the CLI and the tests agree.
 * Defaults follow ilert's documented limits (50 events per integration key per fixed one-minute window).
 */

import type { EventLogEntry } from './state'

/** Fault injection knobs. Every field is optional; absent or 0 means "off". */
export interface FaultOptions {
  /** Share (0..1) of rate-limit-passing events answered with `errorStatus` instead of being processed. */
  errorRatio?: number
  /** Status used by `errorRatio`. Default 503. */
  errorStatus?: number
  /** Added to every /api/events response, after the event was processed. */
  latencyMs?: number
  /** Share (0..1) of events whose connection is reset without an answer (the client sees ECONNRESET). */
  resetRatio?: number
  /** Epoch ms; until then every /api/events request gets 503 (a "down period"). */
  downUntil?: number
  /** Answer every event with this status (400..599), without processing it. */
  forceStatus?: number
  /** When set, forceStatus applies only to events with one of these alert keys (one event failing while others succeed). */
  forceStatusKeys?: string[]
  /** Delays the response this long (client timeout tests). The event is processed first, as a slow server would. */
  hangMs?: number
  /**
   * How many more /api/events requests forceStatus, resetRatio and hangMs apply to; each request
   * outside a down period counts one, and at 0 they stop (the simulator recovers by itself).
   * Absent: no bound.
   */
  times?: number
  /** Seed for the PRNG behind `errorRatio` and `resetRatio`; setting it (re)seeds. Default: random. */
  seed?: number
}

export interface RateLimitOptions {
  /** Requests per integration key per window; 0 or Infinity disables limiting (counting still happens). */
  perKey?: number
  /** REST calls per user API key per window (ilert: 120/min); 0 or Infinity disables. */
  restPerKey?: number
  /** Window length; windows are aligned to epoch multiples of it. */
  windowMs?: number
}

export interface SimulatorOptions {
  /** Bind address. Default 127.0.0.1. */
  address?: string
  /** Port; 0 (default) picks a free one, reported by `start()`. */
  port?: number
  rateLimit?: RateLimitOptions
  /** When given, events for any other key get 404 NOT_FOUND. When absent every key is accepted. */
  integrationKeys?: string[]
  faults?: FaultOptions
  /** Event log capacity; the oldest entries are dropped beyond it (counted as `logDropped`). */
  maxLog?: number
  /** Alert capacity; the oldest alerts are dropped beyond it (counted as `alertsDropped`). */
  maxAlerts?: number
  /** Clock, for tests. Default Date.now. */
  now?: () => number
  /** Allow REST GETs without an Authorization header (embedded demo, older tests). Default false, as ilert. */
  openReads?: boolean
  /** Start with a few demo alerts from the seeded org's alert sources. Default false. */
  demoAlerts?: boolean
  /**
   * Called with every accepted event as it is logged. A benchmark that must see every event of a
   * long run reads them here and keeps maxLog small: holding each event's body made the
   * simulator's own collections stall its process (and every answer) by 10-20 ms once a second.
   */
  onAccepted?: (entry: EventLogEntry) => void
}

export interface ResolvedConfig {
  address: string
  port: number
  perKey: number
  restPerKey: number
  windowMs: number
  openReads: boolean
  demoAlerts: boolean
  integrationKeys: Set<string> | undefined
  faults: FaultOptions
  maxLog: number
  maxAlerts: number
  now: () => number
  onAccepted: ((entry: EventLogEntry) => void) | undefined
}

export const DEFAULTS = {
  address: '127.0.0.1',
  port: 0,
  perKey: 50,
  restPerKey: 120,
  windowMs: 60_000,
  errorStatus: 503,
  maxLog: 1_000_000,
  maxAlerts: 1_000_000,
} as const

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedConfig {
  const perKey = opts.rateLimit?.perKey ?? DEFAULTS.perKey
  const windowMs = opts.rateLimit?.windowMs ?? DEFAULTS.windowMs
  if (!(windowMs > 0)) throw new Error(`rateLimit.windowMs must be positive, got ${windowMs}`)
  if (!(perKey >= 0)) throw new Error(`rateLimit.perKey must be >= 0, got ${perKey}`)
  return {
    address: opts.address ?? DEFAULTS.address,
    port: opts.port ?? DEFAULTS.port,
    perKey,
    restPerKey: opts.rateLimit?.restPerKey ?? DEFAULTS.restPerKey,
    windowMs,
    openReads: opts.openReads ?? false,
    demoAlerts: opts.demoAlerts ?? false,
    integrationKeys: opts.integrationKeys ? new Set(opts.integrationKeys) : undefined,
    faults: { ...opts.faults },
    maxLog: Math.max(1, opts.maxLog ?? DEFAULTS.maxLog),
    maxAlerts: Math.max(1, opts.maxAlerts ?? DEFAULTS.maxAlerts),
    now: opts.now ?? Date.now,
    onAccepted: opts.onAccepted,
  }
}

/** How keys appear anywhere outside the simulator's memory: first 4 characters and an ellipsis. */
export function maskKey(key: string): string {
  return key.slice(0, 4) + '…'
}
