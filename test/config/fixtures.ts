/**
 * The seed README's two example configs, verbatim: they must always load. Kept here (not read from
 * the seed) so the tests run anywhere; seeds.test.ts checks these and examples/ against the seed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** "Quick start: minimal config" */
export const SEED_MINIMAL = `listen:
  address: 0.0.0.0
  port: 8080

ilert:
  api_key: "ILERT_API_KEY_GOES_HERE"
  api_url: "https://api.ilert.com"

mapping:
  priority_map:
    1: critical
    2: high
    3: medium
    4: low
`

/** "Example full config" */
export const SEED_FULL = `listen:
  address: 0.0.0.0
  port: 8080

tls:
  cert_file: /etc/ssl/certs/mcp.pem
  key_file: /etc/ssl/private/mcp.key

ilert:
  api_key: "XXXXXXXX-XXXXXXXX-XXXXXXXX"
  api_url: "https://api.ilert.com"
  webhook_key: "" # optional fallback

mapping:
  priority_map:
    1: critical
    2: high
    3: medium
    4: low

rate_limit:
  per_minute: 120

retries:
  max_attempts: 5
  base_interval_seconds: 2

logging:
  level: info

metrics:
  enabled: true
  listen_address: 0.0.0.0
  listen_port: 9090
`

/** Writes `text` to a fresh temp file and returns its path. */
export function tempFile(text: string, name = 'config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-test-'))
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

export const REPO_ROOT = join(import.meta.dir, '..', '..')
