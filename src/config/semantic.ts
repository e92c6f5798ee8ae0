/**
 * Rules the schema cannot express: cross-field consistency (levels referenced by the priority map,
 * TLS files as a pair, retry intervals), URLs that parse, plus warnings for risky but legal settings.
 * Runs on a defaulted, schema-valid config; normalizes empty tls paths to "not set".
 */
import type { Config } from './schema'
import { SECRET_PATHS } from './secrets'
import { didYouMean } from './suggest'
import { getPath } from './paths'
import { parseBrokerUrl } from '../ingest/mqtt/broker-url'
import { maskUrlCredentials } from '../security/url-credentials'

export type SemanticResult = { kind: 'ok'; warnings: string[] } | { kind: 'error'; path: string[]; problem: string }

export function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

const PLACEHOLDER = /GOES_HERE|CHANGE_?ME|^YOUR[_-]|^X{4,}(-X{4,})*$|^<.*>$/i

function levelProblem(level: string, levels: Record<string, unknown>): string {
  const names = Object.keys(levels)
  const near = didYouMean(level, names)
  const hint = near ? ` (did you mean "${near}"?)` : ''
  return `level "${level}" is not defined in mapping.levels${hint}; defined: ${names.join(', ') || 'none'}`
}

/** URL settings the schema only checks for an http(s):// prefix; parsed here so a bad one is named at load, not at the first request ("Invalid URL"). */
function httpUrls(config: Config): [string[], string][] {
  return [
    [['ilert', 'api_url'], config.ilert.api_url],
    [['heartbeat', 'ping_url'], config.heartbeat.ping_url],
    [['mcp', 'web_url'], config.mcp.web_url],
  ]
}

function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
  } catch {
    return false
  }
}

export function checkSemantics(config: Config): SemanticResult {
  const tls = config.tls
  if (tls.cert_file === '') delete tls.cert_file
  if (tls.key_file === '') delete tls.key_file
  if (tls.client_ca_file === '') delete tls.client_ca_file
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    const [set, missing] = tls.cert_file === undefined ? ['key_file', 'cert_file'] : ['cert_file', 'key_file']
    return { kind: 'error', path: ['tls', set], problem: `is set but tls.${missing} is not (set both for TLS, or neither)` }
  }
  const { levels, priority_map, default_level } = config.mapping
  for (const [priority, level] of Object.entries(priority_map)) {
    if (!Object.hasOwn(levels, level)) return { kind: 'error', path: ['mapping', 'priority_map', priority], problem: levelProblem(level, levels) }
  }
  if (!Object.hasOwn(levels, default_level)) return { kind: 'error', path: ['mapping', 'default_level'], problem: levelProblem(default_level, levels) }
  for (const [path, url] of httpUrls(config)) {
    if (url !== '' && !isHttpUrl(url)) return { kind: 'error', path, problem: `is not a valid http(s) URL; got "${maskUrlCredentials(url)}"` }
  }
  if (config.mqtt.url !== '') {
    const broker = parseBrokerUrl(config.mqtt.url)
    if (broker.kind === 'error') return { kind: 'error', path: ['mqtt', 'url'], problem: broker.problem }
    if (config.mqtt.topics.length === 0) return { kind: 'error', path: ['mqtt', 'topics'], problem: 'is empty: with mqtt.url set the bridge would subscribe to nothing (give at least one topic filter, e.g. ["factory/+/alerts"])' }
  }
  const r = config.retries
  if (r.max_interval_seconds < r.base_interval_seconds) {
    return {
      kind: 'error',
      path: ['retries', 'max_interval_seconds'],
      problem: `must be >= retries.base_interval_seconds (got ${r.max_interval_seconds} < ${r.base_interval_seconds})`,
    }
  }
  return { kind: 'ok', warnings: warningsFor(config) }
}

function warningsFor(config: Config): string[] {
  const warnings: string[] = []
  const exposed = (key: string, address: string, what: string) =>
    warnings.push(
      `${key} is ${address}, not a loopback address, and auth.tokens is empty: anyone who can reach ${what} can submit events${key === 'listen.address' ? ' and use the admin API' : ''} (set auth.tokens or MCP_ILERT_TOKENS)`,
    )
  const tokens = config.auth.tokens.length + config.auth.admin_tokens.length > 0
  if (!tokens && !isLoopback(config.listen.address)) exposed('listen.address', config.listen.address, 'the HTTP ingest')
  if (config.tcp.enabled && !tokens && !config.tls.client_ca_file && !isLoopback(config.tcp.address)) exposed('tcp.address', config.tcp.address, 'the TCP ingest')
  if (config.metrics.enabled && config.metrics.token === '' && !isLoopback(config.metrics.listen_address)) {
    warnings.push(`metrics.listen_address is ${config.metrics.listen_address}, not a loopback address, and metrics.token is empty: anyone who can reach it can read the metrics`)
  }
  if (config.tls.client_ca_file && !config.tls.cert_file) warnings.push('tls.client_ca_file is set but TLS is off (no tls.cert_file/key_file): client certificates cannot be checked')
  for (const dotted of SECRET_PATHS) {
    const value = getPath(config, dotted.split('.'))
    if (typeof value === 'string' && PLACEHOLDER.test(value)) warnings.push(`${dotted} looks like a placeholder from an example config; ilert will reject it`)
  }
  const rl = config.rate_limit
  if (rl.per_key_per_minute > rl.per_minute) {
    warnings.push(`rate_limit.per_key_per_minute (${rl.per_key_per_minute}) exceeds rate_limit.per_minute (${rl.per_minute}); the global cap applies first`)
  }
  return warnings
}
