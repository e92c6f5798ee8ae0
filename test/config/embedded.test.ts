// When does the app run against the bundled simulator instead of ilert?
import { describe, expect, test } from 'bun:test'
import { loadConfig, usesEmbeddedSimulator } from '../../src/config/load'
import { SEED_FULL, SEED_MINIMAL, tempFile } from './fixtures'

function embedded(text: string | undefined, env: Record<string, string> = {}): boolean {
  const r = loadConfig({ env, ...(text !== undefined ? { file: tempFile(text) } : {}) })
  if (r.kind === 'error') throw new Error(r.message)
  return usesEmbeddedSimulator(r.config, r.sources)
}

describe('usesEmbeddedSimulator', () => {
  test('no config at all: simulator', () => expect(embedded(undefined)).toBe(true))
  test('file without keys or URL: simulator', () => expect(embedded('listen:\n  port: 1\n')).toBe(true))
  test('empty keys in the file still mean no key', () => expect(embedded('ilert:\n  api_key: ""\n  webhook_key: ""\n')).toBe(true))
  test.each([
    ['ILERT_API_KEY'],
    ['ILERT_INTEGRATION_KEY'],
    ['MCP_ILERT_ILERT_WEBHOOK_KEY'],
  ])('a key from %s: real ilert', (name) => expect(embedded(undefined, { [name]: 'k' })).toBe(false))
  test('a key in the file: real ilert', () => expect(embedded('ilert:\n  integration_key: il1x\n')).toBe(false))
  test('api_url set in the file (even to the default): real ilert', () => expect(embedded('ilert:\n  api_url: https://api.ilert.com\n')).toBe(false))
  test('api_url from ILERT_API_URL: real ilert', () => expect(embedded(undefined, { ILERT_API_URL: 'http://localhost:1' })).toBe(false))
  test('both seed configs: real ilert', () => {
    expect(embedded(SEED_MINIMAL)).toBe(false)
    expect(embedded(SEED_FULL)).toBe(false)
  })
  test('decides from sources, not from the URL value', () => {
    const r = loadConfig({})
    if (r.kind === 'error') throw new Error(r.message)
    expect(usesEmbeddedSimulator(r.config, { values: { 'ilert.api_url': { kind: 'file' } } })).toBe(false)
    expect(usesEmbeddedSimulator(r.config, { values: {} })).toBe(true)
  })
})
