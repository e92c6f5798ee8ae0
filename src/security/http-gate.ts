/**
 * What every request to the HTTP listener passes before it reaches a route: the in-flight caps
 * (listener-wide 503, per client address 429) and, when tokens are configured, bearer
 * authentication. Default-deny: every path needs a token except the health probes and /mcp (which
 * authenticates its callers itself, see ingest/mcp/auth.ts). With auth.admin_tokens set, /admin/*
 * takes only those (another valid token gets 403). Failures are counted, and answered after the
 * per-peer delay (failures.ts). Tagged outcomes name the reason, which is also the metric label.
 * A request holds its per-peer slot from start to end, but its listener-wide slot only while the
 * bridge works on it: not while its body is still arriving (`awaitBody`, bounded by
 * listen.body_timeout_seconds, then 408) nor during a failed authentication's delay. So clients
 * trickling bodies from many addresses fill only their own per-peer caps, never the listener.
 */
import { OAUTH_PATHS } from '../ingest/mcp/oauth/paths'
import { BodyDeadlines, BodyTimeout } from './body-deadline'
import type { FailureLimiter } from './failures'
import type { LazyHolder, SlotResult } from './peer-slots'
import { PeerSlots } from './peer-slots'
import type { AuthFailureReason, SecurityMetrics } from './metrics'
import { parseBearer, type TokenVerifier } from './tokens'

export interface HttpGateOptions {
  verifier: TokenVerifier
  failures: FailureLimiter
  metrics: SecurityMetrics
  maxInFlight: number
  maxInFlightPerPeer: number
  /** listen.body_timeout_seconds: how long `awaitBody` waits for a body to arrive. */
  bodyTimeoutSeconds: number
  /** Counts a refused request: mcp_rejected_events_total{transport="http",reason}. */
  countRejected(reason: string): void
  /** Called for every refused authentication, e.g. to log it (never with the presented token). */
  onAuthFailure?(peer: string, path: string, reason: AuthFailureReason): void
}

export type AuthDecision = { kind: 'open' } | { kind: 'ok'; tokenId: string } | { kind: 'denied'; status: 401 | 403; reason: AuthFailureReason }

/**
 * Paths reachable without a token: the probes, /mcp with its own authentication, and the MCP
 * OAuth endpoints (discovery metadata, registration, sign-in, token), which exist to hand out
 * /mcp's credentials and check them themselves (src/ingest/mcp/oauth/).
 */
const OPEN_PATHS = new Set<string>(['/healthz', '/readyz', '/mcp', ...OAUTH_PATHS])

/** The path of a request URL without building a URL object (hot path). */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  let end = url.length
  const q = url.indexOf('?', start)
  if (q !== -1) end = q
  const h = url.indexOf('#', start)
  if (h !== -1 && h < end) end = h
  return url.slice(start, end)
}

export function decideAuth(verifier: TokenVerifier, path: string, authorization: string | null): AuthDecision {
  if (!verifier.required || OPEN_PATHS.has(path)) return { kind: 'open' }
  const bearer = parseBearer(authorization)
  if (bearer.kind !== 'ok') return { kind: 'denied', status: 401, reason: bearer.kind }
  const t = verifier.check(bearer.token)
  if (t.kind === 'invalid') return { kind: 'denied', status: 401, reason: 'invalid' }
  if (path.startsWith('/admin') && !t.admin) return { kind: 'denied', status: 403, reason: 'forbidden' }
  return { kind: 'ok', tokenId: t.id }
}

const JSON_HEADERS = { 'content-type': 'application/json' }

function refusal(status: number, reason: string, error: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, reason }), { status, headers: { ...JSON_HEADERS, ...headers } })
}

const SLOT_REFUSALS: Record<Exclude<SlotResult, 'ok'>, () => Response> = {
  listener_full: () => refusal(503, 'too_many_requests', 'the server is handling too many requests; retry later', { 'retry-after': '1' }),
  peer_full: () => refusal(429, 'too_many_requests_per_peer', 'too many requests in flight from your address; retry later', { 'retry-after': '1' }),
}

function authRefusal(status: 401 | 403, reason: AuthFailureReason): Response {
  if (status === 403) return refusal(403, 'forbidden', 'this token may not use the admin API (auth.admin_tokens)')
  const challenge = reason === 'missing' ? 'Bearer realm="mcp-ilert"' : 'Bearer realm="mcp-ilert", error="invalid_token"'
  const error = reason === 'missing' ? 'missing "Authorization: Bearer <token>"' : reason === 'malformed' ? 'malformed Authorization header; expected "Bearer <token>"' : 'invalid token'
  return refusal(401, 'unauthorized', error, { 'www-authenticate': challenge })
}

