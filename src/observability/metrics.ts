/**
 * Every metric the bridge exports, declared in one place on an injected registry (tests pass a
 * fresh one). The seed README's five names are kept exactly; the rest share the `mcp_` prefix.
 * Label values are bounded enums (transport, reason), never keys or free text.
 */
import * as client from './prom'
import { REVISION, RUNTIME, VERSION } from '../version'

/** Where an event came in: our HTTP/TCP/MCP, ilert's Events API, Alertmanager, syslog, MQTT. */
export type Transport = 'http' | 'tcp' | 'mcp' | 'ilert_events' | 'alertmanager' | 'syslog' | 'mqtt'
export const TRANSPORTS: Transport[] = ['http', 'tcp', 'mcp', 'ilert_events', 'alertmanager', 'syslog', 'mqtt']

/** Live readings the gauges sample at scrape time (set by the App once the parts exist). */
export interface GaugeSampler {
  queueDepth(): number
  queueCapacity(): number
  pending(): number
  deadLetters(): number
  /** Events merged into waiting calls since start (read at scrape time: no cost per event). */
  merged(): number
  /** Events the pending calls stand for. */
  queuedEvents(): number
  diskBytes(): number
  /** Bytes of bodies the pending calls hold in memory (what queue.max_memory_bytes bounds), and keep on disk only. */
  memoryBytes?(): number
  spilledBytes?(): number
  /** Events removed by pair cancellation since start, and the pairs (issue 15.1). */
  cancelled?(): number
  cancelledPairs?(): number
  /** Per alert source with calls waiting: its label (configured name or masked key), backlog and projected drain time. */
  sources?(): { name: string; calls: number; drainSeconds: number }[]
}

/**
 * Label values created at 0 on start, so `increase(x[5m]) > 0` sees the first failure after a
 * restart (a series that appears with value 1 has no increase). Status-code reasons are an open
 * set; these are the ones ilert answers with in practice (others appear on first use).
 */
export const KNOWN_LABELS = {
  rejected: ['invalid_json', 'invalid_utf8', 'schema', 'missing_integration_key', 'unknown_priority', 'queue_full', 'storage_full', 'storage_error', 'json_too_deep', 'body_too_large', 'too_many_events', 'line_too_long', 'too_many_requests', 'too_many_requests_per_peer', 'too_many_connections', 'too_many_connections_per_peer', 'body_timeout'],
  failed: ['attempts_exhausted', 'replay_invalid', 'status_400', 'status_401', 'status_403', 'status_404', 'status_413', 'status_422'],
  retries: ['timeout', 'connect_timeout', 'network', 'status_408', 'status_500', 'status_502', 'status_503', 'status_504', 'status_429'],
  requests: ['success', 'retry', 'rate_limited', 'fail'],
  dropped: ['shutdown_deadline', 'dead_letter_overflow', 'replay_invalid'],
} as const

/** prom-client defaults that are gauges named *_total, which `promtool check metrics` rejects. */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

/** Alert sources shown by name in the per-source gauges; the rest are summed under "other". */
export const SOURCE_LABELS_MAX = 50

/**
 * `withDefaults` adds the process and runtime metrics (prom.ts), not here but on the first call of
 * `addDefaults()`: loading and registering them is 10-20 ms, which the App spends after its
 * listeners are bound rather than before. Every scrape calls it first, so no scrape misses them.
 */
