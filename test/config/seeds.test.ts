// The seed README's example configs load verbatim, and examples/ holds exact copies of them.
import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load'
import { REPO_ROOT, SEED_FULL, SEED_MINIMAL, tempFile } from './fixtures'

const SEED_README = join(REPO_ROOT, '..', 'shared', 'seeds', 'mcp-ilert-bridge-readme.md')
const yamlBlocks = (md: string) => [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])

function mustLoad(text: string) {
  const r = loadConfig({ file: tempFile(text) })
  if (r.kind === 'error') throw new Error(r.message)
  return r
}

describe('seed configs', () => {
  test('quick-start minimal config loads with its values and defaults elsewhere', () => {
    const { config, sources } = mustLoad(SEED_MINIMAL)
    expect(config.listen).toMatchObject({ address: '0.0.0.0', port: 8080, max_body_bytes: 1_048_576 })
    expect(config.ilert.api_key).toBe('ILERT_API_KEY_GOES_HERE')
    expect(config.ilert.api_url).toBe('https://api.ilert.com')
    expect(config.mapping.priority_map).toEqual({ '1': 'critical', '2': 'high', '3': 'medium', '4': 'low' })
    expect(config.rate_limit.per_minute).toBe(600)
    expect(sources.values['ilert.api_url']).toEqual({ kind: 'file' })
  })

  test('full example config loads, including `webhook_key: "" # optional fallback`', () => {
    const { config } = mustLoad(SEED_FULL)
    expect(config.tls).toMatchObject({ cert_file: '/etc/ssl/certs/mcp.pem', key_file: '/etc/ssl/private/mcp.key' })
    expect(config.ilert.webhook_key).toBe('')
    expect(config.ilert.api_key).toBe('XXXXXXXX-XXXXXXXX-XXXXXXXX')
    expect(config.rate_limit.per_minute).toBe(120)
    expect(config.retries).toEqual({ max_attempts: 5, base_interval_seconds: 2, max_interval_seconds: 60 })
    expect(config.logging.level).toBe('info')
    expect(config.metrics).toMatchObject({ enabled: true, listen_address: '0.0.0.0', listen_port: 9090 })
  })

  test('examples/config.minimal.yaml and config.full.yaml are the seed configs verbatim', () => {
    expect(readFileSync(join(REPO_ROOT, 'examples', 'config.minimal.yaml'), 'utf8')).toBe(SEED_MINIMAL)
    expect(readFileSync(join(REPO_ROOT, 'examples', 'config.full.yaml'), 'utf8')).toBe(SEED_FULL)
  })

  test.skipIf(!existsSync(SEED_README))('the fixtures match the seed README itself', () => {
    expect(yamlBlocks(readFileSync(SEED_README, 'utf8'))).toEqual([SEED_MINIMAL, SEED_FULL])
  })
})
