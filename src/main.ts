/**
 * Process entry point: parse the command line, load the config once, start the App (and the
 * bundled ilert simulator when no ilert key is configured), drain on SIGTERM/SIGINT or when the
 * npm launcher's lifeline closes (a second signal forces the exit; cli/shutdown.ts), and reload
 * TLS certificates on SIGHUP.
 * Everything else lives in modules that never read process.env themselves.
 */
import { App } from './app'
import { runCli } from './cli/run'
import { processIo } from './cli/io'
import type { Config } from './config/schema'
import { createLogger } from './observability/logger'
import { createShutdown, EXIT_FORCED, LIFELINE_ENV, REPEAT_WINDOW_MS, type ShutdownTrigger, watchLifeline } from './cli/shutdown'
import { QueueLockedError } from './queue/wal/queue-lock'

/** Integration key the embedded simulator accepts; it is not a real ilert key. */
const EMBEDDED_KEY = 'il1api-embedded-simulator'
const EMBEDDED_PORT = 8090

async function main(): Promise<number | undefined> {
  const r = await runCli(process.argv.slice(2), processIo())
  if (r.kind === 'exit') return r.code
  let config: Config = r.config
  const log = createLogger(config.logging.level)
  // Signal handlers before anything is bound: "mcp-ilert started." is logged before start()
  // returns, and a SIGINT/SIGTERM between that line and handlers installed later killed the
  // process with the default action (exit 130, no drain). A signal during the start is kept and
  // acted on once the App is up; a second one a moment later exits at once.
  let shutdown: ReturnType<typeof createShutdown> | undefined
  let early: { signal: ShutdownTrigger; at: number } | undefined
  const onSignal = (signal: ShutdownTrigger) => {
    if (shutdown !== undefined) return shutdown.trigger(signal)
    if (early === undefined) early = { signal, at: Date.now() }
    else if (Date.now() - early.at >= REPEAT_WINDOW_MS) process.exit(EXIT_FORCED)
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
  // Certificate rotation without a restart: new connections get the new files, open ones stay.
  let running: App | undefined
  process.on('SIGHUP', () => void running?.reloadTls())
  let simulator: { stop(): Promise<void> } | undefined
  if (r.embedded) {
    const { createSimulator } = await import('./simulator/simulator')
    const started = await startEmbedded(createSimulator)
    simulator = started.sim
    config = { ...config, ilert: { ...config.ilert, api_url: started.url, integration_key: EMBEDDED_KEY } }
    log.info('No ilert key configured: delivering to the bundled ilert simulator (not ilert). Set ILERT_INTEGRATION_KEY or ilert.integration_key to deliver to ilert.', {
      simulator: started.url,
      alerts: `${started.url}/api/alerts`,
      userApiKey: 'sim-user-key',
    })
  }
  for (const w of r.warnings) log.warn(w)
  if (!config.ilert.integration_key && !config.ilert.webhook_key) {
    log.warn('No ilert.integration_key configured: only events that carry their own integration_key can be delivered.')
  }
  let app: App
  try {
    app = new App(config, { logger: log, defaultMetrics: true })
    const bound = await app.start()
    if (r.embedded && config.mcp.enabled) {
      log.info('MCP endpoint ready for agents, acting on the simulator\'s demo organization.', { mcp: `${bound.http.url}/mcp`, authorization: 'Bearer sim-user-key' })
    }
  } catch (err) {
    // Expected failures (a held or unusable queue.path, a damaged log, TLS files) say what to do
    // in their message: one line, no stack trace.
    log.error(`Could not start: ${(err as Error).message}`)
    await simulator?.stop()
    return err instanceof QueueLockedError ? 2 : 1
  }
  shutdown = createShutdown({
    log,
    drain: async () => {
      await app.stop()
      await simulator?.stop()
    },
    undelivered: () => {
      const s = app.dispatcher.stats()
      return s.pendingEvents
    },
    durable: app.store.kind === 'durable',
    drainSeconds: config.dispatch.drain_timeout_seconds,
    exit: (code) => process.exit(code),
  })
  const stopper = shutdown
  if (early !== undefined) stopper.trigger(early.signal)
  const lifeline = Number(process.env[LIFELINE_ENV])
  if (Number.isInteger(lifeline) && lifeline > 2) watchLifeline(lifeline, () => stopper.trigger('launcher_gone'), log)
  running = app
  return undefined
}

type SimFactory = typeof import('./simulator/simulator').createSimulator

async function startEmbedded(createSimulator: SimFactory) {
  // A fixed port makes the simulator easy to find; fall back to any free port if it is taken.
  for (const port of [EMBEDDED_PORT, 0]) {
    // Demo org with a few alerts; unauthenticated GETs so the README's curl quick start works.
    const sim = createSimulator({ address: '127.0.0.1', port, openReads: true, demoAlerts: true })
    try {
      const { url } = await sim.start()
      return { sim, url }
    } catch (err) {
      if (port === 0) throw err
    }
  }
  throw new Error('unreachable')
}

const code = await main()
if (code !== undefined) process.exit(code)
