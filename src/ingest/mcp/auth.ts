/**
 * Who is calling /mcp, and with which ilert user API key the tools act. As ilert's hosted MCP
 * server does it, `Authorization: Bearer <ilert user API key>` is passed through, so the agent has
 * exactly that user's ilert permissions (ilert refuses a bad key with 403 KEY_ERROR, which the
 * tools report). A bearer that matches one of mcp.tokens (compared in constant time) is a
 * bridge-issued token instead, mapped to its configured ilert key, for clients that should not
 * hold one. mcp.allow_anonymous lets requests without a header use ilert.api_key. Outcomes carry
 * no key material beyond the resolved key itself, which only the REST client ever sends.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export type Caller =
  | { kind: 'bridge_token'; name: string; ilertKey: string }
  | { kind: 'ilert_key'; ilertKey: string }
  | { kind: 'anonymous'; ilertKey: string }

export type AuthOutcome = { kind: 'ok'; caller: Caller } | { kind: 'denied'; reason: 'missing' | 'malformed' | 'unknown_token'; message: string }

export interface AuthOptions {
  tokens: readonly { token: string; ilertKey: string; name: string }[]
  acceptIlertKeys: boolean
  allowAnonymous: boolean
  /** ilert.api_key, used by anonymous callers. */
  defaultIlertKey: string
}

const digest = (s: string) => createHash('sha256').update(s).digest()

export function createAuthenticator(opts: AuthOptions): (req: Request) => AuthOutcome {
  const tokens = opts.tokens.map((t) => ({ ...t, digest: digest(t.token) }))
  return (req) => {
    const header = req.headers.get('authorization')
    if (header === null || header.trim() === '') {
      if (opts.allowAnonymous) return { kind: 'ok', caller: { kind: 'anonymous', ilertKey: opts.defaultIlertKey } }
      return { kind: 'denied', reason: 'missing', message: 'Missing Authorization header: send "Authorization: Bearer <ilert user API key or bridge token>".' }
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (m === null) return { kind: 'denied', reason: 'malformed', message: 'Malformed Authorization header: expected "Bearer <token>".' }
    const presented = digest(m[1]!)
    let match: (typeof tokens)[number] | undefined
    for (const t of tokens) if (timingSafeEqual(t.digest, presented) && match === undefined) match = t // no early exit
    if (match !== undefined) return { kind: 'ok', caller: { kind: 'bridge_token', name: match.name, ilertKey: match.ilertKey } }
    if (opts.acceptIlertKeys) return { kind: 'ok', caller: { kind: 'ilert_key', ilertKey: m[1]! } }
    return { kind: 'denied', reason: 'unknown_token', message: 'Unknown bearer token.' }
  }
}
