// The mcp config section: list-typed keys from env (JSON lists, or a,b,c for lists of strings),
// secrets inside mcp.tokens masked and registered for redaction, errors that never echo a token.
import { describe, expect, test } from 'bun:test'
import { envTable } from '../../src/cli/help'
import { CONFIG_LEAVES } from '../../src/config/leaves'
import { loadConfig } from '../../src/config/load'
import { isSecretPath, maskConfig, secretValues } from '../../src/config/mask'
import { tempFile } from './fixtures'

const TOKEN = 'tok-0123456789abcdef-secret'

describe('mcp config', () => {
  test('leaves: lists are a leaf kind, and --help documents them', () => {
    const kinds = Object.fromEntries(CONFIG_LEAVES.filter((l) => l.path[0] === 'mcp').map((l) => [l.dotted, l.kind]))
    expect(kinds).toMatchObject({ 'mcp.allowed_origins': 'list', 'mcp.tokens': 'list', 'mcp.read_only': 'boolean', 'mcp.rest_per_minute': 'integer' })
    expect(envTable()).toContain('MCP_ILERT_MCP_ALLOWED_ORIGINS')
    expect(envTable()).toMatch(/mcp\.tokens \(JSON list, default \[\]; holds secrets\)/)
  })

  test('env: string lists as a,b,c or JSON; object lists as JSON only', () => {
    const r = loadConfig({ env: { MCP_ILERT_MCP_ALLOWED_ORIGINS: 'https://chatgpt.com, https://x.example', MCP_ILERT_MCP_ALLOWED_HOSTS: '["bridge.example.com"]', MCP_ILERT_MCP_TOKENS: `[{"token":"${TOKEN}","name":"cursor"}]` } })
    if (r.kind === 'error') throw new Error(r.message)
    expect(r.config.mcp.allowed_origins).toEqual(['https://chatgpt.com', 'https://x.example'])
    expect(r.config.mcp.allowed_hosts).toEqual(['bridge.example.com'])
    expect(r.config.mcp.tokens).toEqual([{ token: TOKEN, name: 'cursor' }])
    expect(loadConfig({ env: { MCP_ILERT_MCP_TOKENS: 'a,b' } })).toMatchObject({ kind: 'error' })
    expect(loadConfig({ env: { MCP_ILERT_MCP_ALLOWED_ORIGINS: '{"a":1}' } })).toMatchObject({ kind: 'error' })
  })

  test('tokens are secrets: masked, listed for redaction, never echoed in errors', () => {
    const r = loadConfig({ file: tempFile(`mcp:\n  tokens:\n    - token: ${TOKEN}\n      ilert_api_key: ilkey-abcdefgh\n`) })
    if (r.kind === 'error') throw new Error(r.message)
    const masked = JSON.stringify(maskConfig(r.config))
    expect(masked).not.toContain(TOKEN)
    expect(masked).not.toContain('ilkey-abcdefgh')
    expect(masked).toContain(`[set, ${TOKEN.length} chars]`)
    expect(secretValues(r.config)).toEqual(expect.arrayContaining([TOKEN, 'ilkey-abcdefgh']))
    expect(isSecretPath(['mcp', 'tokens', '0', 'token'])).toBe(true)
    expect(isSecretPath(['mcp', 'tokens', '0', 'name'])).toBe(false)
    const short = loadConfig({ file: tempFile('mcp:\n  tokens:\n    - token: short-secret\n') })
    expect(short).toMatchObject({ kind: 'error' })
    if (short.kind === 'error') {
      expect(short.message).toContain('mcp.tokens.0.token: must be at least 16 characters')
      expect(short.message).not.toContain('short-secret')
    }
    expect(loadConfig({ file: tempFile('mcp:\n  tokens:\n    - { token: 0123456789abcdef0, scope: all }\n') })).toMatchObject({ kind: 'error' })
  })
})
