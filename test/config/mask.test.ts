// Masking never reveals any part of a secret, and never touches the original config.
import { describe, expect, test } from 'bun:test'
import { loadConfig } from '../../src/config/load'
import { maskConfig, secretValues } from '../../src/config/mask'
import type { Config } from '../../src/config/schema'

function configWith(env: Record<string, string>): Config {
  const r = loadConfig({ env })
  if (r.kind === 'error') throw new Error(r.message)
  return r.config
}

const SECRETS = { MCP_ILERT_ILERT_API_KEY: 'api-key-0123456789abcdef', ILERT_INTEGRATION_KEY: 'il1int-secret-9876', MCP_ILERT_ILERT_WEBHOOK_KEY: 'abc' }

describe('maskConfig', () => {
  test('no secret, nor its tail, appears in the masked copy', () => {
    const masked = JSON.stringify(maskConfig(configWith(SECRETS)))
    for (const s of Object.values(SECRETS)) {
      expect(masked).not.toContain(s)
      expect(masked).not.toContain(s.slice(-4))
    }
  })

  test('set secrets show their length only; empty ones stay empty', () => {
    const m = maskConfig(configWith({ ILERT_API_KEY: 'api-key-0123456789abcdef' }))
    expect(m.ilert.api_key).toBe('[set, 24 chars]')
    expect(m.ilert.integration_key).toBe('')
    expect(m.ilert.webhook_key).toBe('')
  })

  test('returns a deep copy and leaves the original intact', () => {
    const config = configWith(SECRETS)
    const m = maskConfig(config)
    expect(config.ilert.api_key).toBe(SECRETS.MCP_ILERT_ILERT_API_KEY)
    m.mapping.levels.critical!.severity = 5
    expect(config.mapping.levels.critical!.severity).toBe(1)
    expect({ ...m, ilert: config.ilert }).toEqual({ ...config, mapping: m.mapping })
  })
})

describe('secretValues', () => {
  test('lists exactly the non-empty secrets', () => {
    expect(secretValues(configWith(SECRETS)).sort()).toEqual(Object.values(SECRETS).sort())
    expect(secretValues(configWith({}))).toEqual([])
  })
})