export function createMetrics(register = new client.Registry(), withDefaults = true) {
  let defaultsPending = withDefaults
  const addDefaults = () => {
    if (!defaultsPending) return
    defaultsPending = false
    client.collectDefaultMetrics({ register })
    for (const name of MISNAMED_DEFAULTS) register.removeSingleMetric(name)
  }
  let sampler: GaugeSampler | undefined
  // Accepted events are added up here and handed to prom-client when it is read: its labelled
  // children hash their labels on every inc, 2 % of a one-event HTTP request (one inc per commit).
  const acceptedSinceRead = Object.fromEntries(TRANSPORTS.map((t) => [t, 0])) as Record<Transport, number>
  const inEvents: client.Counter<'transport'> = new client.Counter({
    name: 'mcp_in_events_total',
    help: 'Events accepted into the queue, by transport.',
    labelNames: ['transport'],
    registers: [register],
    collect() {
      for (const t of TRANSPORTS) {
        const n = acceptedSinceRead[t]
        if (n === 0) continue
        acceptedSinceRead[t] = 0
        inEvents.labels(t).inc(n)
      }
    },
  })
  /** Counts `n` events accepted over `transport` (mcp_in_events_total, as of the next read). */
  const countAccepted = (transport: Transport, n: number): void => {
    acceptedSinceRead[transport] += n
  }
  const rejected = new client.Counter({
    name: 'mcp_rejected_events_total',
    help: 'Inbound events or inputs rejected before the queue, by transport and reason.',
    labelNames: ['transport', 'reason'],
    registers: [register],
  })
  const outSuccess = new client.Counter({
    name: 'mcp_out_success_total',
    help: 'Events delivered to ilert (2xx), counting every event merged into a delivered call.',
    registers: [register],
  })
  const outFailed = new client.Counter({
    name: 'mcp_out_failed_total',
    help: 'Events that failed for good (permanent 4xx, out of attempts, or stored events a changed configuration no longer accepts: replay_invalid) and went to the dead letters.',
    labelNames: ['reason'],
    registers: [register],
  })
  const outRetries = new client.Counter({
    name: 'mcp_out_retries_total',
    help: 'Delivery attempts scheduled for retry, by reason.',
    labelNames: ['reason'],
    registers: [register],
  })
  const outRequests = new client.Counter({
    name: 'mcp_out_requests_total',
    help: 'HTTP calls made to the ilert Events API, by outcome.',
    labelNames: ['outcome'],
    registers: [register],
  })
  const rateLimited = new client.Counter({
    name: 'mcp_out_rate_limited_total',
    help: '429 answers received from ilert.',
    registers: [register],
  })
  const latency = new client.Histogram({
    name: 'mcp_processing_latency_seconds',
    help: 'Time from acceptance by the bridge to ilert answering the delivering call (oldest event of a coalesced call).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [register],
  })
  let mergedSeen = 0
  const coalesced = new client.Counter({
    name: 'mcp_coalesced_events_total',
    help: 'Events merged into an already waiting event for the same integration key, alert key and state.',
    registers: [register],
    collect() {
      const m = sampler?.merged() ?? 0
      if (m > mergedSeen) this.inc(m - mergedSeen)
      mergedSeen = m
    },
  })
  let cancelledSeen = 0
  new client.Counter({
    name: 'mcp_cancelled_events_total',
    help: 'Events removed because a RESOLVE cancelled its still unsent ALERT (neither was sent; dispatch.cancel_pairs).',
    registers: [register],
    collect() {
      const c = sampler?.cancelled?.() ?? 0
      if (c > cancelledSeen) this.inc(c - cancelledSeen)
      cancelledSeen = c
    },
  })
  const saved = { coalesced: 0, cancelled: 0 }
  new client.Counter({
    name: 'mcp_calls_saved_total',
    help: 'ilert calls not made: events merged into a waiting call (coalesced) and ALERT/RESOLVE pairs cancelled (2 calls each).',
    labelNames: ['reason'],
    registers: [register],
    collect() {
      const now = { coalesced: sampler?.merged() ?? 0, cancelled: 2 * (sampler?.cancelledPairs?.() ?? 0) }
      for (const r of ['coalesced', 'cancelled'] as const) {
        if (now[r] > saved[r]) this.labels(r).inc(now[r] - saved[r])
        else this.labels(r).inc(0)
        saved[r] = now[r]
      }
    },
  })
  const stormDigests = new client.Counter({
    name: 'mcp_storm_digests_total',
    help: 'Storm digest calls delivered to ilert, by action (alert: opened, update, resolve).',
    labelNames: ['action'],
    registers: [register],
  })
  for (const a of ['alert', 'update', 'resolve']) stormDigests.labels(a).inc(0)
  const perSource = (pick: (s: { calls: number; drainSeconds: number }) => number) =>
    function (this: client.Gauge<'source'>) {
      this.reset()
      const list = sampler?.sources?.() ?? []
      list.sort((a, b) => b.calls - a.calls)
      let other = 0
      for (let i = 0; i < list.length; i++) {
        if (i < SOURCE_LABELS_MAX) this.labels(list[i]!.name).set(pick(list[i]!))
        else other = Math.max(other, pick(list[i]!))
      }
      if (list.length > SOURCE_LABELS_MAX) this.labels('other').set(other)
    }
  new client.Gauge({
    name: 'mcp_source_backlog_calls',
    help: `Pending ilert calls per alert source (configured name or masked integration key; beyond the ${SOURCE_LABELS_MAX} largest, the largest of the rest as "other").`,
    labelNames: ['source'],
    registers: [register],
    collect: perSource((s) => s.calls),
  })
  new client.Gauge({
    name: 'mcp_source_drain_seconds',
    help: "Projected time to deliver an alert source's pending calls at its rate limit (dispatch.storm.max_delay_seconds opens the storm digest).",
    labelNames: ['source'],
    registers: [register],
    collect: perSource((s) => s.drainSeconds),
  })
  const dropped = new client.Counter({
    name: 'mcp_dropped_events_total',
    help: 'Accepted events that left the bridge undelivered, by reason (e.g. shutdown_deadline).',
    labelNames: ['reason'],
    registers: [register],
  })
  const queueDepth = new client.Gauge({
    name: 'mcp_queue_depth',
    help: 'Pending ilert calls the store holds (coalesced records), in flight or waiting; what queue.capacity bounds.',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.queueDepth())
    },
  })
  new client.Gauge({
    name: 'mcp_queue_events',
    help: 'Accepted events the pending calls stand for (before coalescing).',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.queuedEvents())
    },
  })
  new client.Gauge({
    name: 'mcp_queue_disk_bytes',
    help: 'Bytes the durable store occupies in queue.path (log segments, checkpoint, dead letters); what queue.max_disk_bytes bounds.',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.diskBytes())
    },
  })
  new client.Gauge({
    name: 'mcp_queue_memory_bytes',
    help: 'Bytes of event bodies the pending calls hold in memory; what queue.max_memory_bytes bounds.',
    registers: [register],
    collect() {
      if (sampler?.memoryBytes) this.set(sampler.memoryBytes())
    },
  })
  new client.Gauge({
    name: 'mcp_queue_spilled_bytes',
    help: 'Bytes of event bodies the durable store keeps on disk only (beyond queue.max_memory_bytes), read back when their call leaves.',
    registers: [register],
    collect() {
      if (sampler?.spilledBytes) this.set(sampler.spilledBytes())
    },
  })
  const queueCapacity = new client.Gauge({
    name: 'mcp_queue_capacity',
    help: 'Pending ilert calls the store may hold (queue.capacity).',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.queueCapacity())
    },
  })
  const pending = new client.Gauge({
    name: 'mcp_dispatch_pending',
    help: 'Coalesced deliveries held by the dispatcher (waiting, in backoff or in flight).',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.pending())
    },
  })
  const deadLetters = new client.Gauge({
    name: 'mcp_dead_letters',
    help: 'Events held in the dead-letter store.',
    registers: [register],
    collect() {
      if (sampler) this.set(sampler.deadLetters())
    },
  })
  const ilertUp = new client.Gauge({
    name: 'mcp_ilert_up',
    help: '1 while ilert answers the Events API, 0 during an outage (delivery paused, probing).',
    registers: [register],
  })
  ilertUp.set(1)
  const ilertOutages = new client.Counter({
    name: 'mcp_ilert_outages_total',
    help: 'Times ilert stopped answering (transient failures in a row) and delivery paused.',
    registers: [register],
  })
  const tornTails = new client.Counter({
    name: 'mcp_queue_torn_tails_total',
    help: 'Log segments whose torn tail (a write cut short by a crash) was cut off at start.',
    registers: [register],
  })
  const compactions = new client.Counter({
    name: 'mcp_queue_compactions_total',
    help: 'Checkpoints written to compact the durable log.',
    registers: [register],
  })
  const buildInfo = new client.Gauge({
    name: 'mcp_build_info',
    help: 'Always 1; the labels say which build is running (version, git revision, runtime).',
    labelNames: ['version', 'revision', 'runtime'],
    registers: [register],
  })
  buildInfo.labels(VERSION, REVISION, RUNTIME).set(1)
  for (const t of TRANSPORTS) {
    inEvents.labels(t).inc(0)
    for (const r of KNOWN_LABELS.rejected) rejected.labels(t, r).inc(0)
  }
  for (const r of KNOWN_LABELS.failed) outFailed.labels(r).inc(0)
  for (const r of KNOWN_LABELS.retries) outRetries.labels(r).inc(0)
  for (const o of KNOWN_LABELS.requests) outRequests.labels(o).inc(0)
  for (const r of KNOWN_LABELS.dropped) dropped.labels(r).inc(0)
  return {
    register,
    addDefaults,
    setSampler(s: GaugeSampler) {
      sampler = s
    },
    inEvents,
    countAccepted,
    rejected,
    outSuccess,
    outFailed,
    outRetries,
    outRequests,
    rateLimited,
    latency,
    coalesced,
    dropped,
    tornTails,
    compactions,
    ilertUp,
    ilertOutages,
    stormDigests,
    queueDepth,
    queueCapacity,
    pending,
    deadLetters,
    buildInfo,
  }
}

export type Metrics = ReturnType<typeof createMetrics>
