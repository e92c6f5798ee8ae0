/**
 * Per-connection flow control for TCP ingest: pulls lines from the framer, parses and accepts
 * them, writes error lines and one cumulative ack per pass, and pauses the socket while the
 * queue is full or the client is not reading its replies. Separate from the listener (listener.ts)
 * so this hot path stays small: no per-line closures or promises.
 */
import type { Socket } from 'bun'
import type { Config } from '../../config/schema'
import type { Ingestor } from '../accept'
import type { CommitResult } from '../../queue/event-store'
import { exceedsDepth } from '../../security/json-depth'
import { LineFramer } from './line-framer'
import { Outbox } from './outbox'
import { ackLine, authLineToken, errorLine } from './protocol'
import type { TcpAuth } from './auth'

/** Reading stops while replies beyond this many bytes wait for the client. */
export const MAX_REPLY_BACKLOG = 64 * 1024
/** Error text collected in one pass is sent early past this size. */
const ERROR_BATCH_CHARS = 16 * 1024

export type Phase = 'open' | 'closing' | 'ended' | 'refused' | 'closed'
/** `pending`: the first line must authenticate; `optional`: it may be an auth line; `done`: events only. */
export type AuthState = 'pending' | 'optional' | 'done'
export type Blocked = 'none' | 'queue_full' | 'reply_backlog'

/** Per-connection state, kept in `socket.data`. */
export interface Conn {
  phase: Phase
  auth: AuthState
  /** Client address, for per-peer bounds and failure delays. */
  peer: string
  /** Non-secret identity once authenticated ("token-2", "cert:edge-7"). */
  identity: string
  /** The client presented a TLS certificate that tls.client_ca_file does not verify. */
  untrustedCert: boolean
  /** TLS connection whose handshake has not finished. */
  tlsPending: boolean
  /** A refusal line to send once the TLS handshake is done (bytes written before it are lost). */
  refusal: string
  /** Date.now() of the last data received (idle detection). */
  lastActive: number
  blocked: Blocked
  framer: LineFramer
  outbox: Outbox
  accepted: number
  rejected: number
  /** Last line fully processed, and the last line an ack was sent for. */
  lastLine: number
  ackedLine: number
  /** A parsed line the queue had no room for, retried first (0: none). */
  retryLine: number
  retryValue: unknown
  retryRaw: string
  /** Last line whose ack was sent (its commit confirmed). */
  confirmedLine: number
  /** Commits of this connection not settled yet (queue.sync: full), and the newest of them. */
  commits: number
  tail: Promise<void> | undefined
  /** A commit failed: nothing after it is acknowledged on this connection. */
  storageFailed: boolean
  spaceWaiting: boolean
  /** Created once per connection: queue space freed → resume this socket. */
  onSpace: () => void
}

export interface ConnFlow {
  newConn(s: Socket<Conn>): Conn
  /** Processes buffered input until it runs out or the connection must wait. */
  pump(s: Socket<Conn>): void
  /** The socket can take more output. */
  drain(s: Socket<Conn>): void
  /** Stops taking lines, flushes replies, then ends (or waits for `drain` to end). */
  closeGracefully(s: Socket<Conn>): void
}

export interface FlowOptions {
  /** Authentication of the first line (auth.ts); absent: none required, auth lines skipped. */
  auth?: TcpAuth
  /** limits.max_json_depth (default 32). */
  maxJsonDepth?: number
}

