/**
 * The App wires the data path (ingest ► pipeline ► queue ► dispatcher ► ilert) from one validated
 * Config and owns its lifecycle: start() binds every listener and reports the bound ports (tests
 * bind port 0); stop() stops accepting, drains within the deadline and reports what remained.
 */
import type { Server } from 'bun'
import { resolve as resolvePath } from 'node:path'
import { Registry } from './observability/prom'
import type { Config } from './config/schema'
import { Dispatcher } from './dispatch/dispatcher'
import { createIlertClient } from './dispatch/ilert-client'
import { createIngestor, decodeStoredEvent, explainStoredEvent, type Ingestor } from './ingest/accept'
import { createEventsHandler, healthz, readyzHandler, type Readiness } from './ingest/http/events'
import { startHttpServer, type HttpServer } from './ingest/http/server'
import { prepareMcp } from './ingest/mcp/startup'
import { createAlertmanagerHandler } from './ingest/alertmanager/route'
import { startOwnHeartbeat, type OwnHeartbeat } from './ingest/heartbeats/own'
import { createHeartbeatProxy } from './ingest/heartbeats/proxy'
import { createSyslogSource, type SyslogSource } from './ingest/syslog/listener'
import type { MqttSource } from './ingest/mqtt/source'
import { bindOrExplain } from './ingest/bind-error'
import { createIlertEventsHandler } from './ingest/ilert-events/route'
import type { SourceRoutes } from './ingest/http/server'
import { createTcpIngest } from './ingest/tcp/listener'
import { createLogger, type Logger } from './observability/logger'
import { createMetrics, type Metrics } from './observability/metrics'
import { startMetricsServer } from './observability/metrics-server'
import { createNormalizer, type Normalizer } from './pipeline/normalize'
import type { DeadLetterStore } from './queue/dead-letters'
import type { EventStore } from './queue/event-store'
import { openQueueStore, type QueueStore } from './queue/open-store'
import { clearOwner, writeOwner } from './queue/wal/queue-lock'
import { createSecurityContext, type SecurityContext } from './security/context'
import { createHttpGate } from './security/http-gate'
import { throttleWarnings } from './security/log-throttle'
import { loadTls } from './security/tls'
import { maskUrl } from './config/mask'
import { REVISION, USER_AGENT, VERSION } from './version'

export interface AppOptions {
  logger?: Logger
  /** Fresh registry per test; default metrics (process_*) are added only for the real process. */
  registry?: Registry
  defaultMetrics?: boolean
  /** Test hook: the durable store's fdatasync (to watch acknowledgements wait for it). */
  syncFn?: (fd: number) => Promise<void>
}

export interface BoundAddresses {
  http: { address: string; port: number; url: string }
  tcp?: { address: string; port: number }
  metrics?: { address: string; port: number; url: string }
  syslog?: { tcp?: number; udp?: number }
}

export interface StopReport {
  undelivered: number
  inFlight: number
}

export class App {
  readonly log: Logger
  readonly metrics: Metrics
  readonly security: SecurityContext
  // Opened by start(): the durable store recovers its log there.
  queues!: QueueStore
  store!: EventStore
  deadLetters!: DeadLetterStore
  dispatcher!: Dispatcher
  ingestor!: Ingestor
  private readonly normalizer: Normalizer
  private http: HttpServer | undefined
  private tcp: ReturnType<typeof createTcpIngest> | undefined
  private metricsServer: Server<undefined> | undefined
  private ownHeartbeat: OwnHeartbeat | undefined
  private syslog: SyslogSource | undefined
  private mqtt: MqttSource | undefined
  private state: Readiness = { kind: 'not_ready', reason: 'starting' }

  constructor(
    readonly config: Config,
    private readonly opts: AppOptions = {},
  ) {
    this.log = opts.logger ?? createLogger(config.logging.level)
    for (const s of [config.ilert.api_key, config.ilert.integration_key, config.ilert.webhook_key, config.mqtt.password, config.heartbeat.key, config.syslog.integration_key, ...config.dispatch.storm.source_names.map((n) => n.integration_key)]) this.log.redact(s)
    this.metrics = createMetrics(opts.registry ?? new Registry(), opts.defaultMetrics ?? false)
    this.security = createSecurityContext(config, this.log, this.metrics.register)
    this.normalizer = createNormalizer(config.mapping, config.ilert.integration_key || config.ilert.webhook_key)
  }

