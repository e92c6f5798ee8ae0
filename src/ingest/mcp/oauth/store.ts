/**
 * What the bridge's authorization server remembers, in memory (a restart signs every connector
 * out; it signs in again through the same flow): registered clients, pending sign-ins, codes,
 * access and refresh tokens. Codes and tokens are stored only by digest, the ilert key a grant acts
 * with only sealed (secrets.ts). Refresh tokens rotate: each use issues a new pair and retires the
 * old one; presenting a retired refresh token, or a code twice, revokes the whole grant (OAuth 2.1
 * §4.3.1, §6.1). Every map is bounded and swept of expired entries as it grows.
 */
import { digest, newToken, PREFIX, type Sealed, type SecretBox } from './secrets'

/** Who a grant acts as: the credential verified at sign-in, minus the credential itself. */
export type GrantSubject = { kind: 'ilert_key' } | { kind: 'bridge_token'; name: string }

export interface ClientRecord {
  clientId: string
  clientName: string
  redirectUris: string[]
  issuedAt: number
  /** True for a client ID metadata document (the client_id is its https URL). */
  metadataDocument: boolean
}

export interface PendingAuthorization {
  clientId: string
  redirectUri: string
  codeChallenge: string
  state: string | undefined
  resource: string
  scope: string | undefined
  expiresAt: number
}

interface Grant {
  id: string
  clientId: string
  resource: string
  subject: GrantSubject
  key: Sealed
  revoked: boolean
}

interface CodeRecord {
  grant: Grant
  redirectUri: string
  codeChallenge: string
  expiresAt: number
  used: boolean
}

interface TokenRecord {
  grant: Grant
  expiresAt: number
  retired?: boolean
}

export type TokenLookup =
  | { kind: 'ok'; clientId: string; resource: string; subject: GrantSubject; ilertKey: string; expiresAt: number }
  | { kind: 'expired' }
  | { kind: 'unknown' }

export interface IssuedTokens {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
  scope?: string
}

export interface StoreOptions {
  accessTtlMs: number
  refreshTtlMs: number
  codeTtlMs: number
  maxClients: number
  box: SecretBox
  now?: () => number
}

const MAX_ENTRIES = 50_000

function bounded<V extends { expiresAt: number }>(map: Map<string, V>, now: number) {
  if (map.size < MAX_ENTRIES) return
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k)
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!)
}

