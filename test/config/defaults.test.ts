// Every default, applied when no file, an empty file or a comments-only file is given;
// and examples/config.local.yaml documents every key with exactly those defaults.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load'
import { CONFIG_LEAVES } from '../../src/config/leaves'
import { REPO_ROOT, tempFile } from './fixtures'

const DEFAULTS = {
  listen: {
    address: '127.0.0.1',
    port: 8080,
    max_body_bytes: 1_048_576,
    max_events_per_request: 10_000,
    idle_timeout_seconds: 30,
    body_timeout_seconds: 10,
    max_requests_in_flight: 1024,
    max_requests_in_flight_per_peer: 64,
  },
  tls: { min_version: 'TLSv1.2' },
  tcp: {
    enabled: true,
    address: '127.0.0.1',
    port: 8081,
    max_line_bytes: 65_536,
    max_connections: 1024,
    idle_timeout_seconds: 300,
    max_connections_per_peer: 256,
    auth_timeout_seconds: 10,
  },
  ilert: { api_key: '', api_url: 'https://api.ilert.com', integration_key: '', webhook_key: '', connect_timeout_seconds: 5, timeout_seconds: 15 },
  mapping: {
    priority_map: { '1': 'critical', '2': 'high', '3': 'medium', '4': 'low' },
    default_level: 'medium',
    levels: {
      critical: { priority: 'HIGH', severity: 1 },
      high: { priority: 'HIGH', severity: 2 },
      medium: { priority: 'LOW', severity: 3 },
      low: { priority: 'LOW', severity: 4 },
      info: { priority: 'LOW', severity: 5 },
    },
  },
  rate_limit: { per_minute: 600, per_key_per_minute: 50, window_seconds: 60, margin_seconds: 1 },
  retries: { max_attempts: 5, base_interval_seconds: 2, max_interval_seconds: 60 },
  queue: { capacity: 65_536, backend: 'local', durable: true, path: '/var/lib/mcp-ilert', sync: 'full', max_disk_bytes: 0, segment_bytes: 8_388_608, max_memory_bytes: 268_435_456 },
  dispatch: { concurrency: 16, batch_size: 1024, max_pending: 100_000, drain_timeout_seconds: 30, dead_letter_capacity: 10_000, cancel_pairs: true, storm: { digest: true, max_delay_seconds: 300, group_by_labels: [], source_names: [] } },
  nats: {
    servers: 'nats://127.0.0.1:4222',
    user: '',
    password: '',
    token: '',
    tls_ca_file: '',
    tls_cert_file: '',
    tls_key_file: '',
    stream: 'MCP_ILERT',
    replicas: 1,
    partitions: 16,
    max_bytes: 1_073_741_824,
    lease_seconds: 10,
    instance: '',
    publish_timeout_seconds: 5,
  },
  logging: { level: 'info' },
  metrics: { enabled: true, listen_address: '127.0.0.1', listen_port: 9090, token: '' },
  auth: { tokens: [], tokens_file: '', admin_tokens: [], failure_delay_max_seconds: 5 },
  limits: { max_json_depth: 32 },
  syslog: { enabled: false, address: '127.0.0.1', tcp_port: 5514, udp_port: 5514, min_severity: 'warning', max_message_bytes: 8192, max_connections: 256, idle_timeout_seconds: 300, integration_key: '' },
  mqtt: { url: '', topics: [], client_id: 'mcp-ilert', clean_session: false, protocol_version: 4, username: '', password: '', ca_file: '', keepalive_seconds: 30, reconnect_min_seconds: 1, reconnect_max_seconds: 30, max_payload_bytes: 65_536 },
  heartbeat: { key: '', interval_seconds: 60, ping_url: '', per_key_per_minute: 5, max_keys: 10_000 },
  mcp: { enabled: true, allowed_hosts: [], allowed_origins: [], read_only: false, accept_ilert_keys: true, allow_anonymous: false, tokens: [],
    rest_per_minute: 120,
    web_url: '',
    oauth: { enabled: true, issuer_url: '', access_token_ttl_seconds: 3600, refresh_token_ttl_seconds: 2592000, allowed_redirect_hosts: [], max_clients: 1000 },
  },
}