  /** Opens (and recovers) the store, then builds ingest and dispatch on it. Throws with a message naming queue.path. */
  private async openData(): Promise<void> {
    const config = this.config
    const rl = config.rate_limit
    const rate = { perKey: rl.per_key_per_minute, windowMs: rl.window_seconds * 1000, marginMs: rl.margin_seconds * 1000 }
    const m = this.metrics
    this.queues = await openQueueStore(config.queue, {
      rate,
      deadLetterCapacity: config.dispatch.dead_letter_capacity,
      decodeRaw: decodeStoredEvent(this.normalizer),
      explainRaw: explainStoredEvent(this.normalizer, config.ilert.integration_key || config.ilert.webhook_key),
      invalidAtStart: (r) => {
        if (r.deadLettered > 0) {
          m.outFailed.labels('replay_invalid').inc(r.deadLettered)
          this.log.error('Stored events no longer pass validation with this configuration; they were moved to the dead letters (reason replay_invalid). Fix the configuration, then replay them: mcp-ilert dead-letters list / replay.', { events: r.deadLettered })
        }
        if (r.dropped > 0) this.log.error('Stored events that no longer pass validation could not be written to the dead letters and were dropped.', { events: r.dropped, error: r.error })
      },
      ...(this.opts.syncFn ? { syncFn: this.opts.syncFn } : {}),
      nats: { config: config.nats, registry: m.register, log: this.log },
      events: {
        tornTail: (file, offset, why) => {
          m.tornTails.inc()
          this.log.warn('Cut a torn tail off the durable log (a write interrupted by a crash; nothing after it was acknowledged).', { file, offset, why })
        },
        replayDropped: (count) => m.dropped.labels('replay_invalid').inc(count),
        compacted: (c) => {
          m.compactions.inc()
          this.log.debug('Durable log compacted.', { ms: Math.round(c.ms), checkpointBytes: c.bytes, entries: c.entries })
        },
        health: (h) => {
          if (h.kind === 'ok') this.log.info('Durable store writable again; accepting events.')
          else this.log.error('Durable store cannot write; refusing new events until it can.', { reason: h.reason, error: h.message })
        },
      },
    })
    this.store = this.queues.store
    this.deadLetters = this.queues.deadLetters
    this.ingestor = createIngestor(this.store, this.normalizer, m)
    const client = createIlertClient({
      apiUrl: config.ilert.api_url,
      userAgent: USER_AGENT,
      connectTimeoutMs: config.ilert.connect_timeout_seconds * 1000,
      timeoutMs: config.ilert.timeout_seconds * 1000,
    })
    this.dispatcher = new Dispatcher(this.store, client, this.deadLetters, m, this.log, {
      concurrency: config.dispatch.concurrency,
      perMinute: rl.per_minute,
      perKeyPerMinute: rl.per_key_per_minute,
      windowMs: rate.windowMs,
      marginMs: rate.marginMs,
      backoff: {
        maxAttempts: config.retries.max_attempts,
        baseMs: config.retries.base_interval_seconds * 1000,
        maxMs: config.retries.max_interval_seconds * 1000,
      },
      cancelPairs: config.dispatch.cancel_pairs,
      storm: { enabled: config.dispatch.storm.digest, maxDelayMs: config.dispatch.storm.max_delay_seconds * 1000, groupBy: config.dispatch.storm.group_by_labels },
      sourceNames: new Map(config.dispatch.storm.source_names.map((n) => [n.integration_key, n.name])),
    })
    const table = this.store.table
    m.setSampler({
      queueDepth: () => table.entries,
      queueCapacity: () => this.store.capacity,
      pending: () => table.entries,
      deadLetters: () => this.deadLetters.size,
      merged: () => table.merged,
      cancelled: () => table.cancelled,
      cancelledPairs: () => table.cancelledPairs,
      sources: () => this.dispatcher.backlogs().map((b) => ({ name: this.dispatcher.sourceName(b.ik), calls: b.calls, drainSeconds: b.drainSeconds })),
      queuedEvents: () => table.events,
      diskBytes: () => this.store.diskBytes(),
      memoryBytes: () => this.store.table.heldBytes,
      spilledBytes: () => this.store.table.spilledBytes,
    })
  }

