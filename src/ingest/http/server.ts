/**
 * The HTTP listener: one Bun.serve in front of the Elysia routes (ingest, admin, /mcp), so every
 * request passes the security gate (security/http-gate.ts) first, and so TLS certificates can be
 * swapped on SIGHUP. Bun cannot change a running server's certificate, so a reload binds a second
 * server on the same port (SO_REUSEPORT, TLS only) and stops the old one gracefully: requests in
 * flight finish on it, new connections get the new certificate. Bun's own limits stay in force:
 * request headers over 16 KiB get 431, and a connection whose headers are not complete within
 * about 10 s (Bun's fixed header timeout) is closed; listen.idle_timeout_seconds closes silent ones.
 * A body must then arrive within listen.body_timeout_seconds (408 and the connection closed), and
 * while it arrives it holds only a per-peer slot (see security/http-gate.ts).
 */
import type { Server } from 'bun'
import type { Config } from '../../config/schema'
import type { HttpGate } from '../../security/http-gate'
import { assertPortFree } from '../../security/exclusive-port'
import type { TlsOptions } from '../../security/tls'
import { withArrivedBody } from './body'

/** How long stop() lets requests in flight finish before cutting them. */
const STOP_GRACE_MS = 5000

export interface HttpServerOptions {
  listen: Config['listen']
  gate: HttpGate
  /** Every path without a native route (the Elysia app: admin API, /mcp). */
  fetch(req: Request): Response | Promise<Response>
  /** Served from Bun's native route table ahead of `fetch`: the ingest hot path and the probes. */
  native: NativeRoutes
  tls?: TlsOptions
}

export interface NativeRoutes {
  events: (req: Request) => Promise<Response>
  healthz: () => Response
  readyz: () => Response
  /**
   * The other sources on this listener (ilert Events API, Alertmanager, heartbeats): route pattern
   * (Bun syntax, `:key` params) → method → handler. The pattern, not the URL, is what the gate
   * logs, so a key in the path never reaches a log line.
   */
  sources?: SourceRoutes
}

export type SourceHandler = (req: Request & { params: Record<string, string> }) => Response | Promise<Response>
export type SourceRoutes = Record<string, Partial<Record<'GET' | 'HEAD' | 'POST', SourceHandler>>>

export interface HttpServer {
  readonly port: number
  readonly tls: boolean
  /** Serves new connections with `tls`; connections already open finish on the old certificate. */
  reloadTls(tls: TlsOptions): void
  stop(): Promise<void>
}

function gatedSources(sources: SourceRoutes, gate: HttpGate) {
  const out: Record<string, Record<string, (req: Request, server: Server<undefined>) => Promise<Response>>> = {}
  for (const [pattern, methods] of Object.entries(sources)) {
    const m: Record<string, (req: Request, server: Server<undefined>) => Promise<Response>> = {}
    for (const [method, h] of Object.entries(methods)) {
      if (h) m[method] = (req, server) => gate.handle(req, server, h as (r: Request) => Response | Promise<Response>, pattern)
    }
    out[pattern] = m
  }
  return out
}

export function startHttpServer(opts: HttpServerOptions): HttpServer {
  const { listen, gate, native } = opts
  const routes = {
    '/events': { POST: (req: Request, server: Server<undefined>) => gate.handle(req, server, native.events, '/events') },
    '/healthz': { GET: (req: Request, server: Server<undefined>) => gate.handle(req, server, native.healthz, '/healthz') },
    '/readyz': { GET: (req: Request, server: Server<undefined>) => gate.handle(req, server, native.readyz, '/readyz') },
    ...gatedSources(native.sources ?? {}, gate),
  }
  const fetchArrived = async (req: Request) => opts.fetch(await withArrivedBody(req, gate.awaitBody))
  const serve = (port: number, tls: TlsOptions | undefined, reusePort: boolean): Server<undefined> =>
    Bun.serve({
      hostname: listen.address,
      port,
      reusePort,
      ...(tls ? { tls } : {}),
      idleTimeout: listen.idle_timeout_seconds,
      // The route enforces listen.max_body_bytes with a counted JSON 413 (by Content-Length before
      // reading, or by counting a streamed body); Bun's own cut-off sits well above it, only to
      // stop absurd bodies before any handler runs.
      maxRequestBodySize: Math.max(listen.max_body_bytes * 2 + 65_536, 32 * 1024 * 1024),
      routes,
      fetch(req, server) {
        return gate.handle(req, server, fetchArrived)
      },
    })
  // Only a TLS listener ever rebinds; plain HTTP keeps the exclusive bind (a second bridge on the
  // same port fails with EADDRINUSE). With SO_REUSEPORT, probe first so that stays true.
  const reusable = opts.tls !== undefined
  if (reusable) assertPortFree(listen.address, listen.port)
  let current = serve(listen.port, opts.tls, reusable)
  const port = current.port!
  const retired = new Set<Promise<void>>()
  return {
    port,
    tls: reusable,
    reloadTls(tls) {
      if (!reusable) throw new Error('the HTTP listener was started without TLS; restart to enable it')
      const next = serve(port, tls, true)
      const old = current
      current = next
      const p = old.stop(false).finally(() => retired.delete(p))
      retired.add(p)
    },
    async stop() {
      // Graceful first; a client holding a request open (a trickled body) must not hold up the drain.
      const all = Promise.all([current.stop(), ...retired])
      const timer = setTimeout(() => void current.stop(true), STOP_GRACE_MS)
      await all
      clearTimeout(timer)
    },
  }
}
