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
import { createIngestor, type Ingestor } from './ingest/accept'
import { createEventsHandler, healthz, readyzHandler, type Readiness } from './ingest/http-events'
import { startHttpServer, type HttpServer } from './ingest/http-server'
import { prepareMcp } from './ingest/mcp/startup'
import { createTcpIngest } from './ingest/tcp'
import { createLogger, type Logger } from './observability/logger'
import { createMetrics, type Metrics } from './observability/metrics'
import { startMetricsServer } from './observability/metrics-server'
import { createNormalizer } from './pipeline/normalize'
import type { DeadLetterStore } from './queue/dead-letters'
import type { EventQueue } from './queue/event-queue'
import { openQueueStore, type QueueStore } from './queue/open-store'
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
}

export interface BoundAddresses {
  http: { address: string; port: number; url: string }
  tcp?: { address: string; port: number }
  metrics?: { address: string; port: number; url: string }
}

export interface StopReport {
  undelivered: number
  inFlight: number
}

export class App {
  readonly log: Logger
  readonly metrics: Metrics
  readonly store: QueueStore
  readonly queue: EventQueue
  readonly deadLetters: DeadLetterStore
  readonly dispatcher: Dispatcher
  readonly ingestor: Ingestor
  readonly security: SecurityContext
  private http: HttpServer | undefined
  private tcp: ReturnType<typeof createTcpIngest> | undefined
  private metricsServer: Server<undefined> | undefined
  private state: Readiness = { kind: 'not_ready', reason: 'starting' }

  constructor(readonly config: Config, opts: AppOptions = {}) {
    this.log = opts.logger ?? createLogger(config.logging.level)
    for (const s of [config.ilert.api_key, config.ilert.integration_key, config.ilert.webhook_key]) this.log.redact(s)
    this.metrics = createMetrics(opts.registry ?? new Registry(), opts.defaultMetrics ?? false)
    this.security = createSecurityContext(config, this.log, this.metrics.register)
    // Throws with a message naming queue.path when the store cannot be opened: no lying acks.
    this.store = openQueueStore(config.queue, config.dispatch.dead_letter_capacity)
    this.queue = this.store.queue
    this.deadLetters = this.store.deadLetters
    const normalizer = createNormalizer(config.mapping, config.ilert.integration_key || config.ilert.webhook_key)
    this.ingestor = createIngestor(this.queue, normalizer, this.metrics)
    const client = createIlertClient({
      apiUrl: config.ilert.api_url,
      userAgent: USER_AGENT,
      connectTimeoutMs: config.ilert.connect_timeout_seconds * 1000,
      timeoutMs: config.ilert.timeout_seconds * 1000,
    })
    const rl = config.rate_limit
    this.dispatcher = new Dispatcher(this.queue, client, this.deadLetters, this.metrics, this.log, {
      batchSize: config.dispatch.batch_size,
      maxPending: config.dispatch.max_pending,
      concurrency: config.dispatch.concurrency,
      perMinute: rl.per_minute,
      perKeyPerMinute: rl.per_key_per_minute,
      windowMs: rl.window_seconds * 1000,
      marginMs: rl.margin_seconds * 1000,
      backoff: {
        maxAttempts: config.retries.max_attempts,
        baseMs: config.retries.base_interval_seconds * 1000,
        maxMs: config.retries.max_interval_seconds * 1000,
      },
    })
    this.metrics.setSampler({
      queueDepth: () => this.queue.size,
      queueCapacity: () => this.queue.capacity,
      pending: () => this.dispatcher.stats().pending,
      deadLetters: () => this.deadLetters.size,
    })
  }

  async start(): Promise<BoundAddresses> {
    const c = this.config
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
      (routes ??= import('./ingest/http').then((m) => m.createHttpApp(this.store, { config: c, ingestor: this.ingestor, log: this.log, metrics: this.metrics }))).then((f) => f(req))
    const authWarn = throttleWarnings(this.log)
    const gate = createHttpGate({
      ...sec,
      maxInFlight: c.listen.max_requests_in_flight,
      maxInFlightPerPeer: c.listen.max_requests_in_flight_per_peer,
      countRejected: (reason) => this.ingestor.countRejected('http', reason),
      onAuthFailure: (remote, path, reason) => authWarn('http_auth', 'http authentication failed', { remote, path, reason }),
    })
    // Listeners, bounds and TLS: src/ingest/http-server.ts (gate: src/security/http-gate.ts).
    this.http = startHttpServer({ listen: c.listen, gate, fetch: fetchRoutes, native: { events: createEventsHandler(ingestDeps), healthz, readyz: readyzHandler(() => this.readiness()) }, ...(tls ? { tls: tls.http } : {}) })
    const httpPort = this.http.port
    const scheme = tls ? 'https' : 'http'
    const bound: BoundAddresses = {
      http: { address: c.listen.address, port: httpPort, url: `${scheme}://${hostForUrl(c.listen.address)}:${httpPort}` },
    }
    if (c.tcp.enabled) {
      this.tcp = createTcpIngest(c.tcp, this.ingestor, this.log, { ...sec, maxJsonDepth: c.limits.max_json_depth, ...(tls ? { tls: tls.tcp } : {}) })
      bound.tcp = { address: c.tcp.address, port: this.tcp.start().port }
    }
    if (c.metrics.enabled) {
      this.metricsServer = startMetricsServer(c.metrics.listen_address, c.metrics.listen_port, this.metrics.register, {
        token: c.metrics.token,
        readiness: () => this.readiness(),
        failures: sec.failures,
        security: sec.metrics,
      })
      const port = this.metricsServer.port!
      bound.metrics = { address: c.metrics.listen_address, port, url: `http://${hostForUrl(c.metrics.listen_address)}:${port}/metrics` }
    }
    this.state = { kind: 'ready' }
    // Events left in the durable queue by the last run (a crash, or a drain deadline) go first.
    const recovered = this.queue.size
    if (recovered > 0) this.log.info('Resuming delivery of events from the durable queue.', { events: recovered })
    this.dispatcher.schedule()
    this.log.info('mcp-ilert started.', {
      version: VERSION,
      revision: REVISION,
      queue: this.store.kind === 'durable' ? { mode: 'durable', path: resolvePath(c.queue.path), sync: c.queue.sync } : { mode: 'memory' },
      ilert: maskUrl(c.ilert.api_url),
      http: bound.http.url,
      tcp: bound.tcp?.port,
      metrics: bound.metrics?.url,
      auth: sec.verifier.required ? 'tokens' : 'none',
      tls: tls ? { subject: tls.subject, notAfter: tls.notAfter, clientCa: Boolean(c.tls.client_ca_file) } : 'off',
    })
    return bound
  }

  private readiness(): Readiness {
    return this.state.kind === 'ready' && this.ingestor.isFull() ? { kind: 'not_ready', reason: 'queue_full' } : this.state
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
    await this.tcp?.stop()
    await this.http?.stop()
    const deadline = this.config.dispatch.drain_timeout_seconds * 1000
    const left = await this.dispatcher.drain(deadline)
    this.dispatcher.stop()
    this.metricsServer?.stop(true)
    this.store.close()
    const undelivered = left.queued + left.pendingEvents
    if (undelivered === 0) this.log.info('Drained; stopped.', { deadLetters: left.deadLetters })
    else if (this.store.kind === 'durable') {
      // Still on disk: delivered after the next start, so not a drop.
      this.log.warn('Shutdown deadline reached; undelivered events stay in the durable queue for the next start.', { events: undelivered })
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