  async start(): Promise<BoundAddresses> {
    const c = this.config
    await this.openData()
    const tlsLoad = loadTls(c.tls)
    if (tlsLoad.kind === 'error') throw new Error(tlsLoad.message)
    const tls = tlsLoad.kind === 'ok' ? tlsLoad.material : undefined
    const sec = this.security
    const ingestDeps = {
      ingestor: this.ingestor,
      maxBodyBytes: c.listen.max_body_bytes,
      maxEventsPerRequest: c.listen.max_events_per_request,
      maxJsonDepth: c.limits.max_json_depth,
    }
    prepareMcp(c, this.log, this.metrics.register)
    // The admin API and /mcp run on Elysia, loaded on the first request for them: a bridge that
    // only ingests never pays Elysia's import (about a fifth of the cold start).
    let routes: Promise<(req: Request) => Response | Promise<Response>> | undefined
    const fetchRoutes = (req: Request) =>
      (routes ??= import('./ingest/http/routes').then((m) => m.createHttpApp(this.queues, { config: c, ingestor: this.ingestor, log: this.log, metrics: this.metrics, verifier: sec.verifier }))).then((f) => f(req))
    const authWarn = throttleWarnings(this.log)
    const gate = createHttpGate({
      ...sec,
      maxInFlight: c.listen.max_requests_in_flight,
      maxInFlightPerPeer: c.listen.max_requests_in_flight_per_peer,
      bodyTimeoutSeconds: c.listen.body_timeout_seconds,
      countRejected: (reason) => this.ingestor.countRejected('http', reason),
      onAuthFailure: (remote, path, reason) => authWarn('http_auth', 'http authentication failed', { remote, path, reason }),
    })
    // Listeners, bounds and TLS: src/ingest/http/server.ts (gate: src/security/http-gate.ts).
    this.http = bindOrExplain(['listen.address', 'listen.port'], c.listen.address, c.listen.port, () =>
      startHttpServer({
        listen: c.listen,
        gate,
        fetch: fetchRoutes,
        native: { events: createEventsHandler({ ...ingestDeps, awaitBody: gate.awaitBody }), healthz, readyz: readyzHandler(() => this.readiness()), sources: this.sourceRoutes() },
        ...(tls ? { tls: tls.http } : {}),
      }),
    )
    const httpPort = this.http.port
    const scheme = tls ? 'https' : 'http'
    const bound: BoundAddresses = {
      http: { address: c.listen.address, port: httpPort, url: `${scheme}://${hostForUrl(c.listen.address)}:${httpPort}` },
    }
    if (c.tcp.enabled) {
      this.tcp = createTcpIngest(c.tcp, this.ingestor, this.log, { ...sec, maxJsonDepth: c.limits.max_json_depth, ...(tls ? { tls: tls.tcp } : {}) })
      const tcp = this.tcp
      bound.tcp = { address: c.tcp.address, port: bindOrExplain(['tcp.address', 'tcp.port'], c.tcp.address, c.tcp.port, () => tcp.start().port) }
    }
    if (c.syslog.enabled) {
      this.syslog = createSyslogSource(c.syslog, this.ingestor, this.log)
      bound.syslog = await this.syslog.start()
    }
    if (c.mqtt.url !== '') {
      // Connects in the background: a broker that is down is retried with backoff.
      // Loaded only when configured: the MQTT client library alone took half of the cold start.
      const { createMqttSource } = await import('./ingest/mqtt/source')
      this.mqtt = createMqttSource(c.mqtt, c.mapping, c.limits.max_json_depth, this.ingestor, this.log)
      this.mqtt.start()
    }
    if (c.metrics.enabled) {
      this.metricsServer = bindOrExplain(['metrics.listen_address', 'metrics.listen_port'], c.metrics.listen_address, c.metrics.listen_port, () =>
        startMetricsServer(c.metrics.listen_address, c.metrics.listen_port, this.metrics.register, {
          token: c.metrics.token,
          readiness: () => this.readiness(),
          failures: sec.failures,
          security: sec.metrics,
          beforeScrape: this.metrics.addDefaults,
        }),
      )
      const port = this.metricsServer.port!
      bound.metrics = { address: c.metrics.listen_address, port, url: `http://${hostForUrl(c.metrics.listen_address)}:${port}/metrics` }
    }
    if (this.queues.kind === 'durable') writeOwner(c.queue.path, { pid: process.pid, url: bound.http.url })
    this.state = { kind: 'ready' }
    this.ownHeartbeat = startOwnHeartbeat(c, this.metrics.register, this.log, () => this.readiness().kind === 'ready')
    // Calls left in the durable store by the last run (a crash, or a drain deadline) go first.
    const t = this.store.table
    if (t.entries > 0) this.log.info('Resuming delivery of the calls left in the durable store.', { calls: t.entries, events: t.events })
    if (this.queues.migrated > 0) this.log.warn('Moved the undelivered events of a 0.1 store (queue.sqlite) into the write-ahead log.', { events: this.queues.migrated })
    this.dispatcher.schedule()
    // Work that can wait until the listeners are bound: the process metrics (or the first scrape,
    // whichever comes first). The validators need no compiling: that was done ahead of time
    // (src/generated/checks.ts).
    setTimeout(this.metrics.addDefaults, 1)
    this.log.info('mcp-ilert started.', {
      version: VERSION,
      revision: REVISION,
      queue: this.store.kind === 'durable' ? { mode: 'durable', path: resolvePath(c.queue.path), sync: c.queue.sync } : { mode: 'memory' },
      ilert: maskUrl(c.ilert.api_url),
      http: bound.http.url,
      tcp: bound.tcp?.port,
      ...(bound.syslog ? { syslog: bound.syslog } : {}),
      metrics: bound.metrics?.url,
      auth: sec.verifier.required ? 'tokens' : 'none',
      tls: tls ? { subject: tls.subject, notAfter: tls.notAfter, clientCa: Boolean(c.tls.client_ca_file) } : 'off',
    })
    return bound
  }

