/**
 * The few primitives the OAuth server needs, so no secret is ever kept in clear: random opaque
 * tokens with a prefix saying what they are (an `mcpi_at_` access token is never mistaken for an
 * ilert key and sent to ilert), SHA-256 digests as the only stored form of a token or code, the
 * PKCE S256 transform, and an AES-256-GCM box (a key made at start, held in memory only) for the
 * one secret that must be recovered: the ilert API key a token acts with.
 */
import { sha256Text, timingSafeEqual } from '../../../security/digest'

/** node:crypto for AES-GCM and random bytes, loaded on first use: a bundle hoists a static import into every start. */
const nodeCrypto = () => require('node:crypto') as typeof import('node:crypto')
const randomBytes = (n: number): Buffer => nodeCrypto().randomBytes(n)

export const PREFIX = { access: 'mcpi_at_', refresh: 'mcpi_rt_', code: 'mcpi_ac_', client: 'mcpi_client_', request: 'mcpi_req_' } as const

export const newToken = (prefix: string) => prefix + randomBytes(32).toString('base64url')

export const digest = (s: string) => sha256Text(s, 'base64url')

/** PKCE S256 (RFC 7636 §4.6), compared in constant time. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false
  const a = Buffer.from(sha256Text(verifier, 'base64url'))
  const b = Buffer.from(challenge)
  return a.length === b.length && timingSafeEqual(a, b)
}

export interface Sealed {
  iv: string
  data: string
  tag: string
}

export interface SecretBox {
  seal(clear: string): Sealed
  open(s: Sealed): string
}

export function createSecretBox(key: Buffer = randomBytes(32)): SecretBox {
  return {
    seal(clear) {
      const iv = randomBytes(12)
      const c = nodeCrypto().createCipheriv('aes-256-gcm', key, iv)
      const data = Buffer.concat([c.update(clear, 'utf8'), c.final()])
      return { iv: iv.toString('base64'), data: data.toString('base64'), tag: c.getAuthTag().toString('base64') }
    },
    open(s) {
      const d = nodeCrypto().createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'))
      d.setAuthTag(Buffer.from(s.tag, 'base64'))
      return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8')
    },
  }
}
