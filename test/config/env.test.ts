// Environment overrides: naming rule, type conversion, precedence, ilert's conventional names.
import { describe, expect, test } from 'bun:test'
import { ENV_VARS, envVarName, readEnv } from '../../src/config/env'
import { CONFIG_LEAVES } from '../../src/config/leaves'
import { loadConfig } from '../../src/config/load'
import { SEED_FULL, tempFile } from './fixtures'

type Env = Record<string, string | undefined>

function ok(env: Env, file?: string) {
  const r = loadConfig({ env, ...(file ? { file } : {}) })
  if (r.kind === 'error') throw new Error(r.message)
  return r
}
function errorOf(env: Env): string {
  const r = loadConfig({ env })
  if (r.kind === 'ok') throw new Error('expected an error')
  return r.message
}

describe('naming', () => {
  test('MCP_ILERT_ + dotted path with dots as _, upper-cased', () => {
    expect(envVarName(['rate_limit', 'per_key_per_minute'])).toBe('MCP_ILERT_RATE_LIMIT_PER_KEY_PER_MINUTE')
    expect(envVarName(['listen', 'port'])).toBe('MCP_ILERT_LISTEN_PORT')
  })

  test('one unique variable per schema leaf', () => {
    expect(ENV_VARS.map((v) => v.leaf.dotted)).toEqual(CONFIG_LEAVES.map((l) => l.dotted))
    expect(new Set(ENV_VARS.map((v) => v.variable)).size).toBe(ENV_VARS.length)
  })

  test('every value of the default config (plus the tls files) has a variable', () => {
    const r = loadConfig({})
    if (r.kind === 'error') throw new Error(r.message)
    const names = new Set(ENV_VARS.map((v) => v.variable))
    const flatten = (o: object, prefix: string[]): string[][] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && prefix.join('.') !== 'mapping' ? flatten(v, [...prefix, k]) : [[...prefix, k]],
      )
    const paths = [...flatten(r.config, []), ['tls', 'cert_file'], ['tls', 'key_file']]
    expect(paths.length).toBeGreaterThan(30) // the walk found the leaves
    for (const p of paths) expect(names).toContain(envVarName(p))
  })
})

describe('overrides', () => {
  test('MCP_ILERT_TCP_PORT and friends set typed values', () => {
    const { config, sources } = ok({
      MCP_ILERT_TCP_PORT: '9001',
      MCP_ILERT_TCP_ENABLED: 'false',
      MCP_ILERT_RATE_LIMIT_WINDOW_SECONDS: '0.5',
      MCP_ILERT_LOGGING_LEVEL: 'debug',
      MCP_ILERT_LISTEN_ADDRESS: ' 127.0.0.2 ',
    })
    expect(config.tcp.port).toBe(9001)
    expect(config.tcp.enabled).toBe(false)
    expect(config.rate_limit.window_seconds).toBe(0.5)
    expect(config.logging.level).toBe('debug')
    expect(config.listen.address).toBe('127.0.0.2')
    expect(sources.values['tcp.port']).toEqual({ kind: 'env', variable: 'MCP_ILERT_TCP_PORT' })
  })

  test('env beats the file', () => {
    const { config, sources } = ok({ MCP_ILERT_RATE_LIMIT_PER_MINUTE: '30', MCP_ILERT_LISTEN_PORT: '1234' }, tempFile(SEED_FULL))
    expect(config.rate_limit.per_minute).toBe(30)
    expect(config.listen.port).toBe(1234)
    expect(config.listen.address).toBe('0.0.0.0') // still from the file
    expect(sources.values['listen.address']).toEqual({ kind: 'file' })
  })

  test('ILERT_API_KEY, ILERT_INTEGRATION_KEY and ILERT_API_URL', () => {
    const { config, sources } = ok({ ILERT_API_KEY: 'api-secret', ILERT_INTEGRATION_KEY: 'il1int-secret', ILERT_API_URL: 'http://127.0.0.1:9' })
    expect(config.ilert.api_key).toBe('api-secret')
    expect(config.ilert.integration_key).toBe('il1int-secret')
    expect(config.ilert.api_url).toBe('http://127.0.0.1:9')
    expect(sources.values['ilert.integration_key']).toEqual({ kind: 'env', variable: 'ILERT_INTEGRATION_KEY' })
  })

  test('ILERT_API_KEY overrides the file', () => {
    expect(ok({ ILERT_API_KEY: 'from-env' }, tempFile(SEED_FULL)).config.ilert.api_key).toBe('from-env')
  })

  test('the MCP_ILERT_ name wins over the ilert convention, with a warning when they differ', () => {
    const r = ok({ ILERT_API_KEY: 'a', MCP_ILERT_ILERT_API_KEY: 'b' })
    expect(r.config.ilert.api_key).toBe('b')
    expect(r.warnings).toEqual(['both ILERT_API_KEY and MCP_ILERT_ILERT_API_KEY are set and differ; using MCP_ILERT_ILERT_API_KEY'])
  })

  test.each([
    ['true', true], ['TRUE', true], ['1', true], ['yes', true], ['on', true],
    ['false', false], ['0', false], ['no', false], ['Off', false],
  ])('boolean %s', (raw, expected) => {
    expect(ok({ MCP_ILERT_METRICS_ENABLED: raw }).config.metrics.enabled).toBe(expected)
  })

  test('empty variables count as unset', () => {
    const r = ok({ MCP_ILERT_LISTEN_PORT: '', ILERT_API_URL: '  ', MCP_ILERT_TCP_ENABLED: '' })
    expect(r.config.listen.port).toBe(8080)
    expect(r.sources.values).toEqual({})
  })

  test('maps take JSON and replace the whole map', () => {
    const { config } = ok({ MCP_ILERT_MAPPING_PRIORITY_MAP: '{"1":"critical","5":"info"}' })
    expect(config.mapping.priority_map).toEqual({ '1': 'critical', '5': 'info' })
  })

  test('unknown MCP_ILERT_ variables warn with a suggestion; others are ignored', () => {
    const r = ok({ MCP_ILERT_LISTEN_PROT: '1', PATH: '/bin', ILERT_SOMETHING: 'x' })
    expect(r.warnings).toEqual(['ignoring unknown environment variable MCP_ILERT_LISTEN_PROT (did you mean MCP_ILERT_LISTEN_PORT?)'])
  })

  test('process.env is never read by the loader', () => {
    process.env.MCP_ILERT_LISTEN_PORT = '4321'
    try {
      expect(ok({}).config.listen.port).toBe(8080)
    } finally {
      delete process.env.MCP_ILERT_LISTEN_PORT
    }
  })
})