function ok(r: ReturnType<typeof loadConfig>) {
  if (r.kind === 'error') throw new Error(r.message)
  return r
}

describe('defaults', () => {
  test('no file and no env: every default, no warnings, no sources', () => {
    const r = ok(loadConfig({}))
    expect(r.config).toEqual(DEFAULTS as never)
    expect(r.warnings).toEqual([])
    expect(r.sources.values).toEqual({})
  })

  test.each([
    ['empty file', ''],
    ['comments only', '# nothing here\n'],
    ['empty sections', 'listen:\ntls:\nilert:\n  api_key:\n'],
  ])('%s means all defaults', (_name, text) => {
    expect(ok(loadConfig({ file: tempFile(text) })).config).toEqual(DEFAULTS as never)
  })

  test('section keys come out in schema order whatever the file order', () => {
    const r = ok(loadConfig({ file: tempFile('metrics:\n  enabled: false\nlisten:\n  port: 1\n') }))
    expect(Object.keys(r.config)).toEqual(Object.keys(DEFAULTS))
  })

  test('each load gets its own objects (mutating one config does not leak into the next)', () => {
    const a = ok(loadConfig({})).config
    a.mapping.levels.critical!.severity = 5
    a.mapping.priority_map['9'] = 'info'
    expect(ok(loadConfig({})).config).toEqual(DEFAULTS as never)
  })
})

describe('queue.path default: a data directory that is writable where the bridge runs', () => {
  const path = (env: Record<string, string>) => ok(loadConfig({ env })).config.queue.path
  test('systemd StateDirectory= ($STATE_DIRECTORY, first of several)', () => {
    expect(path({ STATE_DIRECTORY: '/var/lib/mcp-ilert-a:/var/lib/other', HOME: '/home/u' })).toBe('/var/lib/mcp-ilert-a')
  })
  test('a user: $XDG_STATE_HOME/mcp-ilert, else ~/.local/state/mcp-ilert', () => {
    expect(path({ XDG_STATE_HOME: '/home/u/state', HOME: '/home/u' })).toBe('/home/u/state/mcp-ilert')
    expect(path({ HOME: '/home/u' })).toBe('/home/u/.local/state/mcp-ilert')
  })
  test('no usable HOME (a service account): /var/lib/mcp-ilert', () => {
    expect(path({ HOME: '/' })).toBe('/var/lib/mcp-ilert')
    expect(path({ HOME: 'relative' })).toBe('/var/lib/mcp-ilert')
  })
  test('an explicit queue.path wins over all of them', () => {
    expect(path({ MCP_ILERT_QUEUE_PATH: '/data/q', STATE_DIRECTORY: '/var/lib/x', HOME: '/home/u' })).toBe('/data/q')
  })
})

describe('examples/config.local.yaml (the configuration reference)', () => {
  const file = join(REPO_ROOT, 'examples', 'config.local.yaml')

  test('loads to exactly the defaults', () => {
    expect(ok(loadConfig({ file })).config).toEqual(DEFAULTS as never)
  })

  test('sets every key, except ilert.api_url and queue.path which are shown commented out', () => {
    const { sources } = ok(loadConfig({ file }))
    const missing = CONFIG_LEAVES.map((l) => l.dotted).filter((d) => !sources.values[d])
    expect(missing).toEqual(['ilert.api_url', 'queue.path'])
    expect(readFileSync(file, 'utf8')).toContain('# api_url: https://api.ilert.com')
    expect(readFileSync(file, 'utf8')).toContain('# path: /var/lib/mcp-ilert')
  })

  test('every set key has a comment on its line or its section', () => {
    const lines = readFileSync(file, 'utf8').split('\n')
    const uncommented = lines.filter((l) => /^\s*[a-z_]+:\s*\S/.test(l) && !l.includes('#') && !/^\s{4}/.test(l))
    expect(uncommented).toEqual([])
  })
})
