// The MQTT and NATS clients' CA, certificate and key files are checked before the start, like
// tls.*: a missing or wrong one is named by its key (it was "ENOENT ... open '/x'" or "Invalid CA"
// from inside the client, naming no key, after the listeners were already bound).
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load'
import { preflight } from '../../src/config/preflight'
import { tempFile } from './fixtures'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-preflight-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const garbage = join(dir, 'garbage.pem')
writeFileSync(garbage, 'not a certificate\n')
const pem = join(dir, 'ca.pem')
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')

function errorsOf(yaml: string): string[] {
  const r = loadConfig({ file: tempFile(`ilert:\n  integration_key: il1api-preflight\nqueue:\n  durable: false\n${yaml}`) })
  if (r.kind === 'error') throw new Error(r.message)
  return preflight(r.config, { embedded: false })
    .filter((p) => p.severity === 'error')
    .map((p) => p.message)
}

describe('client files', () => {
  test('mqtt.ca_file: missing, not PEM, and fine', () => {
    const mqtt = (ca: string) => `mqtt:\n  url: mqtts://broker:8883\n  topics: [a/b]\n  ca_file: ${ca}\n`
    expect(errorsOf(mqtt('/nonexistent/ca.pem'))).toEqual(['mqtt.ca_file: cannot use /nonexistent/ca.pem (no such file or directory)'])
    expect(errorsOf(mqtt(garbage))).toEqual([`mqtt.ca_file: cannot use ${garbage} (it holds no PEM certificate: no "-----BEGIN CERTIFICATE-----" line)`])
    expect(errorsOf(mqtt(pem))).toEqual([])
  })

  test('mqtt.ca_file is not looked at while MQTT is off', () => {
    expect(errorsOf('mqtt:\n  ca_file: /nonexistent/ca.pem\n')).toEqual([])
  })

  test('nats.tls_* with queue.backend: nats, every problem at once', () => {
    const nats = `queue:\n  backend: nats\nnats:\n  servers: tls://127.0.0.1:4222\n  tls_ca_file: ${garbage}\n  tls_cert_file: /nonexistent/c.pem\n  tls_key_file: /nonexistent/k.pem\n`
    const r = loadConfig({ file: tempFile(`ilert:\n  integration_key: il1api-preflight\n${nats}`) })
    if (r.kind === 'error') throw new Error(r.message)
    expect(preflight(r.config, { embedded: false }).filter((p) => p.severity === 'error').map((p) => p.key)).toEqual(['nats.tls_ca_file', 'nats.tls_cert_file', 'nats.tls_key_file'])
  })
})