describe('bad values name the variable', () => {
  test.each([
    [{ MCP_ILERT_TCP_PORT: 'eighty' }, 'MCP_ILERT_TCP_PORT: expected an integer for tcp.port (got "eighty")'],
    [{ MCP_ILERT_TCP_PORT: '80.5' }, 'MCP_ILERT_TCP_PORT: expected an integer for tcp.port (got "80.5")'],
    [{ MCP_ILERT_TCP_ENABLED: 'maybe' }, 'MCP_ILERT_TCP_ENABLED: expected true or false for tcp.enabled (got "maybe")'],
    [{ MCP_ILERT_ILERT_TIMEOUT_SECONDS: '5s' }, 'MCP_ILERT_ILERT_TIMEOUT_SECONDS: expected a number for ilert.timeout_seconds (got "5s")'],
    [{ MCP_ILERT_MAPPING_LEVELS: '[1]' }, 'MCP_ILERT_MAPPING_LEVELS: expected a JSON object, e.g. {"1":"critical"} for mapping.levels (got "[1]")'],
  ])('%j', (env, message) => {
    expect(errorOf(env)).toBe(message)
  })

  test('schema violations from env name the variable', () => {
    expect(errorOf({ MCP_ILERT_RATE_LIMIT_PER_KEY_PER_MINUTE: '0' })).toBe(
      'rate_limit.per_key_per_minute: must be >= 1 (got 0) (from MCP_ILERT_RATE_LIMIT_PER_KEY_PER_MINUTE)',
    )
    expect(errorOf({ MCP_ILERT_LOGGING_LEVEL: 'loud' })).toContain('(from MCP_ILERT_LOGGING_LEVEL)')
  })

  test('semantic errors from env name the variable', () => {
    expect(errorOf({ MCP_ILERT_MAPPING_PRIORITY_MAP: '{"1":"nope"}' })).toEndWith('(from MCP_ILERT_MAPPING_PRIORITY_MAP)')
    expect(errorOf({ MCP_ILERT_MAPPING_LEVELS: '{"x":{"priority":"LOW","severity":1,"extra":1}}' })).toBe(
      'unknown key "mapping.levels.x.extra" (from MCP_ILERT_MAPPING_LEVELS)',
    )
  })

  test('readEnv reports the first bad variable as an error outcome', () => {
    expect(readEnv({ MCP_ILERT_QUEUE_CAPACITY: 'lots' })).toEqual({
      kind: 'error',
      message: 'MCP_ILERT_QUEUE_CAPACITY: expected an integer for queue.capacity (got "lots")',
    })
  })
})
