/**
 * Heartbeat ping proxy: GET|HEAD|POST /api/heartbeats/{key} (and /api/v1/heartbeats/{key}, ilert's
 * legacy heartbeat alert sources) and GET|HEAD /api/pings/{key} (ilert's heartbeat monitors), so
 * devices behind the bridge keep their monitors alive. At most heartbeat.per_key_per_minute pings
 * per key reach ilert (limiter.ts); the rest are answered 202 with `x-heartbeat: coalesced`.
 * A forwarded ping gets ilert's status; an unreachable ilert gets 502. Keys are never logged.
 */
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import type * as client from '../../observability/prom'
import { PingLimiter } from './limiter'
import { heartbeatCounter } from './metrics'

const KEY = /^[A-Za-z0-9._~-]{1,256}$/

export interface HeartbeatTargets {
  /** Base for /api/heartbeats (legacy sources): ilert.api_url. */
  api: string
  /** Base for /api/pings (monitors). */
  ping: string
}

export function heartbeatTargets(cfg: Config): HeartbeatTargets {
  const api = cfg.ilert.api_url.replace(/\/+$/, '')
  const ping = cfg.heartbeat.ping_url !== '' ? cfg.heartbeat.ping_url.replace(/\/+$/, '') : api === 'https://api.ilert.com' ? 'https://beat.ilert.com' : api
  return { api, ping }
}

export type HeartbeatHandler = (req: Request & { params: Record<string, string> }) => Promise<Response>

export function createHeartbeatProxy(cfg: Config, register: client.Registry, log: Logger): { legacy: HeartbeatHandler; pings: HeartbeatHandler } {
  const targets = heartbeatTargets(cfg)
  const limiter = new PingLimiter(cfg.heartbeat.per_key_per_minute, cfg.heartbeat.max_keys)
  const pings = heartbeatCounter(register)
  const timeoutMs = cfg.ilert.timeout_seconds * 1000
  const make =
    (base: string, prefix: string): HeartbeatHandler =>
    async (req) => {
      const key = req.params.key ?? ''
      if (!KEY.test(key)) {
        pings.labels('proxy', 'invalid_key').inc()
        return problem(400, "Invalid field 'key': must be 1 to 256 characters of A-Z a-z 0-9 . _ ~ -")
      }
      if (!limiter.take(key)) {
        pings.labels('proxy', 'coalesced').inc()
        return new Response(null, { status: 202, headers: { 'x-heartbeat': 'coalesced' } })
      }
      try {
        const res = await fetch(`${base}${prefix}${encodeURIComponent(key)}`, { method: req.method === 'POST' ? 'POST' : req.method, signal: AbortSignal.timeout(timeoutMs) })
        await res.arrayBuffer().catch(() => undefined)
        if (res.status >= 500 || res.status === 429) limiter.giveBack(key)
        pings.labels('proxy', res.ok ? 'forwarded' : 'failed').inc()
        return new Response(null, { status: res.status, headers: { 'x-heartbeat': 'forwarded' } })
      } catch (err) {
        limiter.giveBack(key)
        pings.labels('proxy', 'failed').inc()
        log.warn('heartbeat ping could not be forwarded to ilert', { error: (err as Error).name })
        return problem(502, 'ilert could not be reached; the ping was not forwarded')
      }
    }
  return { legacy: make(targets.api, '/api/heartbeats/'), pings: make(targets.ping, '/api/pings/') }
}

function problem(status: number, message: string): Response {
  return new Response(JSON.stringify({ status, message, code: status === 400 ? 'BAD_REQUEST' : 'BAD_GATEWAY' }), { status, headers: { 'content-type': 'application/json' } })
}
