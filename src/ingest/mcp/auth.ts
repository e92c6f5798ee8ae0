/**
 * Who is calling /mcp, and with which ilert user API key the tools act. Every caller presents a
 * credential the bridge verified before any tool runs, since `send_event` writes to ilert through
 * the bridge's own integration key:
 * - a bridge-issued token (mcp.tokens, constant-time compare), mapped to its configured ilert key;
 * - an ingest token (auth.tokens / admin_tokens), acting with ilert.api_key;
 * - with mcp.accept_ilert_keys, an ilert user API key that ilert itself confirmed (key-check.ts),
 *   so the agent has exactly that user's permissions, as ilert's hosted MCP server does it;
 * - an OAuth access token this bridge issued (oauth/), bound to this /mcp as its resource; it acts
 *   with the credential verified at sign-in, and an ilert key behind it is re-confirmed like above;
 * - with mcp.allow_anonymous, and only while auth.tokens is empty, no header at all (ilert.api_key).
 * Outcomes carry no key material beyond the resolved key itself, which only the REST client sends.
 */
import { sha256, timingSafeEqual } from '../../security/digest'
import type { TokenVerifier } from '../../security/tokens'
import type { KeyCheck } from './key-check'
import { PREFIX } from './oauth/secrets'
import type { TokenLookup } from './oauth/store'

export type Caller =
  | { kind: 'bridge_token'; name: string; ilertKey: string }
  | { kind: 'ingest_token'; name: string; ilertKey: string }
  | { kind: 'ilert_key'; ilertKey: string }
  | { kind: 'anonymous'; ilertKey: string }

export type DeniedReason = 'missing' | 'malformed' | 'unknown_token' | 'expired_token' | 'wrong_resource' | 'key_refused'

export type AuthOutcome =
  | { kind: 'ok'; caller: Caller }
  | { kind: 'denied'; reason: DeniedReason; message: string }
  /** The key could not be checked with ilert (unreachable, 5xx, budget): nothing runs; retry later. */
  | { kind: 'unverifiable'; message: string }

export interface AuthOptions {
  tokens: readonly { token: string; ilertKey: string; name: string }[]
  /** The HTTP ingest's tokens (auth.tokens, auth.admin_tokens). */
  ingestTokens: TokenVerifier
  acceptIlertKeys: boolean
  allowAnonymous: boolean
  /** ilert.api_key, used by anonymous callers and ingest tokens. */
  defaultIlertKey: string
  /** Asks ilert whether a presented user API key is valid (cached). */
  checkKey(ilertKey: string): Promise<KeyCheck>
  /** OAuth access tokens (when mcp.oauth is on), and the resource (this /mcp's URL) of a request. */
  oauth?: { lookup(token: string): TokenLookup; resourceOf(req: Request): string }
}

/** A credential a person may sign in with on the OAuth sign-in page: a bridge token or an ilert key. */
export type SignInOutcome =
  | { kind: 'ok'; caller: Extract<Caller, { kind: 'bridge_token' | 'ilert_key' }> }
  | { kind: 'denied'; message: string }
  | { kind: 'unverifiable'; message: string }

const digest = sha256

const REFUSED = 'ilert refused this API key (unknown, revoked or malformed), and it is no bridge token. Use a valid ilert user API key (ilert: Profile, API Keys).'

