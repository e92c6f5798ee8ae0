/**
 * TCP NDJSON ingest (wire protocol: see protocol.ts). One `Bun.listen` with handlers declared
 * once; per-connection state lives in `socket.data` and its line processing in flow.ts.
 * This module owns the listener: connection bounds (total and per client address), TLS,
 * authentication and idle timeouts, half-close and shutdown. A certificate reload (SIGHUP) binds
 * a second listener on the same port (SO_REUSEPORT, TLS only) and stops the old one from
 * accepting: open connections stay on it, untouched, with the same handlers.
 */
import type { Socket, SocketHandler, TCPSocketListener, TCPSocketListenOptions } from 'bun'
import { Registry } from '../../observability/prom'
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import { assertPortFree } from '../../security/exclusive-port'
import { FailureLimiter } from '../../security/failures'
import { throttleWarnings } from '../../security/log-throttle'
import { createSecurityMetrics, type SecurityMetrics } from '../../security/metrics'
import { PeerSlots } from '../../security/peer-slots'
import type { TlsOptions } from '../../security/tls'
import { createTokenVerifier, type TokenVerifier } from '../../security/tokens'
import type { Ingestor } from '../accept'
import { createTcpAuth } from './auth'
import { createConnFlow, type Conn } from './flow'
import { REFUSED_LINE, REFUSED_PEER_LINE } from './protocol'

/** How long `stop()` waits for connections to close before cutting them. */
const STOP_GRACE_MS = 5000

export interface TcpIngest {
  /** Binds tcp.address:tcp.port (0: any free port) and reports the bound port. */
  start(): { port: number }
  /** Stops accepting, flushes acks to every connection and closes them (cut after a grace period). */
  stop(): Promise<void>
  /** Open (not refused) connections. */
  connections(): number
  /** New connections use `tls`; open ones keep theirs. Only for a listener started with TLS. */
  reloadTls(tls: TlsOptions): void
}

/** Authentication, TLS and structural bounds; without it: no auth, no TLS, default depth. */
export interface TcpSecurity {
  verifier?: TokenVerifier
  failures?: FailureLimiter
  metrics?: SecurityMetrics
  tls?: TlsOptions
  maxJsonDepth?: number
}

