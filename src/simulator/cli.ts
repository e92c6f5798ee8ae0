/**
 * Command line of the simulator, shared by `bun src/simulator/main.ts` and `mcp-ilert simulator`.
 * `runSimulatorCli(argv)` resolves with the exit code once the simulator has stopped (SIGINT,
 * SIGTERM, or the optional abort signal tests pass in).
 */
import { parseArgs } from 'node:util'
import { createLogger, type Logger } from '../observability/logger'
import { DEFAULTS, type SimulatorOptions } from './options'
import { createSimulator } from './simulator'

export const SIMULATOR_USAGE = `Usage: mcp-ilert simulator [options]   (or: bun src/simulator/main.ts [options])

Runs a local stand-in for ilert's Events API (POST /api/events) and the REST API the bridge's MCP
tools use (alerts, users, schedules, on-calls, escalation policies, services, incidents) over a
seeded demo organization, with ilert's rate limits and optional fault injection.
REST calls need "Authorization: Bearer sim-user-key" (Ava Fischer, ADMIN) or "Bearer sim-responder-key".

Options:
  --port N                 port to listen on (default 8090; 0 picks a free port)
  --address A              address to bind (default ${DEFAULTS.address})
  --per-key-limit N        events per integration key per window (default ${DEFAULTS.perKey}; 0 disables)
  --window-ms N            rate-limit window in ms, aligned to epoch multiples (default ${DEFAULTS.windowMs})
  --integration-key K      accept only this key (repeatable); others get 404. Default: any key
  --error-ratio R          answer this share (0..1) of events with --error-status (default off)
  --error-status N         status for --error-ratio (default ${DEFAULTS.errorStatus})
  --reset-ratio R          reset the connection for this share (0..1) of events (default off)
  --latency-ms N           delay every event answer by N ms
  --hang-ms N              hold every event answer N ms (client timeout tests)
  --force-status N         answer every event with status N (400..599)
  --times N                apply --force-status, --reset-ratio and --hang-ms to the next N events only
  --seed N                 seed for the fault PRNG (reproducible faults)
  --max-log N              event log capacity (default ${DEFAULTS.maxLog})
  --no-demo-alerts         start without the seeded org's demo alerts
  --open-reads             allow REST GETs without an Authorization header (ilert requires one)
  -h, --help               show this help

Simulator-only routes: GET /stats, GET /api/events/log, POST /admin/reset, GET|POST /admin/faults, GET /healthz.
`

export const DEFAULT_CLI_PORT = 8090

const NUMERIC = ['port', 'per-key-limit', 'window-ms', 'error-ratio', 'error-status', 'reset-ratio', 'latency-ms', 'hang-ms', 'force-status', 'times', 'seed', 'max-log'] as const
const RATIOS = new Set(['error-ratio', 'reset-ratio'])

export type ParsedSimulatorArgs = { kind: 'run'; options: SimulatorOptions } | { kind: 'help' } | { kind: 'error'; message: string }

export function parseSimulatorArgs(argv: string[]): ParsedSimulatorArgs {
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    const options = Object.fromEntries(NUMERIC.map((n) => [n, { type: 'string' as const }]))
    values = parseArgs({
      args: argv,
      options: {
        ...options,
        address: { type: 'string' },
        'integration-key': { type: 'string', multiple: true },
        'no-demo-alerts': { type: 'boolean' },
        'open-reads': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    return { kind: 'error', message: (e as Error).message }
  }
  if (values.help) return { kind: 'help' }
  const num: Record<string, number | undefined> = {}
  for (const name of NUMERIC) {
    const raw = values[name]
    if (typeof raw !== 'string') continue
    const n = Number(raw)
    if (raw.trim() === '' || Number.isNaN(n) || n < 0) return { kind: 'error', message: `--${name} must be a non-negative number, got '${raw}'` }
    if (RATIOS.has(name) && n > 1) return { kind: 'error', message: `--${name} must be between 0 and 1, got '${raw}'` }
    if (name !== 'per-key-limit' && !Number.isFinite(n)) return { kind: 'error', message: `--${name} must be finite, got '${raw}'` }
    num[name] = n
  }
  if (num['window-ms'] === 0) return { kind: 'error', message: '--window-ms must be positive' }
  const keys = values['integration-key']
  return {
    kind: 'run',
    options: {
      address: typeof values.address === 'string' ? values.address : DEFAULTS.address,
      port: num.port ?? DEFAULT_CLI_PORT,
      rateLimit: { perKey: num['per-key-limit'] ?? DEFAULTS.perKey, windowMs: num['window-ms'] ?? DEFAULTS.windowMs },
      integrationKeys: Array.isArray(keys) ? keys : undefined,
      maxLog: num['max-log'],
      demoAlerts: values['no-demo-alerts'] !== true,
      openReads: values['open-reads'] === true,
      faults: {
        errorRatio: num['error-ratio'],
        errorStatus: num['error-status'],
        resetRatio: num['reset-ratio'],
        latencyMs: num['latency-ms'],
        hangMs: num['hang-ms'],
        forceStatus: num['force-status'],
        times: num.times,
        seed: num.seed,
      },
    },
  }
}

export interface SimulatorCliDeps {
  log?: Logger
  stdout?: { write(s: string): unknown }
  /** Stops the simulator when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal
  /** Called once listening, with the base URL. */
  onListening?: (url: string) => void
}

export async function runSimulatorCli(argv: string[], deps: SimulatorCliDeps = {}): Promise<number> {
  const log = deps.log ?? createLogger('info')
  const parsed = parseSimulatorArgs(argv)
  if (parsed.kind === 'help') {
    ;(deps.stdout ?? process.stdout).write(SIMULATOR_USAGE)
    return 0
  }
  if (parsed.kind === 'error') {
    log.error('Invalid simulator arguments.', { error: parsed.message, help: 'mcp-ilert simulator --help' })
    return 2
  }
  const sim = createSimulator(parsed.options)
  let url: string
  try {
    url = (await sim.start()).url
  } catch (e) {
    log.error('ilert simulator could not start.', { error: e as Error, address: parsed.options.address, port: parsed.options.port })
    return 1
  }
  log.info('ilert simulator listening.', { url, restApi: `${url}/api`, userApiKey: 'sim-user-key' })
  deps.onListening?.(url)
  const reason = await waitForStop(deps.signal)
  await sim.stop()
  log.info('ilert simulator stopped.', { reason })
  return 0
}

/** Resolves with what stopped us: SIGINT, SIGTERM or 'abort'; removes its signal handlers either way. */
function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const finish = (why: string) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      signal?.removeEventListener('abort', onAbort)
      resolve(why)
    }
    const onInt = () => finish('SIGINT')
    const onTerm = () => finish('SIGTERM')
    const onAbort = () => finish('abort')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    if (signal?.aborted) return finish('abort')
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
