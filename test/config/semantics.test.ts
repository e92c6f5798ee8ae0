// What the loader accepts beyond the basics: integer YAML keys, map replacement, tls pairs, warnings.
import { describe, expect, test } from 'bun:test'
import { loadConfig } from '../../src/config/load'
import { isLoopback } from '../../src/config/semantic'
import { tempFile } from './fixtures'

function ok(text: string) {
  const r = loadConfig({ file: tempFile(text) })
  if (r.kind === 'error') throw new Error(r.message)
  return r
}

describe('accepted configs', () => {
  test('integer and quoted priority keys both work', () => {
    const { config } = ok('mapping:\n  priority_map:\n    1: critical\n    "2": high\n    10: low\n')
    expect(config.mapping.priority_map).toEqual({ '1': 'critical', '2': 'high', '10': 'low' })
  })

  test('a written priority_map replaces the default map instead of merging into it', () => {
    const { config } = ok('mapping:\n  priority_map:\n    1: critical\n')
    expect(config.mapping.priority_map).toEqual({ '1': 'critical' })
  })

  test('a written levels map replaces the defaults', () => {
    const { config } = ok(
      'mapping:\n  priority_map: { 1: page }\n  default_level: page\n  levels:\n    page: { priority: HIGH, severity: 1 }\n',
    )
    expect(config.mapping.levels).toEqual({ page: { priority: 'HIGH', severity: 1 } })
  })

  test('tls: both files set, or both empty meaning not set', () => {
    expect(ok('tls:\n  cert_file: /c.pem\n  key_file: /k.pem\n').config.tls).toEqual({ cert_file: '/c.pem', key_file: '/k.pem', min_version: 'TLSv1.2' })
    const empty = ok('tls:\n  cert_file: ""\n  key_file: ""\n').config.tls
    expect('cert_file' in empty || 'key_file' in empty).toBe(false)
  })

  test('max_interval_seconds equal to base_interval_seconds is fine', () => {
    expect(ok('retries:\n  base_interval_seconds: 5\n  max_interval_seconds: 5\n').config.retries.max_interval_seconds).toBe(5)
  })
})

describe('warnings', () => {
  test('non-loopback listen.address and tcp.address without auth.tokens warn that anyone can submit events', () => {
    const { warnings } = ok('listen:\n  address: 0.0.0.0\ntcp:\n  address: "::"\n')
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toStartWith('listen.address is 0.0.0.0, not a loopback address')
    expect(warnings[1]).toStartWith('tcp.address is ::, not a loopback address')
    for (const w of warnings) expect(w).toContain('auth.tokens is empty')
  })

  test('a disabled TCP listener does not warn', () => {
    expect(ok('tcp:\n  enabled: false\n  address: 0.0.0.0\n').warnings).toEqual([])
  })

  test('placeholder keys from the examples warn, without echoing them', () => {
    const { warnings } = ok('ilert:\n  api_key: "ILERT_API_KEY_GOES_HERE"\n  integration_key: real-looking-key-123\n')
    expect(warnings).toContain('ilert.api_key looks like a placeholder from an example config; ilert will reject it')
    for (const w of warnings) expect(w).not.toContain('real-looking-key-123')
  })

  test('per-key cap above the global cap warns', () => {
    expect(ok('rate_limit:\n  per_minute: 10\n  per_key_per_minute: 20\n').warnings[0]).toContain('exceeds rate_limit.per_minute')
  })

  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
  ])('isLoopback(%s) = %p', (address, expected) => {
    expect(isLoopback(address)).toBe(expected)
  })
})