export function createConnFlow(cfg: Config['tcp'], ingestor: Ingestor, opts: FlowOptions = {}): ConnFlow {
  const tooLongMessage = `exceeds tcp.max_line_bytes (${cfg.max_line_bytes})`
  const maxDepth = opts.maxJsonDepth ?? 32
  const tooDeepMessage = `nested deeper than limits.max_json_depth (${maxDepth})`
  const auth = opts.auth

  function pump(s: Socket<Conn>): void {
    const c = s.data
    if (c.phase !== 'open' || c.blocked !== 'none') return
    if (c.outbox.backlog > MAX_REPLY_BACKLOG) return block(s, 'reply_backlog')
    const f = c.framer
    // When this read was taken up: every event of the pass was accepted then (one clock read per pass).
    const at = performance.now()
    let errors = ''
    let stop: Blocked = 'none'
    let eof = false
    for (;;) {
      // Authentication never waits for queue space: only events do.
      if (c.auth !== 'pending' && ingestor.shouldPause()) {
        stop = 'queue_full'
        break
      }
      let line = c.retryLine
      let value = c.retryValue
      let raw = c.retryRaw
      if (line !== 0) {
        c.retryLine = 0
        c.retryValue = undefined
        c.retryRaw = ''
      } else {
        const frame = f.next()
        if (frame === 'need_more' || frame === 'eof') {
          c.lastLine = f.lineNumber
          eof = frame === 'eof'
          break
        }
        line = f.lineNumber
        if (c.auth !== 'done') {
          const first = firstLine(s, c, frame === 'line' ? f.text : undefined)
          if (first === 'stop') return // refused: nothing was processed, nothing to acknowledge
          if (first === 'consumed') {
            c.lastLine = line
            continue
          }
        }
        if (frame === 'too_long') {
          errors += errorLine(line, 'line_too_long', undefined, tooLongMessage)
          reject(c, line, 'line_too_long')
          continue
        }
        if (frame === 'bad_utf8') {
          errors += errorLine(line, 'invalid_utf8', undefined, 'line is not valid UTF-8')
          reject(c, line, 'invalid_utf8')
          continue
        }
        raw = f.text
        try {
          value = JSON.parse(raw)
        } catch (err) {
          errors += errorLine(line, 'invalid_json', undefined, (err as Error).message)
          reject(c, line, 'invalid_json')
          continue
        }
        if (typeof value === 'object' && value !== null && exceedsDepth(value, maxDepth)) {
          errors += errorLine(line, 'json_too_deep', undefined, tooDeepMessage)
          reject(c, line, 'json_too_deep')
          continue
        }
      }
      const r = ingestor.accept(value, 'tcp', raw, raw, at)
      if (r.kind === 'accepted') {
        c.accepted++
        c.lastLine = line
      } else if (r.kind === 'invalid') {
        errors += errorLine(line, r.reason, r.field, r.message)
        c.rejected++ // counted in metrics by accept
        c.lastLine = line
      } else {
        c.retryLine = line
        c.retryValue = value
        c.retryRaw = raw
        stop = 'queue_full'
        break
      }
      if (errors.length > ERROR_BATCH_CHARS) {
        reply(s, c, errors)
        errors = ''
        if (c.outbox.backlog > MAX_REPLY_BACKLOG) {
          stop = 'reply_backlog'
          break
        }
      }
    }
    reply(s, c, errors)
    if (eof) closeGracefully(s)
    else if (stop !== 'none') block(s, stop)
    else if (c.outbox.backlog > MAX_REPLY_BACKLOG) block(s, 'reply_backlog')
  }

  /**
   * Line 1 of a connection not yet authenticated: an auth line is checked and consumed; any other
   * line is an event when authentication is optional, and a refusal when it is required.
   */
  function firstLine(s: Socket<Conn>, c: Conn, text: string | undefined): 'consumed' | 'event' | 'stop' {
    const required = c.auth === 'pending'
    c.auth = 'done'
    if (auth === undefined) return text !== undefined && authLineToken(text) !== undefined ? 'consumed' : 'event'
    const verdict = auth.firstLine(s, text, required)
    if (verdict === 'consumed') s.timeout(cfg.idle_timeout_seconds)
    return verdict
  }

  function reject(c: Conn, line: number, reason: 'invalid_json' | 'invalid_utf8' | 'line_too_long' | 'json_too_deep'): void {
    c.rejected++
    c.lastLine = line
    ingestor.countRejected('tcp', reason)
  }

  /**
   * Commits what this pass staged, then sends collected error lines plus an ack when lines were
   * processed since the last one. If the store cannot take them, no ack goes out: the client
   * gets one storage error and the connection closes, so it resends everything after its last ack.
   * With queue.sync: full the commit settles after its sync; the connection keeps reading
   * meanwhile, and replies go out in commit order (acks are cumulative: an ack never passes an
   * earlier unconfirmed commit).
   */
  function reply(s: Socket<Conn>, c: Conn, errors: string): void {
    if (c.lastLine === c.ackedLine) return
    const upTo = c.lastLine
    c.ackedLine = upTo
    const accepted = c.accepted
    const rejected = c.rejected
    const committed = ingestor.commit('tcp')
    if (!(committed instanceof Promise) && c.tail === undefined) return settle(s, c, committed, errors, upTo, accepted, rejected)
    const prev = c.tail
    c.commits++
    c.tail = (async () => {
      if (prev !== undefined) await prev
      const r = await committed
      if (--c.commits === 0) c.tail = undefined
      settle(s, c, r, errors, upTo, accepted, rejected)
    })()
  }

  function settle(s: Socket<Conn>, c: Conn, r: CommitResult, errors: string, upTo: number, accepted: number, rejected: number): void {
    if (c.phase === 'closed' || c.phase === 'refused' || c.phase === 'ended' || c.storageFailed) return
    if (r.kind === 'error') {
      c.storageFailed = true
      const message = `events after line ${c.confirmedLine} were not stored (${r.message}); resend them`
      c.outbox.send(s, errors, errorLine(upTo, r.reason, undefined, message))
      if (c.phase === 'open') closeGracefully(s)
      else endWhenDone(s)
      return
    }
    c.confirmedLine = upTo
    c.outbox.send(s, errors, ackLine(upTo, accepted, rejected))
    if (c.phase === 'closing') endWhenDone(s)
  }

  /** A closing connection ends once its commits are settled and its replies written. */
  function endWhenDone(s: Socket<Conn>): void {
    const c = s.data
    if (c.commits === 0 && c.outbox.flush(s) !== 'pending') endSocket(s)
  }

  function block(s: Socket<Conn>, why: Blocked): void {
    const c = s.data
    c.blocked = why
    s.pause()
    s.timeout(0) // the bridge is holding the client back: not idle
    if (why === 'queue_full' && !c.spaceWaiting) {
      c.spaceWaiting = true
      ingestor.onSpace(c.onSpace)
    }
  }

  function unblock(s: Socket<Conn>): void {
    const c = s.data
    c.blocked = 'none'
    pump(s)
    if (c.phase === 'open' && c.blocked === 'none') {
      s.resume()
      c.lastActive = Date.now() // held back is not idle: the idle window starts now
      s.timeout(cfg.idle_timeout_seconds)
    }
  }

  function closeGracefully(s: Socket<Conn>): void {
    const c = s.data
    if (c.phase !== 'open') return
    c.phase = 'closing'
    s.resume() // keep reading so the peer's close is seen; further lines are ignored
    s.timeout(cfg.idle_timeout_seconds) // a peer that never lets us finish is cut on timeout
    endWhenDone(s)
  }

  function endSocket(s: Socket<Conn>): void {
    s.data.phase = 'ended'
    s.end()
  }

  function newConn(s: Socket<Conn>): Conn {
    const wake = () => {
      const c = s.data
      c.spaceWaiting = false
      if (c.phase === 'open' && c.blocked === 'queue_full') unblock(s)
    }
    return {
      phase: 'open',
      auth: auth === undefined ? 'optional' : auth.initialState(),
      peer: s.remoteAddress,
      identity: '',
      untrustedCert: false,
      tlsPending: false,
      refusal: '',
      lastActive: Date.now(),
      blocked: 'none',
      framer: new LineFramer(cfg.max_line_bytes),
      outbox: new Outbox(),
      accepted: 0,
      rejected: 0,
      lastLine: 0,
      ackedLine: 0,
      retryLine: 0,
      retryValue: undefined,
      retryRaw: '',
      confirmedLine: 0,
      commits: 0,
      tail: undefined,
      storageFailed: false,
      spaceWaiting: false,
      // Deferred: the queue calls this from inside the consumer's takeBatch.
      onSpace: () => queueMicrotask(wake),
    }
  }

  function drain(s: Socket<Conn>): void {
    const c = s.data
    if (c.phase !== 'open' && c.phase !== 'closing') return
    if (c.outbox.flush(s) === 'pending') return
    if (c.phase === 'closing') endWhenDone(s)
    else if (c.blocked === 'reply_backlog') unblock(s)
  }

  return { newConn, pump, drain, closeGracefully }
}