  /** The HTTP sources beside POST /events: ilert's Events API, Alertmanager, heartbeat pings. */
  private sourceRoutes(): SourceRoutes {
    const c = this.config
    const limits = { maxBodyBytes: c.listen.max_body_bytes, maxJsonDepth: c.limits.max_json_depth }
    const ilertEvents = createIlertEventsHandler(this.ingestor, c.mapping, limits)
    const am = createAlertmanagerHandler(this.ingestor, c.mapping, limits)
    const hb = createHeartbeatProxy(c, this.metrics.register, this.log)
    return {
      '/api/events': { POST: ilertEvents },
      '/api/v1/events': { POST: ilertEvents },
      '/alertmanager': { POST: am },
      '/api/v1/events/prometheus/:integrationKey': { POST: am },
      '/api/heartbeats/:key': { GET: hb.legacy, HEAD: hb.legacy, POST: hb.legacy },
      '/api/v1/heartbeats/:key': { GET: hb.legacy, HEAD: hb.legacy, POST: hb.legacy },
      '/api/pings/:key': { GET: hb.pings, HEAD: hb.pings },
    }
  }

  private readiness(): Readiness {
    if (this.state.kind !== 'ready') return this.state
    if (this.store.health().kind !== 'ok') return { kind: 'not_ready', reason: 'storage_unavailable' }
    return this.ingestor.isFull() ? { kind: 'not_ready', reason: 'queue_full' } : this.state
  }

  /**
   * SIGHUP: re-reads tls.cert_file / key_file / client_ca_file and serves new connections with
   * them; open connections keep theirs. A file that does not load leaves the old certificate in use.
   */
  reloadTls(): { kind: 'reloaded'; subject: string; notAfter: string } | { kind: 'off' } | { kind: 'error'; message: string } {
    const r = loadTls(this.config.tls)
    if (r.kind === 'off' || this.http === undefined || !this.http.tls) {
      this.log.info('SIGHUP: TLS is not configured; nothing to reload.')
      return { kind: 'off' }
    }
    if (r.kind === 'error') {
      this.security.metrics.tlsReloads.labels('error').inc()
      this.log.error('TLS reload failed; still serving the previous certificate.', { error: r.message })
      return r
    }
    this.http.reloadTls(r.material.http)
    this.tcp?.reloadTls(r.material.tcp)
    this.security.metrics.tlsReloads.labels('ok').inc()
    this.log.info('TLS certificates reloaded.', { subject: r.material.subject, notAfter: r.material.notAfter })
    return { kind: 'reloaded', subject: r.material.subject, notAfter: r.material.notAfter }
  }

  /** Stops accepting, drains the queue within dispatch.drain_timeout_seconds, reports the rest. */
  async stop(): Promise<StopReport> {
    this.state = { kind: 'not_ready', reason: 'draining' }
    this.ownHeartbeat?.stop()
    await this.tcp?.stop()
    await this.syslog?.stop()
    await this.mqtt?.stop()
    await this.http?.stop()
    if (this.dispatcher === undefined) {
      // start() failed before the store opened: nothing to drain.
      this.metricsServer?.stop(true)
      return { undelivered: 0, inFlight: 0 }
    }
    const deadline = this.config.dispatch.drain_timeout_seconds * 1000
    const left = await this.dispatcher.drain(deadline)
    this.dispatcher.stop()
    this.metricsServer?.stop(true)
    if (this.queues.kind === 'durable') clearOwner(this.config.queue.path)
    await this.queues.close()
    const undelivered = left.pendingEvents
    if (undelivered === 0) this.log.info('Drained; stopped.', { deadLetters: left.deadLetters })
    else if (this.queues.kind !== 'memory') {
      // Still on disk (or in the shared stream): delivered after the next start, so not a drop.
      this.log.warn('Shutdown deadline reached; undelivered events stay in the durable store for the next start.', { events: undelivered, calls: left.pending })
    } else {
      this.metrics.dropped.labels('shutdown_deadline').inc(undelivered)
      this.log.error('Shutdown deadline reached; events remained undelivered and are lost (queue.durable is false).', { events: undelivered })
    }
    return { undelivered, inFlight: left.inFlight }
  }
}

function hostForUrl(address: string): string {
  if (address === '0.0.0.0' || address === '::') return '127.0.0.1'
  return address.includes(':') ? `[${address}]` : address
}
