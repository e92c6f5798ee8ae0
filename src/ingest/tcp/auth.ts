/**
 * Authentication of TCP ingest connections (protocol text: protocol.ts). A connection is
 * authenticated by a TLS client certificate that tls.client_ca_file verifies, or by its first line
 * `{"auth":"<token>"}` checked against auth.tokens in constant time. Until then no event is read.
 * A refusal is one `unauthorized` error line, sent after the per-peer failure delay, then close.
 * The token never reaches a log; the identity that does is non-secret ("token-2", "cert:<CN>").
 */
import type { Socket } from 'bun'
import type { Logger } from '../../observability/logger'
import type { FailureLimiter } from '../../security/failures'
import type { ThrottledWarn } from '../../security/log-throttle'
import type { AuthFailureReason, SecurityMetrics } from '../../security/metrics'
import type { TokenVerifier } from '../../security/tokens'
import type { AuthState, Conn } from './flow'
import { authLineToken, errorLine } from './protocol'

export interface TcpAuthOptions {
  verifier: TokenVerifier
  failures: FailureLimiter
  metrics: SecurityMetrics
  /** tls.client_ca_file is set (and TLS is on): client certificates are asked for and checked. */
  clientCa: boolean
  authTimeoutSeconds: number
  log: Logger
  /** Rate-limited warnings (security/log-throttle.ts): refusals are attacker-triggered. */
  warn?: ThrottledWarn
}

export interface TcpAuth {
  /** True when a connection must authenticate before its events are read. */
  readonly required: boolean
  initialState(): AuthState
  /** Decides line 1; on `stop` the connection is already being refused. */
  firstLine(s: Socket<Conn>, text: string | undefined, required: boolean): 'consumed' | 'event' | 'stop'
  /** TLS handshake finished: a verified client certificate authenticates the connection. */
  handshake(s: Socket<Conn>): void
  /** Refuses the connection: one error line (after the failure delay), then close. */
  deny(s: Socket<Conn>, reason: AuthFailureReason): void
}

const MESSAGES: Record<AuthFailureReason, string> = {
  missing: 'authentication required: send {"auth":"<token>"} as the first line, or connect with a client certificate',
  malformed: 'malformed auth line',
  invalid: 'invalid token',
  forbidden: 'forbidden',
  timeout: 'no auth line within tcp.auth_timeout_seconds',
  untrusted_certificate: 'client certificate not signed by tls.client_ca_file, and no valid auth line',
}

export function createTcpAuth(opts: TcpAuthOptions): TcpAuth {
  const { verifier, failures, metrics, log } = opts
  const warn = opts.warn ?? ((_kind, msg, fields) => log.warn(msg, fields))
  const required = verifier.required || opts.clientCa

  function deny(s: Socket<Conn>, reason: AuthFailureReason): void {
    const c = s.data
    if (c.phase !== 'open') return
    c.phase = 'refused' // further input is ignored
    metrics.authFailures.labels('tcp', reason).inc()
    const delay = reason === 'timeout' ? 0 : failures.fail(c.peer)
    warn('tcp_auth', 'tcp authentication failed; closing the connection', { remote: c.peer, reason, delay_ms: delay })
    const line = errorLine(Math.max(1, c.framer.lineNumber), 'unauthorized', undefined, MESSAGES[reason])
    // A peer that never lets the close complete is cut by the refused phase's timeout.
    s.timeout(Math.ceil(delay / 1000) + opts.authTimeoutSeconds)
    if (delay === 0) s.end(line)
    else
      setTimeout(() => {
        if (c.phase === 'refused') s.end(line)
      }, delay)
  }

  return {
    required,
    initialState: () => (required ? 'pending' : 'optional'),
    deny,
    firstLine(s, text, mustAuth) {
      const c = s.data
      const token = text === undefined ? undefined : authLineToken(text)
      if (token === undefined) {
        if (!mustAuth) return 'event'
        deny(s, c.untrustedCert ? 'untrusted_certificate' : 'missing')
        return 'stop'
      }
      if (!verifier.required) {
        // No tokens configured: an auth line means nothing, unless a certificate was required.
        if (!mustAuth) return 'consumed'
        deny(s, c.untrustedCert ? 'untrusted_certificate' : 'invalid')
        return 'stop'
      }
      const t = verifier.check(token)
      if (t.kind === 'invalid') {
        deny(s, 'invalid')
        return 'stop'
      }
      c.identity = t.id
      log.debug('tcp connection authenticated', { remote: c.peer, identity: t.id })
      return 'consumed'
    },
    handshake(s) {
      const c = s.data
      if (c.phase !== 'open' || !opts.clientCa) return
      if (s.authorized) {
        const cert = s.getPeerCertificate() as { subject?: { CN?: string } } | undefined
        c.identity = `cert:${cert?.subject?.CN ?? 'unnamed'}`
        if (c.auth === 'pending') c.auth = 'optional'
        log.debug('tcp connection authenticated', { remote: c.peer, identity: c.identity })
        return
      }
      const cert = s.getPeerCertificate() as object | null | undefined
      c.untrustedCert = cert != null && Object.keys(cert).length > 0
    },
  }
}
