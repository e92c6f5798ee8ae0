// TLS on the HTTP and TCP listeners from tls.cert_file/key_file, with a test CA made at test time
// (helpers/test-pki.ts, node:crypto only): TLS 1.2+ only (1.3 only with tls.min_version), mTLS
// for TCP with tls.client_ca_file, and certificate reload (App.reloadTls, what SIGHUP calls)
// without dropping open connections.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { App } from '../../src/app'
import { createMemoryLogger } from '../../src/observability/logger'
import { startStack, testConfig, type Stack } from '../helpers/harness'
import { ackOf, connectLines, errorsOf, tlsProbe } from './helpers/line-client'
import { makeTestPki, type TestPki } from './helpers/test-pki'

const TOKEN = 'tls-device-token-0123456789'
const ev = (n: number) => JSON.stringify({ summary: `tls ${n}`, alert_key: `tls-${n}` }) + '\n'
const auth = (t: string) => JSON.stringify({ auth: t }) + '\n'

let pki: TestPki
beforeAll(() => {
  pki = makeTestPki()
})

/** Copies of the server files the test may overwrite (reload), so other tests keep the originals. */
function serverFiles(tag: string) {
  const cert = join(pki.dir, `live-${tag}.crt`)
  const key = join(pki.dir, `live-${tag}.key`)
  copyFileSync(pki.serverCert, cert)
  copyFileSync(pki.serverKey, key)
  return { cert_file: cert, key_file: key }
}

