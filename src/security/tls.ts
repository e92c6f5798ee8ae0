/**
 * TLS material for the HTTP and TCP listeners, read from tls.cert_file / tls.key_file (and
 * tls.client_ca_file for TCP client certificates). Files are read and checked here, at start and
 * on every SIGHUP, so a broken file is reported by key name and a reload with a bad certificate
 * keeps the old one. Protocol floor: TLS 1.2 (Bun's own floor too); tls.min_version TLSv1.3 turns
 * 1.2 off as well. No private key material ever reaches a log or an error message.
 */
import type { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema'

/** Options both Bun.serve and Bun.listen take. */
export interface TlsOptions {
  cert: string
  key: string
  secureOptions?: number
  ca?: string
  requestCert?: boolean
  rejectUnauthorized?: boolean
}

export interface TlsMaterial {
  /** For the HTTP listener (no client certificates). */
  http: TlsOptions
  /** For the TCP listener: asks for a client certificate when tls.client_ca_file is set, never requires one. */
  tcp: TlsOptions
  /** Subject and expiry of the served certificate, for logs. */
  subject: string
  notAfter: string
}

export type TlsLoad = { kind: 'off' } | { kind: 'ok'; material: TlsMaterial } | { kind: 'error'; message: string }

/** node:crypto, loaded only when TLS is configured (it costs about 6 ms of every cold start). */
const nodeCrypto = () => require('node:crypto') as typeof import('node:crypto')

// BoringSSL still honours the SSL_OP_NO_* bits; Bun exposes no minVersion for servers.
const noTls12 = () => (nodeCrypto().constants as unknown as Record<string, number | undefined>).SSL_OP_NO_TLSv1_2 ?? 0x08000000

function read(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new TlsFileError(`${key}: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'error'}`)
  }
}

class TlsFileError extends Error {}

export function loadTls(cfg: Config['tls']): TlsLoad {
  if (!cfg.cert_file || !cfg.key_file) return { kind: 'off' }
  const { X509Certificate, createPrivateKey } = nodeCrypto()
  try {
    const cert = read('tls.cert_file', cfg.cert_file)
    const key = read('tls.key_file', cfg.key_file)
    let x509: X509Certificate
    try {
      x509 = new X509Certificate(cert)
    } catch {
      return { kind: 'error', message: `tls.cert_file: ${cfg.cert_file} holds no PEM certificate` }
    }
    let privateKey: ReturnType<typeof createPrivateKey>
    try {
      privateKey = createPrivateKey(key)
    } catch {
      return { kind: 'error', message: `tls.key_file: ${cfg.key_file} holds no readable (unencrypted PEM) private key` }
    }
    if (!x509.checkPrivateKey(privateKey)) return { kind: 'error', message: `tls.key_file: ${cfg.key_file} does not belong to the certificate in ${cfg.cert_file}` }
    const secureOptions = cfg.min_version === 'TLSv1.3' ? noTls12() : undefined
    const http: TlsOptions = { cert, key, ...(secureOptions !== undefined ? { secureOptions } : {}) }
    let tcp: TlsOptions = http
    if (cfg.client_ca_file) {
      const ca = read('tls.client_ca_file', cfg.client_ca_file)
      try {
        new X509Certificate(ca)
      } catch {
        return { kind: 'error', message: `tls.client_ca_file: ${cfg.client_ca_file} holds no PEM certificate` }
      }
      // Asked for, checked, but not required: a client without one authenticates with its auth line.
      tcp = { ...http, ca, requestCert: true, rejectUnauthorized: false }
    }
    return { kind: 'ok', material: { http, tcp, subject: x509.subject.replace(/\n/g, ', '), notAfter: x509.validTo } }
  } catch (e) {
    if (e instanceof TlsFileError) return { kind: 'error', message: e.message }
    throw e
  }
}