export function createOAuthStore(opts: StoreOptions) {
  const now = opts.now ?? Date.now
  const clients = new Map<string, ClientRecord>()
  const pending = new Map<string, PendingAuthorization>()
  const codes = new Map<string, CodeRecord>()
  const access = new Map<string, TokenRecord>()
  const refresh = new Map<string, TokenRecord>()

  const issue = (grant: Grant): IssuedTokens => {
    const t = now()
    const at = newToken(PREFIX.access)
    const rt = newToken(PREFIX.refresh)
    bounded(access, t)
    bounded(refresh, t)
    access.set(digest(at), { grant, expiresAt: t + opts.accessTtlMs })
    refresh.set(digest(rt), { grant, expiresAt: t + opts.refreshTtlMs })
    return { access_token: at, token_type: 'Bearer', expires_in: Math.floor(opts.accessTtlMs / 1000), refresh_token: rt }
  }

  return {
    registerClient(c: Omit<ClientRecord, 'issuedAt'>): ClientRecord {
      if (clients.size >= opts.maxClients) clients.delete(clients.keys().next().value!)
      const rec = { ...c, issuedAt: Math.floor(now() / 1000) }
      clients.set(c.clientId, rec)
      return rec
    },
    client: (id: string) => clients.get(id),

    /** A sign-in in progress: its id goes into the sign-in form (never the key into a URL). */
    beginAuthorization(p: Omit<PendingAuthorization, 'expiresAt'>): string {
      const id = newToken(PREFIX.request)
      bounded(pending, now())
      pending.set(digest(id), { ...p, expiresAt: now() + 10 * 60_000 })
      return id
    },
    pendingAuthorization(id: string): PendingAuthorization | undefined {
      const p = pending.get(digest(id))
      return p !== undefined && p.expiresAt > now() ? p : undefined
    },

    /** The sign-in succeeded: the pending request becomes a one-time code. */
    completeAuthorization(id: string, subject: GrantSubject, ilertKey: string): { code: string; pending: PendingAuthorization } | undefined {
      const p = pending.get(digest(id))
      pending.delete(digest(id))
      if (p === undefined || p.expiresAt <= now()) return undefined
      const grant: Grant = { id: newToken(''), clientId: p.clientId, resource: p.resource, subject, key: opts.box.seal(ilertKey), revoked: false }
      const code = newToken(PREFIX.code)
      bounded(codes, now())
      codes.set(digest(code), { grant, redirectUri: p.redirectUri, codeChallenge: p.codeChallenge, expiresAt: now() + opts.codeTtlMs, used: false })
      return { code, pending: p }
    },

    /** The code exchange (the caller has checked PKCE against `challenge`). */
    redeemCode(code: string, clientId: string, redirectUri: string, verify: (challenge: string) => boolean):
      | { kind: 'ok'; tokens: IssuedTokens; resource: string }
      | { kind: 'invalid_grant'; message: string } {
      const rec = codes.get(digest(code))
      if (rec === undefined) return { kind: 'invalid_grant', message: 'unknown authorization code' }
      if (rec.used) {
        rec.grant.revoked = true // a replayed code: whoever holds it, the grant is no longer trusted
        return { kind: 'invalid_grant', message: 'authorization code already used; the tokens issued for it are revoked' }
      }
      if (rec.expiresAt <= now()) return { kind: 'invalid_grant', message: 'authorization code expired' }
      if (rec.grant.clientId !== clientId) return { kind: 'invalid_grant', message: 'authorization code was issued to another client' }
      if (rec.redirectUri !== redirectUri) return { kind: 'invalid_grant', message: 'redirect_uri does not match the authorization request' }
      if (!verify(rec.codeChallenge)) return { kind: 'invalid_grant', message: 'code_verifier does not match the code_challenge (PKCE S256)' }
      rec.used = true
      return { kind: 'ok', tokens: issue(rec.grant), resource: rec.grant.resource }
    },

    /** Refresh with rotation: a retired refresh token presented again revokes the grant. */
    rotate(refreshToken: string, clientId: string): { kind: 'ok'; tokens: IssuedTokens } | { kind: 'invalid_grant'; message: string } {
      const rec = refresh.get(digest(refreshToken))
      if (rec === undefined || rec.grant.revoked) return { kind: 'invalid_grant', message: 'unknown or revoked refresh token' }
      if (rec.grant.clientId !== clientId) return { kind: 'invalid_grant', message: 'refresh token was issued to another client' }
      if (rec.retired) {
        rec.grant.revoked = true
        return { kind: 'invalid_grant', message: 'refresh token already used; the grant is revoked' }
      }
      if (rec.expiresAt <= now()) return { kind: 'invalid_grant', message: 'refresh token expired' }
      rec.retired = true
      return { kind: 'ok', tokens: issue(rec.grant) }
    },

    /** RFC 7009: revoking either token of a grant ends the grant. Unknown tokens are no error. */
    revoke(token: string): void {
      const rec = access.get(digest(token)) ?? refresh.get(digest(token))
      if (rec !== undefined) rec.grant.revoked = true
    },

    lookupAccess(token: string): TokenLookup {
      const rec = access.get(digest(token))
      if (rec === undefined || rec.grant.revoked) return { kind: 'unknown' }
      if (rec.expiresAt <= now()) {
        access.delete(digest(token))
        return { kind: 'expired' }
      }
      return { kind: 'ok', clientId: rec.grant.clientId, resource: rec.grant.resource, subject: rec.grant.subject, ilertKey: opts.box.open(rec.grant.key), expiresAt: rec.expiresAt }
    },
  }
}

export type OAuthStore = ReturnType<typeof createOAuthStore>