describe('TLS listeners (HTTP and TCP) with tokens and a client CA', () => {
  let s: Stack
  let files: { cert_file: string; key_file: string }
  const ca = () => readFileSync(pki.caFile)
  const tcp = (extra: object = {}) => connectLines({ port: s.bound.tcp!.port, tls: { ca: ca(), ...extra } })

  beforeAll(async () => {
    files = serverFiles('a')
    s = await startStack({
      config: { tls: { ...files, client_ca_file: pki.caFile }, auth: { tokens: [TOKEN], failure_delay_max_seconds: 0.1 }, tcp: { auth_timeout_seconds: 1 } },
    })
  })
  afterAll(() => s.stop())

  test('HTTPS: the URL is https, the certificate verifies against the test CA, POST /events works with a token', async () => {
    expect(s.bound.http.url).toStartWith('https://')
    const r = await fetch(`${s.bound.http.url}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'over https', alert_key: 'https-1' }),
      tls: { ca: ca().toString() },
    } as RequestInit)
    expect(r.status).toBe(202)
    expect(await tlsProbe(s.bound.http.port, { ca: ca() })).toMatchObject({ ok: true, cn: 'bridge-1' })
  })

  test('only TLS 1.2 and 1.3 are accepted, on both listeners', async () => {
    for (const port of [s.bound.http.port, s.bound.tcp!.port]) {
      expect(await tlsProbe(port, { ca: ca(), minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).toMatchObject({ ok: false })
      expect(await tlsProbe(port, { ca: ca(), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toMatchObject({ ok: true, protocol: 'TLSv1.2' })
      expect(await tlsProbe(port, { ca: ca(), minVersion: 'TLSv1.3' })).toMatchObject({ ok: true, protocol: 'TLSv1.3' })
    }
  })

  test('mTLS: a client certificate signed by tls.client_ca_file needs no auth line', async () => {
    const c = await tcp({ cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) })
    c.write(ev(1) + ev(2))
    await c.waitFor('ack 2', (r) => (ackOf(r)?.ack ?? 0) >= 2)
    expect(ackOf(c.replies)).toEqual({ ack: 2, accepted: 2, rejected: 0 })
    c.end()
    expect(s.log.lines.some((l) => l.includes('cert:edge-device-7'))).toBe(true)
  })

  test('no client certificate: the auth line works, its absence is refused', async () => {
    const a = await tcp()
    a.write(auth(TOKEN) + ev(3))
    await a.waitFor('ack 2', (r) => (ackOf(r)?.ack ?? 0) >= 2)
    expect(ackOf(a.replies)).toEqual({ ack: 2, accepted: 1, rejected: 0 })
    a.end()
    const b = await tcp()
    b.write(ev(4))
    await b.waitForClose()
    expect(errorsOf(b.replies)).toEqual([expect.objectContaining({ line: 1, reason: 'unauthorized' })])
  })

  test('a certificate from another CA does not authenticate; refused as untrusted_certificate', async () => {
    const c = await tcp({ cert: readFileSync(pki.rogueCert), key: readFileSync(pki.rogueKey) })
    c.write(ev(5))
    await c.waitForClose()
    expect(errorsOf(c.replies)[0]).toMatchObject({ line: 1, reason: 'unauthorized' })
    expect(await s.metric('mcp_auth_failures_total', { transport: 'tcp', reason: 'untrusted_certificate' })).toBe(1)
  })

  test('a TLS connection that never handshakes is cut after tcp.auth_timeout_seconds', async () => {
    const { connect } = await import('node:net')
    const raw = connect(s.bound.tcp!.port, '127.0.0.1')
    const t0 = Date.now()
    const closed = await new Promise<number>((resolve) => raw.on('close', () => resolve(Date.now() - t0)))
    expect(closed).toBeLessThan(9000) // 1 s, on Bun's 4 s timer ticks
  })

  test('reload: new connections get the new certificate, an open connection keeps working', async () => {
    const live = await tcp({ cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) })
    live.write(ev(6))
    await live.waitFor('ack 1', (r) => ackOf(r)?.ack === 1)
    expect(live.peerCN()).toBe('bridge-1')
    copyFileSync(pki.server2Cert, files.cert_file)
    copyFileSync(pki.server2Key, files.key_file)
    expect(s.app.reloadTls()).toMatchObject({ kind: 'reloaded', subject: 'CN=bridge-2' })
    expect(await tlsProbe(s.bound.tcp!.port, { ca: ca() })).toMatchObject({ ok: true, cn: 'bridge-2' })
    expect(await tlsProbe(s.bound.http.port, { ca: ca() })).toMatchObject({ ok: true, cn: 'bridge-2' })
    live.write(ev(7))
    await live.waitFor('ack 2', (r) => ackOf(r)?.ack === 2)
    expect(live.closed).toBe(false)
    live.end()
    const r = await fetch(`${s.bound.http.url}/healthz`, { tls: { ca: ca().toString() } } as RequestInit)
    expect(r.status).toBe(200)
    expect(await s.metric('mcp_tls_reloads_total', { outcome: 'ok' })).toBe(1)
  })

  test('reload with a broken file keeps the current certificate and says which file', async () => {
    writeFileSync(files.key_file, 'not a key\n')
    const r = s.app.reloadTls()
    expect(r).toMatchObject({ kind: 'error' })
    if (r.kind === 'error') expect(r.message).toStartWith('tls.key_file:')
    expect(await tlsProbe(s.bound.http.port, { ca: ca() })).toMatchObject({ ok: true, cn: 'bridge-2' })
    expect(await s.metric('mcp_tls_reloads_total', { outcome: 'error' })).toBe(1)
  })
})

describe('tls.min_version and start-up checks', () => {
  test('TLSv1.3: TLS 1.2 clients are refused', async () => {
    const s = await startStack({ config: { tls: { ...serverFiles('b'), min_version: 'TLSv1.3' } } })
    try {
      for (const port of [s.bound.http.port, s.bound.tcp!.port]) {
        expect(await tlsProbe(port, { ca: readFileSync(pki.caFile), maxVersion: 'TLSv1.2' })).toMatchObject({ ok: false })
        expect(await tlsProbe(port, { ca: readFileSync(pki.caFile) })).toMatchObject({ ok: true, protocol: 'TLSv1.3' })
      }
    } finally {
      await s.stop()
    }
  })

  test('client_ca_file without tokens: TCP requires a client certificate', async () => {
    const s = await startStack({ config: { tls: { ...serverFiles('c'), client_ca_file: pki.caFile } } })
    try {
      const c = await connectLines({ port: s.bound.tcp!.port, tls: { ca: readFileSync(pki.caFile) } })
      c.write(auth('some-token-0123456789abc') + ev(8))
      await c.waitForClose()
      expect(errorsOf(c.replies)[0]).toMatchObject({ reason: 'unauthorized' })
    } finally {
      await s.stop()
    }
  })

  test('a key that does not match the certificate stops the start, naming the key', async () => {
    const app = new App(testConfig({ tls: { cert_file: pki.serverCert, key_file: pki.clientKey } }), { logger: createMemoryLogger(), registry: new Registry() })
    const err = await app.start().then(
      () => undefined,
      (e: Error) => e.message,
    )
    expect(err).toStartWith('tls.key_file:')
    expect(err).not.toContain('PRIVATE KEY')
  })
})

test('over TLS, a refused connection still receives its refusal line (sent after the handshake)', async () => {
  const s = await startStack({ config: { tls: serverFiles('d'), tcp: { max_connections_per_peer: 1 } } })
  try {
    const ca = readFileSync(pki.caFile)
    const a = await connectLines({ port: s.bound.tcp!.port, tls: { ca } })
    a.write(ev(9))
    await a.waitFor('ack', (r) => ackOf(r)?.ack === 1)
    const b = await connectLines({ port: s.bound.tcp!.port, tls: { ca } })
    await b.waitForClose()
    expect(b.replies).toEqual([{ error: { reason: 'too_many_connections_per_peer' } }])
    a.end()
  } finally {
    await s.stop()
  }
})
