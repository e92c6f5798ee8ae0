/**
 * The syslog source: a TCP listener (framing per connection, framer.ts) and a UDP socket (one
 * message per datagram) on their own ports, off by default (syslog.enabled). Each message is
 * parsed (parse.ts), filtered by syslog.min_severity, mapped (map.ts) and handed to the one
 * Ingestor; commits are shared (group commit). Syslog has no acknowledgement, so every message
 * that does not become an event is counted in mcp_rejected_events_total{transport="syslog",reason}:
 * no_priority, bad_header, invalid_utf8, message_too_long, bad_framing, below_min_severity, and the
 * Ingestor's own reasons. TCP pushes back when the queue is full (reading pauses); UDP cannot,
 * so a datagram that finds the queue full is counted as queue_full.
 */
import type { Socket, TCPSocketListener } from 'bun'
import { isUtf8 } from 'node:buffer'
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import type { Ingestor } from '../accept'
import { bindOrExplain } from '../bind-error'
import { type Frame, SyslogFramer } from './framer'
import { syslogToEvent } from './map'
import { parseSyslog, SEVERITY_NAMES } from './parse'

const T = 'syslog'
const decoder = new TextDecoder()

interface Conn {
  framer: SyslogFramer
  backlog: Frame[]
  waiting: boolean
  lastActive: number
}

export interface SyslogSource {
  start(): Promise<{ tcp?: number; udp?: number }>
  stop(): Promise<void>
}

export function createSyslogSource(cfg: Config['syslog'], ingestor: Ingestor, log: Logger): SyslogSource {
  const minSeverity = SEVERITY_NAMES.indexOf(cfg.min_severity as (typeof SEVERITY_NAMES)[number])
  // Empty: the event carries none and the normalizer uses ilert.integration_key.
  const key = cfg.integration_key !== '' ? cfg.integration_key : undefined
  let tcp: TCPSocketListener<Conn> | undefined
  let udp: { close(): void; port: number } | undefined
  const conns = new Set<Socket<Conn>>()
  let staged = 0

  /** One message; 'full' when the queue had no room (TCP keeps it for later). */
  const take = (bytes: Uint8Array): 'done' | 'full' => {
    const text = decoder.decode(bytes)
    if (text.includes('\uFFFD') && !isUtf8(bytes)) {
      ingestor.countRejected(T, 'invalid_utf8')
      return 'done'
    }
    const p = parseSyslog(text)
    if (p.kind === 'error') {
      ingestor.countRejected(T, p.reason)
      return 'done'
    }
    if (p.msg.severity > minSeverity) {
      ingestor.countRejected(T, 'below_min_severity')
      return 'done'
    }
    if (ingestor.shouldPause()) return 'full'
    const out = ingestor.accept(syslogToEvent(p.msg, key), T)
    if (out.kind === 'accepted') staged++
    return out.kind === 'full' ? 'full' : 'done'
  }

  const commit = () => {
    if (staged === 0) return
    staged = 0
    const r = ingestor.commitShared()
    // No one to answer: the Ingestor counts storage failures itself; log them once per commit.
    const report = (c: Awaited<typeof r>) => {
      if (c.kind === 'error') log.error('syslog messages could not be stored', { reason: c.reason })
    }
    if (r instanceof Promise) void r.then(report)
    else report(r)
  }

  const drainBacklog = (s: Socket<Conn>): void => {
    const c = s.data
    while (c.backlog.length > 0) {
      const f = c.backlog[0]!
      if (f.kind === 'message' && take(f.bytes) === 'full') {
        commit()
        if (!c.waiting) {
          c.waiting = true
          s.pause()
          ingestor.onSpace(() => {
            c.waiting = false
            s.resume()
            drainBacklog(s)
          })
        }
        return
      }
      c.backlog.shift()
      if (f.kind === 'too_long') ingestor.countRejected(T, 'message_too_long')
      else if (f.kind === 'bad_framing') {
        ingestor.countRejected(T, 'bad_framing')
        log.warn('syslog tcp connection closed: octet-counted framing broken', { remote: s.remoteAddress })
        s.end()
      }
    }
    commit()
  }

  return {
    async start() {
      const bound: { tcp?: number; udp?: number } = {}
      if (cfg.tcp_port >= 0) {
        tcp = bindOrExplain(['syslog.address', 'syslog.tcp_port'], cfg.address, cfg.tcp_port, () =>
          Bun.listen<Conn>({
            hostname: cfg.address,
            port: cfg.tcp_port,
            socket: {
              open(s) {
                if (conns.size >= cfg.max_connections) {
                  ingestor.countRejected(T, 'too_many_connections')
                  s.data = { framer: new SyslogFramer(cfg.max_message_bytes), backlog: [], waiting: false, lastActive: Date.now() }
                  return void s.end()
                }
                conns.add(s)
                s.data = { framer: new SyslogFramer(cfg.max_message_bytes), backlog: [], waiting: false, lastActive: Date.now() }
                s.timeout(cfg.idle_timeout_seconds)
              },
              data(s, chunk) {
                if (!conns.has(s)) return
                s.data.lastActive = Date.now()
                s.data.framer.push(chunk, s.data.backlog)
                if (!s.data.waiting) drainBacklog(s)
              },
              end(s) {
                s.data.framer.end(s.data.backlog)
                if (!s.data.waiting) drainBacklog(s)
                if (s.data.backlog.length === 0) s.end()
              },
              timeout(s) {
                if (s.data.waiting || Date.now() - s.data.lastActive < cfg.idle_timeout_seconds * 1000) return void s.timeout(cfg.idle_timeout_seconds)
                s.end()
              },
              close(s) {
                conns.delete(s)
              },
              error(s, err) {
                log.debug('syslog tcp connection error', { remote: s.remoteAddress, error: err })
              },
            },
          }),
        )
        bound.tcp = tcp.port
      }
      if (cfg.udp_port >= 0) {
        const sock = await bindOrExplain(['syslog.address', 'syslog.udp_port'], cfg.address, cfg.udp_port, () =>
          Bun.udpSocket({
            hostname: cfg.address,
            port: cfg.udp_port,
            socket: {
              data(_sock: unknown, buf: Buffer) {
                if (buf.length > cfg.max_message_bytes) ingestor.countRejected(T, 'message_too_long')
                else {
                  let end = buf.length
                  while (end > 0 && (buf[end - 1] === 10 || buf[end - 1] === 13 || buf[end - 1] === 0)) end--
                  if (take(buf.subarray(0, end)) === 'full') ingestor.countRejected(T, 'queue_full')
                }
                commit()
              },
            },
          }),
        )
        udp = sock
        bound.udp = sock.port
      }
      log.info('syslog listening', { address: cfg.address, tcp: bound.tcp, udp: bound.udp, min_severity: cfg.min_severity })
      return bound
    },
    async stop() {
      tcp?.stop(true)
      tcp = undefined
      udp?.close()
      udp = undefined
      for (const s of conns) s.end()
      conns.clear()
    },
  }
}
