// The real bridge process, as a user runs it: the start warnings (exposure, a world-readable
// config holding secrets), --check-config's report, SIGHUP reloading the certificate while a TCP
// connection stays open, and not one configured or presented secret in any output.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig, type BridgeProcess } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'
import { ackOf, connectLines, errorsOf, tlsProbe } from './helpers/line-client'
import { makeTestPki, type TestPki } from './helpers/test-pki'

const ROOT = join(import.meta.dir, '..', '..')
const SECRETS = {
  integration: 'il1api-process-secret-0001',
  apiKey: 'ilert-user-key-process-0002',
  token: 'process-ingest-token-0003',
  admin: 'process-admin-token-00004',
  metrics: 'process-metrics-token-0005',
}
const GUESS = 'process-guess-token-000006'

let pki: TestPki
let dir: string
let sim: ReturnType<typeof createSimulator>
let simUrl: string

beforeAll(async () => {
  pki = makeTestPki()
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-proc-'))
  sim = createSimulator({ address: '127.0.0.1', port: 0 })
  simUrl = (await sim.start()).url
})
afterAll(async () => {
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
})

function configYaml(listen = '127.0.0.1') {
  return `listen:
  address: ${listen}
  port: 0
tcp:
  port: 0
  auth_timeout_seconds: 2
tls:
  cert_file: ${join(dir, 'server.crt')}
  key_file: ${join(dir, 'server.key')}
  client_ca_file: ${pki.caFile}
ilert:
  api_url: ${simUrl}
  api_key: ${SECRETS.apiKey}
  integration_key: ${SECRETS.integration}
auth:
  tokens: [${SECRETS.token}]
  admin_tokens: [${SECRETS.admin}]
  failure_delay_max_seconds: 0.2
metrics:
  listen_port: 0
  token: ${SECRETS.metrics}
queue:
  path: ${join(dir, 'queue')}
`
}

const run = (args: string[]) => {
  const r = Bun.spawnSync([process.execPath, join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

const expectNoSecret = (text: string, where: string) => {
  for (const s of [...Object.values(SECRETS), GUESS]) if (text.includes(s)) throw new Error(`${where} contains a secret (${s.slice(0, 8)}...)`)
}

describe('--check-config', () => {
  test('masks every secret, and warns about a world-readable file holding them', () => {
    copyFileSync(pki.serverCert, join(dir, 'server.crt'))
    copyFileSync(pki.serverKey, join(dir, 'server.key'))
    const file = writeConfig(dir, configYaml())
    chmodSync(file, 0o644)
    const r = run(['--check-config', file])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('holds secrets (ilert.api_key, ilert.integration_key, metrics.token, auth.tokens, auth.admin_tokens) and every local user can read it (mode 0644)')
    expect(r.stdout).toContain('[set, 25 chars]')
    expectNoSecret(r.stdout + r.stderr, '--check-config output')
    chmodSync(file, 0o600)
    expect(run(['--check-config', file]).stderr).not.toContain('every local user can read it')
  })

  test('binding beyond loopback without tokens warns, and still validates', () => {
    const file = writeConfig(dir, 'listen:\n  address: 0.0.0.0\ntcp:\n  address: 0.0.0.0\n')
    const r = run(['--check-config', file])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('warning: listen.address is 0.0.0.0, not a loopback address, and auth.tokens is empty')
    expect(r.stderr).toContain('warning: tcp.address is 0.0.0.0')
  })
})

describe('a running bridge with TLS, tokens and a metrics token', () => {
  let b: BridgeProcess
  beforeAll(async () => {
    copyFileSync(pki.serverCert, join(dir, 'server.crt'))
    copyFileSync(pki.serverKey, join(dir, 'server.key'))
    const file = writeConfig(dir, configYaml())
    chmodSync(file, 0o644)
    b = await startBridge(file)
  })
  afterAll(async () => {
    if (b.proc.exitCode === null) await b.kill('SIGKILL')
  })

  test('logs the world-readable warning at start', () => {
    expect(b.stderr()).toContain('every local user can read it')
  })

  test('SIGHUP swaps the certificate; an open TCP connection keeps going; no secret in any output', async () => {
    const ca = readFileSync(pki.caFile)
    const port = new URL(b.httpUrl).port
    // Some traffic, good and bad, so the logs have something to leak if they would.
    const bad = await fetch(`${b.httpUrl}/events`, { method: 'POST', headers: { authorization: `Bearer ${GUESS}` }, body: '{}', tls: { ca: ca.toString() } } as RequestInit)
    expect(bad.status).toBe(401)
    expectNoSecret(await bad.text(), 'a 401 body')
    const live = await connectLines({ port: b.tcpPort, tls: { ca } })
    live.write(JSON.stringify({ auth: SECRETS.token }) + '\n' + JSON.stringify({ summary: 'before reload', alert_key: 'proc-1' }) + '\n')
    await live.waitFor('ack 2', (r) => ackOf(r)?.ack === 2)
    const guess = await connectLines({ port: b.tcpPort, tls: { ca } })
    guess.write(JSON.stringify({ auth: GUESS }) + '\n')
    await guess.waitForClose()
    expect(errorsOf(guess.replies)[0]?.reason).toBe('unauthorized')

    expect(await tlsProbe(Number(port), { ca })).toMatchObject({ ok: true, cn: 'bridge-1' })
    copyFileSync(pki.server2Cert, join(dir, 'server.crt'))
    copyFileSync(pki.server2Key, join(dir, 'server.key'))
    b.proc.kill('SIGHUP')
    await waitFor('reload logged', () => b.stderr().includes('TLS certificates reloaded.'))
    expect(await tlsProbe(Number(port), { ca })).toMatchObject({ ok: true, cn: 'bridge-2' })
    expect(await tlsProbe(b.tcpPort, { ca })).toMatchObject({ ok: true, cn: 'bridge-2' })
    live.write(JSON.stringify({ summary: 'after reload', alert_key: 'proc-2' }) + '\n')
    await live.waitFor('ack 3', (r) => ackOf(r)?.ack === 3)
    live.end()

    const metricsUrl = JSON.parse(b.stderr().split('\n').find((l) => l.includes('"mcp-ilert started."'))!).metrics as string
    expect((await fetch(metricsUrl)).status).toBe(401)
    const exposition = await (await fetch(metricsUrl, { headers: { authorization: `Bearer ${SECRETS.metrics}` } })).text()
    expectNoSecret(exposition, '/metrics')
    expect(exposition).toContain('mcp_tls_reloads_total{outcome="ok"} 1')

    await waitFor('delivered', () => sim.alerts().some((a) => a.summary === 'after reload'))
    expect(await b.kill('SIGTERM')).toBe(0)
    expectNoSecret(b.stderr(), 'the bridge log')
  }, 30_000)
})
