/**
 * Inbound bearer tokens (auth.tokens, auth.tokens_file, auth.admin_tokens). Presented values are
 * compared in constant time against every configured token, with no early exit, so the answer
 * time says nothing about how close a guess was. A match is known by a non-secret id ("token-2",
 * "admin-1": the position in its list), which is what logs and audit lines carry.
 */
import { sha256, timingSafeEqual } from './digest'

export type TokenCheck = { kind: 'ok'; id: string; admin: boolean } | { kind: 'invalid' }

export interface TokenVerifier {
  /** True when any token is configured: every guarded request and TCP connection must authenticate. */
  readonly required: boolean
  /** True when admin_tokens is set: the admin API takes only those. */
  readonly adminRestricted: boolean
  check(presented: string): TokenCheck
}

const digest = sha256

export function createTokenVerifier(tokens: readonly string[], adminTokens: readonly string[] = []): TokenVerifier {
  const adminRestricted = adminTokens.length > 0
  const entries = [
    ...tokens.map((t, i) => ({ digest: digest(t), id: `token-${i + 1}`, admin: !adminRestricted })),
    ...adminTokens.map((t, i) => ({ digest: digest(t), id: `admin-${i + 1}`, admin: true })),
  ]
  return {
    required: entries.length > 0,
    adminRestricted,
    check(presented) {
      // Hashing first makes every comparison the same length, whatever was presented.
      const p = digest(presented)
      let match: (typeof entries)[number] | undefined
      for (const e of entries) if (timingSafeEqual(e.digest, p) && match === undefined) match = e
      return match === undefined ? { kind: 'invalid' } : { kind: 'ok', id: match.id, admin: match.admin }
    },
  }
}

export type BearerResult = { kind: 'ok'; token: string } | { kind: 'missing' } | { kind: 'malformed' }

/** Extracts the token from `Authorization: Bearer <token>` (scheme case-insensitive). */
export function parseBearer(header: string | null): BearerResult {
  if (header === null || header.trim() === '') return { kind: 'missing' }
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m === null ? { kind: 'malformed' } : { kind: 'ok', token: m[1]! }
}
