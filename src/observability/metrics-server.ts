/**
 * Serves the Prometheus registry at /metrics on its own listener (metrics.listen_address,
 * loopback by default), apart from ingest so scrapes and ingest never share limits. With
 * metrics.token set, /metrics needs `Authorization: Bearer <token>` (compared in constant time;
 * refusals counted and slowed per address like any other). /healthz and /readyz answer here too
 * without a token, for probes that should not reach the ingest port; they reveal only a status.
 */
import type { Registry } from './prom'
import type { FailureLimiter } from '../security/failures'
import type { SecurityMetrics } from '../security/metrics'
import { parseBearer, createTokenVerifier } from '../security/tokens'

export interface MetricsServerOptions {
  token?: string
  /** 'ready' or the reason it is not (as /readyz on the HTTP listener). */
  readiness?: () => { kind: 'ready' } | { kind: 'not_ready'; reason: string }
  failures?: FailureLimiter
  security?: SecurityMetrics
  /** Called before every scrape (registers the deferred default metrics; metrics.ts). */
  beforeScrape?: () => void
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

export function startMetricsServer(address: string, port: number, register: Registry, opts: MetricsServerOptions = {}) {
  const verifier = createTokenVerifier(opts.token ? [opts.token] : [])
  return Bun.serve({
    hostname: address,
    port,
    idleTimeout: 30,
    maxRequestBodySize: 65_536,
    async fetch(req, server) {
      const path = new URL(req.url).pathname
      if (path === '/healthz') return json(200, { status: 'ok' })
      if (path === '/readyz') {
        const r = opts.readiness?.() ?? { kind: 'ready' }
        return r.kind === 'ready' ? json(200, { status: 'ready' }) : json(503, { status: 'not_ready', reason: r.reason })
      }
      if (path !== '/metrics') return new Response('not found\n', { status: 404 })
      if (verifier.required) {
        const b = parseBearer(req.headers.get('authorization'))
        const reason = b.kind !== 'ok' ? b.kind : verifier.check(b.token).kind === 'ok' ? undefined : 'invalid'
        if (reason !== undefined) {
          opts.security?.authFailures.labels('metrics', reason).inc()
          const delay = opts.failures?.fail(server.requestIP(req)?.address ?? 'unknown') ?? 0
          if (delay > 0) await Bun.sleep(delay)
          return json(401, { error: 'metrics.token is set: send "Authorization: Bearer <token>"', reason: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="mcp-ilert-metrics"' })
        }
      }
      opts.beforeScrape?.()
      return new Response(await register.metrics(), { headers: { 'content-type': register.contentType } })
    },
  })
}
