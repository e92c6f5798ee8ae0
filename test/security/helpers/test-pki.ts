/**
 * A throwaway PKI made at test time with node:crypto alone (no openssl CLI, no npm package), so the
 * TLS and mTLS tests run on any machine that runs the suite: a CA, server certificates for
 * localhost/127.0.0.1, client certificates it signed, and a client certificate from a foreign CA.
 * X.509 v3 is built as DER by hand (the few ASN.1 types a certificate needs) and signed with
 * ECDSA P-256 / SHA-256.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// --- minimal DER ---
const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), len(body.length), body])
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c)
const set = (...c: Buffer[]) => tlv(0x31, ...c)
const int = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b)
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [a! * 40 + b!]
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f]
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80)
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))
const octets = (b: Buffer) => tlv(0x04, b)
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b)
const bool = () => tlv(0x01, Buffer.from([0xff]))
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c)
const time = (d: Date): Buffer => {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z' // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso))
}
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))))
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool()] : []), octets(value))

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'))
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'

export interface Issued {
  certPem: string
  keyPem: string
  key: KeyObject
  spki: Buffer
  subject: string
}

interface CertSpec {
  subject: string
  ca?: boolean
  usage?: 'server' | 'client'
  dns?: string[]
  ips?: string[]
  /** Signer; self-signed when absent. */
  issuer?: Issued
  notAfter?: Date
}

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`

export function issue(spec: CertSpec): Issued {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const keyId = createHash('sha1').update(spki).digest()
  const exts: Buffer[] = [
    ext('2.5.29.19', true, spec.ca ? seq(bool()) : seq()),
    ext('2.5.29.15', true, spec.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    ext('2.5.29.14', false, octets(keyId)),
  ]
  if (spec.issuer) exts.push(ext('2.5.29.35', false, seq(tlv(0x80, createHash('sha1').update(spec.issuer.spki).digest()))))
  if (spec.usage) exts.push(ext('2.5.29.37', false, seq(oid(spec.usage === 'server' ? SERVER_AUTH : CLIENT_AUTH))))
  const alt = [...(spec.dns ?? []).map((d) => tlv(0x82, Buffer.from(d))), ...(spec.ips ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number))))]
  if (alt.length > 0) exts.push(ext('2.5.29.17', false, seq(...alt)))
  const now = Date.now()
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ECDSA_SHA256,
    name(spec.issuer?.subject ?? spec.subject),
    seq(time(new Date(now - 3600_000)), time(spec.notAfter ?? new Date(now + 7 * 86400_000))),
    name(spec.subject),
    spki,
    explicit(3, seq(...exts)),
  )
  const signature = sign('sha256', tbs, spec.issuer?.key ?? privateKey)
  const certPem = pem('CERTIFICATE', seq(tbs, ECDSA_SHA256, bits(signature)))
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  return { certPem, keyPem, key: privateKey, spki, subject: spec.subject }
}

export interface TestPki {
  dir: string
  caFile: string
  /** Server certificate + key for localhost / 127.0.0.1, signed by the CA. */
  serverCert: string
  serverKey: string
  /** A second server certificate (different subject) for reload tests. */
  server2Cert: string
  server2Key: string
  clientCert: string
  clientKey: string
  /** A client certificate signed by another CA (must be refused). */
  rogueCert: string
  rogueKey: string
  ca: Issued
}

/** Writes a fresh CA, server and client certificates into a new temporary directory. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-pki-'))
  const write = (file: string, text: string) => {
    const p = join(dir, file)
    writeFileSync(p, text, { mode: 0o600 })
    return p
  }
  const ca = issue({ subject: 'mcp-ilert test CA', ca: true })
  const server = issue({ subject: 'bridge-1', usage: 'server', dns: ['localhost'], ips: ['127.0.0.1'], issuer: ca })
  const server2 = issue({ subject: 'bridge-2', usage: 'server', dns: ['localhost'], ips: ['127.0.0.1'], issuer: ca })
  const client = issue({ subject: 'edge-device-7', usage: 'client', issuer: ca })
  const otherCa = issue({ subject: 'some other CA', ca: true })
  const rogue = issue({ subject: 'rogue-device', usage: 'client', issuer: otherCa })
  // Sanity: node:crypto agrees the chain verifies, so a TLS failure is the bridge's, not the PKI's.
  if (!new X509Certificate(server.certPem).verify(createPublicKey(ca.key))) throw new Error('test PKI: server certificate does not verify')
  return {
    dir,
    ca,
    caFile: write('ca.crt', ca.certPem),
    serverCert: write('server.crt', server.certPem),
    serverKey: write('server.key', server.keyPem),
    server2Cert: write('server2.crt', server2.certPem),
    server2Key: write('server2.key', server2.keyPem),
    clientCert: write('client.crt', client.certPem),
    clientKey: write('client.key', client.keyPem),
    rogueCert: write('rogue.crt', rogue.certPem),
    rogueKey: write('rogue.key', rogue.keyPem),
  }
}