export function createAuthenticator(opts: AuthOptions) {
  const tokens = opts.tokens.map((t) => ({ ...t, digest: digest(t.token) }))
  // With ingest tokens configured the operator asked for authentication: no anonymous access.
  const anonymous = opts.allowAnonymous && !opts.ingestTokens.required

  const bridgeToken = (bearer: string) => {
    const presented = digest(bearer)
    let match: (typeof tokens)[number] | undefined
    for (const t of tokens) if (timingSafeEqual(t.digest, presented) && match === undefined) match = t // no early exit
    return match
  }

  const ilertKey = async (bearer: string): Promise<AuthOutcome> => {
    const check = await opts.checkKey(bearer)
    if (check.kind === 'confirmed') return { kind: 'ok', caller: { kind: 'ilert_key', ilertKey: bearer } }
    if (check.kind === 'refused') return { kind: 'denied', reason: 'key_refused', message: REFUSED }
    return { kind: 'unverifiable', message: `Could not check the API key with ilert right now: ${check.message}` }
  }

  const oauthToken = async (req: Request, bearer: string): Promise<AuthOutcome> => {
    const t = opts.oauth?.lookup(bearer) ?? { kind: 'unknown' as const }
    if (t.kind === 'expired') return { kind: 'denied', reason: 'expired_token', message: 'The access token expired: refresh it or sign in again.' }
    if (t.kind === 'unknown') return { kind: 'denied', reason: 'unknown_token', message: 'Unknown or revoked access token: sign in again.' }
    if (t.resource !== opts.oauth!.resourceOf(req)) return { kind: 'denied', reason: 'wrong_resource', message: 'The access token was issued for another resource.' }
    if (t.subject.kind === 'bridge_token') {
      const still = tokens.some((k) => k.name === (t.subject as { name: string }).name)
      if (!still) return { kind: 'denied', reason: 'unknown_token', message: 'The bridge token this access token was issued for is no longer configured: sign in again.' }
      return { kind: 'ok', caller: { kind: 'bridge_token', name: t.subject.name, ilertKey: t.ilertKey } }
    }
    // The ilert key behind the token is confirmed with ilert as a presented one is (cached 60 s).
    return ilertKey(t.ilertKey)
  }

  const authenticate = async (req: Request): Promise<AuthOutcome> => {
    const header = req.headers.get('authorization')
    if (header === null || header.trim() === '') {
      if (anonymous) return { kind: 'ok', caller: { kind: 'anonymous', ilertKey: opts.defaultIlertKey } }
      return { kind: 'denied', reason: 'missing', message: 'Missing Authorization header: send "Authorization: Bearer <ilert user API key or bridge token>", or sign in with OAuth.' }
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (m === null) return { kind: 'denied', reason: 'malformed', message: 'Malformed Authorization header: expected "Bearer <token>".' }
    const bearer = m[1]!
    const match = bridgeToken(bearer)
    if (match !== undefined) return { kind: 'ok', caller: { kind: 'bridge_token', name: match.name, ilertKey: match.ilertKey } }
    // Our own OAuth tokens are recognised by prefix and never sent to ilert as if they were keys.
    if (bearer.startsWith(PREFIX.access)) return oauthToken(req, bearer)
    if (opts.ingestTokens.required) {
      const t = opts.ingestTokens.check(bearer)
      if (t.kind === 'ok') return { kind: 'ok', caller: { kind: 'ingest_token', name: t.id, ilertKey: opts.defaultIlertKey } }
    }
    if (!opts.acceptIlertKeys || bearer.startsWith('mcpi_')) return { kind: 'denied', reason: 'unknown_token', message: 'Unknown bearer token.' }
    return ilertKey(bearer)
  }

  /** The sign-in page's check: a bridge token, or (with mcp.accept_ilert_keys) a key ilert confirms. */
  const signIn = async (credential: string): Promise<SignInOutcome> => {
    const match = bridgeToken(credential)
    if (match !== undefined) return { kind: 'ok', caller: { kind: 'bridge_token', name: match.name, ilertKey: match.ilertKey } }
    if (!opts.acceptIlertKeys || credential.startsWith('mcpi_')) return { kind: 'denied', message: 'This is not a bridge token of this server.' }
    const r = await ilertKey(credential)
    if (r.kind === 'ok') return { kind: 'ok', caller: r.caller as Extract<Caller, { kind: 'ilert_key' }> }
    return r.kind === 'denied' ? { kind: 'denied', message: 'ilert refused this API key (unknown, revoked or malformed), and it is no bridge token.' } : r
  }

  return Object.assign(authenticate, { signIn })
}

export type Authenticator = ReturnType<typeof createAuthenticator>

/**
 * The resolved caller as the SDK's AuthInfo, the one value it hands through to the per-request
 * server factory. `token` stays empty: the SDK never needs the credential, and tools reach ilert
 * only through the REST caller bound to `extra.caller`.
 */
export const authInfoFor = (caller: Caller) => ({ token: '', clientId: caller.kind, scopes: [] as string[], extra: { caller } })

export function callerOf(info: { extra?: Record<string, unknown> } | undefined): Caller {
  const caller = info?.extra?.caller as Caller | undefined
  // The route authenticates before the SDK runs; a request without a caller never reaches here.
  if (caller === undefined) throw new Error('MCP request without an authenticated caller')
  return caller
}
