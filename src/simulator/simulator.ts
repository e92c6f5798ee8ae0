/**
 * The bundled ilert simulator: a real HTTP server (Bun.serve) speaking ilert's Events API and the
 * slice of its REST API the MCP tools use (alerts and their actions, users, schedules, on-calls,
 * escalation policies, services, status-page incidents) over a seeded organization (seed-org.ts),
 * with ilert's auth semantics, pagination caps, per-key fixed-window rate limits and runtime fault
 * injection. The bridge's default start, its integration tests and its benchmarks point at it.
 *
 * @example
 * const sim = createSimulator({ rateLimit: { perKey: 50, windowMs: 60_000 } })
 * const { url } = await sim.start()   // POST `${url}/api/events`
 * sim.setFaults({ errorRatio: 0.3, seed: 1 })
 * await sim.stop()
 */
import type { Server } from 'bun'
import { eventLog, getFaults, reset, setFaults, stats } from './admin-routes'
import { createContext } from './context'
import { createEventsHandler } from './events-route'
import { HeartbeatBook, type HeartbeatRecord } from './heartbeats'
import { ilertError } from './http'
import { resolveOptions, type FaultOptions, type SimulatorOptions } from './options'
import { restRoutes } from './rest-routes'
import { webPages } from './web-pages'
import type { EventLogEntry, SimAlert } from './state'
import type { KeyStats, SimulatorStats } from './stats'

export type { FaultOptions, RateLimitOptions, SimulatorOptions } from './options'
export type { KeyStats, SimulatorStats } from './stats'
export type { AlertStatus, EventLogEntry, EventOutcome, SimAlert } from './state'
export { maskKey } from './options'
export { SIM_RESPONDER_KEY, SIM_USER_KEY } from './seed-org'

export interface Simulator {
  /** Binds the server; with port 0 the answer carries the port actually bound. */
  start(): Promise<{ port: number; url: string }>
  /** Closes the listener and every open connection (pending hangs included). */
  stop(): Promise<void>
  /** Base URL, e.g. http://127.0.0.1:40123; throws before start(). */
  readonly url: string
  /** The same data as GET /stats. */
  stats(): SimulatorStats
  /** Exact counters of one raw integration key (the masked view in stats() merges keys sharing a prefix). */
  keyStats(integrationKey: string): (KeyStats & { maxPerWindowObserved: number }) | undefined
  /** The event log, oldest first. */
  events(): EventLogEntry[]
  /** All kept alerts, in id order (oldest first). */
  alerts(): SimAlert[]
  /** Merges fault settings; a field set to undefined switches that fault off. */
  setFaults(partial: FaultOptions): void
  /** Fault settings now in force. */
  faults(): FaultOptions
  /** Clears alerts, event log and counters, and restores the faults given at creation. */
  reset(): void
  /** Most REST calls one user API key made in any single rate-limit window. */
  maxRestCallsPerWindow(): number
  /** REST calls made with user API keys since start (or the last reset), all keys together. */
  restCalls(): number
  /** Heartbeat pings received for one key (undefined: none). */
  heartbeats(key: string): Omit<HeartbeatRecord, 'window'> & { maxPerWindowObserved: number } | undefined
}

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const config = resolveOptions(opts)
  const ctx = createContext(config)
  const onEvent = createEventsHandler(ctx)
  const beats = new HeartbeatBook(config.now)
  const legacyBeat = beats.handler('heartbeats')
  const pingBeat = beats.handler('pings')
  let server: Server<undefined> | undefined
  let baseUrl: string | undefined

  const start = async () => {
    if (server !== undefined) throw new Error('Simulator already started')
    server = Bun.serve({
      hostname: config.address,
      port: config.port,
      development: false,
      // Bun's default 10 s idle timeout would cut hangMs answers short; the simulator closes on stop().
      idleTimeout: 0,
      routes: {
        '/api/events': { POST: onEvent },
        '/api/v1/events': { POST: onEvent },
        '/api/events/log': { GET: (req) => eventLog(ctx, req) },
        '/api/heartbeats/:key': { GET: legacyBeat, HEAD: legacyBeat, POST: legacyBeat },
        '/api/v1/heartbeats/:key': { GET: legacyBeat, HEAD: legacyBeat, POST: legacyBeat },
        '/api/pings/:key': { GET: pingBeat, HEAD: pingBeat },
        ...restRoutes(ctx),
        ...webPages(ctx),
        '/stats': { GET: () => stats(ctx) },
        '/admin/reset': { POST: () => reset(ctx) },
        '/admin/faults': { GET: () => getFaults(ctx), POST: (req) => setFaults(ctx, req) },
        '/healthz': { GET: () => new Response('ok') },
      },
      fetch: () => ilertError(404, 'No such route'),
      error: () => ilertError(500, 'Simulator error'),
    })
    const port = server.port ?? config.port
    baseUrl = `http://${urlHost(config.address)}:${port}`
    return { port, url: baseUrl }
  }

  return {
    start,
    async stop() {
      const s = server
      server = undefined
      baseUrl = undefined
      if (s !== undefined) await s.stop(true)
    },
    get url() {
      if (baseUrl === undefined) throw new Error('Simulator not started')
      return baseUrl
    },
    stats: () => ctx.snapshot(),
    keyStats(integrationKey) {
      const r = ctx.stats.keys.get(integrationKey)
      return r && { received: r.received, accepted: r.accepted, rateLimited: r.rateLimited, maxPerWindowObserved: r.maxInWindow }
    },
    events: () => ctx.state.log.toArray(),
    alerts: () => ctx.state.alerts.toArray(),
    setFaults: (partial) => ctx.faults.set(partial),
    faults: () => ({ ...ctx.faults.current }),
    reset: () => {
      ctx.reset()
      beats.clear()
    },
    heartbeats(key) {
      const r = beats.keys.get(key)
      return r && { pings: [...r.pings], accepted: r.accepted, rateLimited: r.rateLimited, maxPerWindowObserved: r.window.maxInWindow }
    },
    maxRestCallsPerWindow: () => ctx.restBudgets.maxInWindow(),
    restCalls: () => ctx.restBudgets.total,
  }
}

/** A host usable in a URL: wildcard binds are reached through loopback, IPv6 goes in brackets. */
function urlHost(address: string): string {
  if (address === '0.0.0.0' || address === '') return '127.0.0.1'
  if (address === '::') return '[::1]'
  return address.includes(':') ? `[${address}]` : address
}