export function createTcpIngest(cfg: Config['tcp'], ingestor: Ingestor, log: Logger, sec: TcpSecurity = {}): TcpIngest {
  const conns = new Set<Socket<Conn>>()
  const warn = throttleWarnings(log)
  const slots = new PeerSlots(cfg.max_connections, cfg.max_connections_per_peer ?? cfg.max_connections)
  const tls = sec.tls
  const clientCa = tls?.requestCert === true
  const verifier = sec.verifier ?? createTokenVerifier([])
  const auth =
    verifier.required || clientCa
      ? createTcpAuth({
          verifier,
          failures: sec.failures ?? new FailureLimiter({ maxDelayMs: 5000 }),
          metrics: sec.metrics ?? createSecurityMetrics(new Registry()),
          clientCa,
          authTimeoutSeconds: cfg.auth_timeout_seconds ?? 10,
          log,
          warn,
        })
      : undefined
  const flow = createConnFlow(cfg, ingestor, { ...(auth ? { auth } : {}), ...(sec.maxJsonDepth ? { maxJsonDepth: sec.maxJsonDepth } : {}) })
  const { pump, closeGracefully } = flow
  const authTimeout = cfg.auth_timeout_seconds ?? 10
  let listener: TCPSocketListener<Conn> | null = null
  let stopped: (() => void) | null = null
  let stopping: Promise<void> = Promise.resolve()

  const refuse = (s: Socket<Conn>, reason: 'too_many_connections' | 'too_many_connections_per_peer') => {
    s.data.phase = 'refused'
    ingestor.countRejected('tcp', reason)
    warn(reason, `tcp connection refused: ${reason.replace(/_/g, ' ')}`, { remote: s.remoteAddress, max: reason === 'too_many_connections' ? cfg.max_connections : cfg.max_connections_per_peer })
    const line = reason === 'too_many_connections' ? REFUSED_LINE : REFUSED_PEER_LINE
    if (tls) {
      // Written before the handshake, the line would be lost: send it from handshake().
      s.data.refusal = line
      s.timeout(authTimeout)
      return
    }
    s.timeout(cfg.idle_timeout_seconds)
    s.end(line)
  }

  const handlers: SocketHandler<Conn> = {
    open(s) {
      s.data = flow.newConn(s)
      const got = slots.acquire(s.data.peer)
      if (got !== 'ok') return refuse(s, got === 'listener_full' ? 'too_many_connections' : 'too_many_connections_per_peer')
      conns.add(s)
      s.data.tlsPending = tls !== undefined
      // Until authenticated (or, on TLS, until the handshake is done) the shorter bound applies.
      s.timeout(s.data.auth === 'pending' || tls ? authTimeout : cfg.idle_timeout_seconds)
      log.debug('tcp connection opened', { remote: s.remoteAddress, connections: conns.size })
    },
    handshake(s, success) {
      const c = s.data
      c.tlsPending = false
      if (c.refusal !== '') return void s.end(c.refusal)
      if (c.phase !== 'open') return
      if (!success) return
      auth?.handshake(s)
      if (c.auth !== 'pending') s.timeout(cfg.idle_timeout_seconds)
    },
    data(s, chunk) {
      const c = s.data
      if (c.phase !== 'open') return
      c.lastActive = Date.now() // see timeout(): traffic does not reset Bun's socket timer
      c.framer.push(chunk)
      pump(s)
    },
    end(s) {
      const c = s.data
      if (c.phase !== 'open') return
      c.framer.end()
      pump(s) // processes the rest and closes when done, or later when unblocked
    },
    drain: flow.drain,
    timeout(s) {
      const c = s.data
      if (c.phase !== 'open') return s.terminate()
      if (c.tlsPending) return s.terminate() // no TLS handshake within tcp.auth_timeout_seconds
      if (c.auth === 'pending' && auth) return auth.deny(s, 'timeout')
      // Bun's socket timeout is a one-shot deadline (traffic does not reset it) that ticks in 4 s
      // steps: a connection that was active within the idle window is given another one.
      if (Date.now() - c.lastActive < cfg.idle_timeout_seconds * 1000) return s.timeout(cfg.idle_timeout_seconds)
      log.debug('tcp connection idle, closing', { remote: s.remoteAddress, idle_seconds: cfg.idle_timeout_seconds })
      closeGracefully(s)
    },
    error(s, err) {
      log.warn('tcp connection error', { remote: s.remoteAddress, error: err })
    },
    close(s) {
      const c = s.data
      const counted = conns.delete(s)
      c.phase = 'closed'
      if (counted) {
        slots.release(c.peer)
        log.debug('tcp connection closed', { lines: c.lastLine, accepted: c.accepted, rejected: c.rejected })
      }
      if (stopped !== null && conns.size === 0) stopped()
    },
  }

  const bind = (port: number, tlsOptions: TlsOptions | undefined) => {
    // reusePort is honoured by Bun.listen though its typings omit it. Only a TLS listener rebinds
    // (certificate reload); assertPortFree keeps EADDRINUSE an error at start.
    const options: TCPSocketListenOptions<Conn> & { reusePort?: boolean } = {
      hostname: cfg.address,
      port,
      allowHalfOpen: true,
      reusePort: tls !== undefined,
      ...(tlsOptions ? { tls: tlsOptions } : {}),
      socket: handlers,
    }
    return Bun.listen<Conn>(options)
  }

  return {
    start() {
      if (listener !== null) throw new Error('tcp ingest already started')
      if (tls) assertPortFree(cfg.address, cfg.port)
      listener = bind(cfg.port, tls)
      log.info('tcp ingest listening', { address: cfg.address, port: listener.port, tls: tls !== undefined, auth: auth?.required ?? false })
      return { port: listener.port }
    },

    reloadTls(next) {
      const old = listener
      if (old === null) throw new Error('tcp ingest is not running')
      if (!tls) throw new Error('the TCP listener was started without TLS; restart to enable it')
      listener = bind(old.port, next)
      old.stop(false)
    },

    stop() {
      const l = listener
      if (l === null) return stopping
      listener = null
      l.stop(false)
      for (const s of conns) closeGracefully(s)
      if (conns.size === 0) return stopping
      stopping = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const s of conns) s.terminate()
          stopped = null
          resolve()
        }, STOP_GRACE_MS)
        stopped = () => {
          clearTimeout(timer)
          stopped = null
          resolve()
        }
      })
      return stopping
    },

    connections: () => conns.size,
  }
}
