/**
 * Test helpers for the TCP ingest: a line-reading client over a real socket (Bun.connect) and a
 * harness that runs createTcpIngest on port 0 against the real in-memory store, normalizer and metrics.
 */
import { Value } from '@sinclair/typebox/value'
import { Registry } from 'prom-client'
import type { Socket } from 'bun'
import { ConfigSchema, type Config } from '../../src/config/schema'
import { createIngestor, type Ingestor } from '../../src/ingest/accept'
import { createTcpIngest, type TcpIngest } from '../../src/ingest/tcp/listener'
import type { Ack, ErrorReply } from '../../src/ingest/tcp/protocol'
import { createMetrics, type Metrics } from '../../src/observability/metrics'
import { createMemoryLogger } from '../../src/observability/logger'
import { createNormalizer } from '../../src/pipeline/normalize'
import type { Entry } from '../../src/dispatch/coalesce'
import { MemoryStore } from '../../src/queue/memory-store'

export type Reply = Ack | ErrorReply

export interface TcpTestClient {
  /** Every reply line received so far, parsed. */
  readonly replies: Reply[]
  readonly closed: boolean
  /** Writes everything, waiting for drain when the socket takes only part. */
  send(data: string | Uint8Array): Promise<void>
  /** Resolves with the first ack whose `ack` >= line. */
  waitForAck(line: number, timeoutMs?: number): Promise<Ack>
  waitForClose(timeoutMs?: number): Promise<void>
  errors(): ErrorReply['error'][]
  lastAck(): Ack | undefined
  /** Stops/resumes reading replies (a client that does not read). */
  pauseReading(): void
  resumeReading(): void
  /** Half-close: no more data from the client, replies still arrive. */
  shutdown(): void
  close(): void
}

export async function connectClient(port: number, host = '127.0.0.1'): Promise<TcpTestClient> {
  const replies: Reply[] = []
  let text = ''
  let closed = false
  let wake: (() => void) | null = null
  let drained: (() => void) | null = null
  const notify = () => wake?.()
  const sock: Socket<undefined> = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_s, chunk) {
        text += chunk.toString('utf8')
        let nl: number
        while ((nl = text.indexOf('\n')) !== -1) {
          replies.push(JSON.parse(text.slice(0, nl)) as Reply)
          text = text.slice(nl + 1)
        }
        notify()
      },
      drain() {
        drained?.()
      },
      close() {
        closed = true
        notify()
      },
    },
  })

  const until = (ok: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (ok()) return resolve()
      const timer = setTimeout(() => {
        wake = null
        reject(new Error(`timed out waiting for ${what}; replies: ${JSON.stringify(replies.slice(-5))}`))
      }, timeoutMs)
      wake = () => {
        if (!ok()) return
        clearTimeout(timer)
        wake = null
        resolve()
      }
    })
  const acks = () => replies.filter((r): r is Ack => 'ack' in r)

  return {
    replies,
    get closed() {
      return closed
    },
    async send(data) {
      let buf = typeof data === 'string' ? Buffer.from(data) : data
      while (buf.length > 0) {
        const n = sock.write(buf)
        if (n < 0) throw new Error('socket closed')
        buf = buf.subarray(n)
        if (buf.length > 0) await new Promise<void>((r) => (drained = r))
      }
    },
    async waitForAck(line, timeoutMs = 3000) {
      await until(() => acks().some((a) => a.ack >= line), timeoutMs, `ack >= ${line}`)
      return acks().find((a) => a.ack >= line) as Ack
    },
    waitForClose: (timeoutMs = 3000) => until(() => closed, timeoutMs, 'close'),
    errors: () => replies.filter((r): r is ErrorReply => 'error' in r).map((r) => r.error),
    lastAck: () => acks().at(-1),
    pauseReading: () => sock.pause(),
    resumeReading: () => sock.resume(),
    shutdown: () => sock.shutdown(),
    close: () => sock.end(),
  }
}

export interface TcpHarness {
  port: number
  store: MemoryStore
  ingestor: Ingestor
  metrics: Metrics
  tcp: TcpIngest
  log: ReturnType<typeof createMemoryLogger>
  /** Takes every pending call out of the store (as if ilert had accepted each), oldest first. */
  take(): (Entry & { laneKey: string })[]
  /** mcp_rejected_events_total{transport="tcp",reason} */
  rejected(reason: string): Promise<number>
  stop(): Promise<void>
}

export function startTcp(opts: { capacity?: number; tcp?: Partial<Config['tcp']> } = {}): TcpHarness {
  const cfg = Value.Default(ConfigSchema, {}) as Config
  const store = new MemoryStore(opts.capacity ?? 1024, { perKey: 50, windowMs: 60_000, marginMs: 0 })
  const metrics = createMetrics(new Registry(), false)
  const ingestor = createIngestor(store, createNormalizer(cfg.mapping, 'test-integration-key'), metrics)
  const log = createMemoryLogger('debug')
  const tcp = createTcpIngest({ ...cfg.tcp, port: 0, ...opts.tcp }, ingestor, log)
  const { port } = tcp.start()
  return {
    port,
    store,
    ingestor,
    metrics,
    tcp,
    log,
    take() {
      const out: (Entry & { laneKey: string })[] = []
      for (const source of store.table.sources.values()) {
        for (const lane of [...source.lanes.values()]) {
          while (lane.entries.length > 0) {
            out.push({ ...lane.entries[0]!, laneKey: lane.key })
            store.completeHead(lane)
          }
        }
      }
      return out.sort((a, b) => a.firstSeq - b.firstSeq)
    },
    async rejected(reason) {
      const m = await metrics.rejected.get()
      return m.values.find((v) => v.labels.transport === 'tcp' && v.labels.reason === reason)?.value ?? 0
    },
    stop: () => tcp.stop(),
  }
}

/** A valid NDJSON event line. */
export function eventLine(n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ summary: `event ${n}`, alert_key: `k${n}`, ...extra }) + '\n'
}