export type Handler = (req: Request) => Response | Promise<Response>

/** Waits for a request body (see createHttpGate's awaitBody). */
export type AwaitBody = <T>(read: Promise<T>) => Promise<T>

/** A body arrived while the listener was full: the request is refused like any other beyond the cap. */
class ListenerBusy extends Error {}

/** Where a request's client address comes from: the Bun server that received it. */
export interface PeerSource {
  requestIP(req: Request): { address: string } | null
}

/** A request holding a slot; its address is looked up only when needed (see PeerSlots.enter). */
class RequestHolder implements LazyHolder {
  private address: string | undefined = undefined

  constructor(
    private readonly req: Request,
    private readonly source: PeerSource,
  ) {}

  lookup(): string {
    return (this.address ??= this.source.requestIP(this.req)?.address ?? 'unknown')
  }
}

export function createHttpGate(opts: HttpGateOptions) {
  const slots = new PeerSlots(opts.maxInFlight, opts.maxInFlightPerPeer)
  const deadlines = new BodyDeadlines(opts.bodyTimeoutSeconds)
  /**
   * Waits for `read` without the listener-wide share of the caller's slot (the per-peer share
   * stays) and at most the body deadline; takes that share back exactly once, however it ends.
   * One promise and one reaction per request: this runs on every POST /events.
   */
  function awaitBody<T>(read: Promise<T>): Promise<T> {
    slots.stepOut()
    return new Promise<T>((resolve, reject) => {
      const w = deadlines.track((err) => {
        slots.stepIn()
        reject(err)
      })
      read.then(
        (v) => {
          if (!deadlines.settle(w)) return // timed out: already back in and answered
          if (slots.stepIn()) resolve(v)
          else reject(new ListenerBusy())
        },
        (err) => {
          if (!deadlines.settle(w)) return
          slots.stepIn()
          reject(err)
        },
      )
    })
  }
  return {
    slots,
    deadlines,
    /**
     * For a handler running inside `handle`: waits for its request body (`read`, e.g.
     * request.arrayBuffer()) outside the listener-wide cap and at most listen.body_timeout_seconds;
     * `handle` answers a timeout with 408 and closes the connection.
     */
    awaitBody: awaitBody as AwaitBody,
    /**
     * Runs `next` for `req`, received by `source`, if the caps and authentication allow it.
     * `knownPath`, from a native route, saves building the URL string.
     */
    async handle(req: Request, source: PeerSource, next: Handler, knownPath?: string): Promise<Response> {
      const holder = new RequestHolder(req, source)
      const got = slots.enter(holder)
      if (got !== 'ok') {
        opts.countRejected(got === 'listener_full' ? 'too_many_requests' : 'too_many_requests_per_peer')
        return SLOT_REFUSALS[got]()
      }
      try {
        if (!opts.verifier.required) return await next(req)
        return await authenticated(req, holder, next, knownPath)
      } catch (err) {
        if (err instanceof BodyTimeout) {
          opts.countRejected('body_timeout')
          return refusal(408, 'body_timeout', err.message, { connection: 'close' })
        }
        if (err instanceof ListenerBusy) {
          opts.countRejected('too_many_requests')
          return SLOT_REFUSALS.listener_full()
        }
        throw err
      } finally {
        slots.leave(holder)
      }
    },
  }

  async function authenticated(req: Request, holder: RequestHolder, next: Handler, knownPath: string | undefined): Promise<Response> {
    const path = knownPath ?? pathOf(req.url)
    const d = decideAuth(opts.verifier, path, req.headers.get('authorization'))
    if (d.kind === 'denied') {
      const peer = holder.lookup()
      opts.metrics.authFailures.labels('http', d.reason).inc()
      opts.onAuthFailure?.(peer, path, d.reason)
      // A valid token on the wrong path is not a guess: no slowdown for 403. The delay holds
      // only the per-peer slot, so guessing from many addresses cannot fill the listener.
      if (d.status === 401) {
        const delay = opts.failures.fail(peer)
        if (delay > 0) await outsideForDelay(delay)
      }
      return authRefusal(d.status, d.reason)
    }
    return await next(req)
  }

  async function outsideForDelay(ms: number): Promise<void> {
    slots.stepOut()
    try {
      await Bun.sleep(ms)
    } finally {
      slots.stepIn()
    }
  }
}

export type HttpGate = ReturnType<typeof createHttpGate>
