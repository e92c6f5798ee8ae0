/**
 * Confirms that a bearer presented to /mcp as an ilert user API key is one ilert itself accepts,
 * before any tool runs: `GET /api/users/current` with that key through the REST client. Without
 * this, any string passed as a bearer would reach `send_event`, which writes through the bridge's
 * own integration key (an auth bypass the audit found). Answers are cached by the key's SHA-256
 * digest for a short time (a confirmed key for `okMs`, a refused one for `refusedMs`), so a busy
 * agent costs ilert one check per key and minute; failures to reach ilert are never cached.
 */
import { sha256Text } from '../../security/digest'
import type { IlertRest } from '../../ilert/rest-client'

export type KeyCheck = { kind: 'confirmed' } | { kind: 'refused' } | { kind: 'unverifiable'; message: string }

export interface KeyCheckOptions {
  okMs?: number
  refusedMs?: number
  /** Digests kept at most; the oldest is forgotten first. */
  maxEntries?: number
}

export function createKeyChecker(rest: IlertRest, opts: KeyCheckOptions = {}): (ilertKey: string) => Promise<KeyCheck> {
  const okMs = opts.okMs ?? 60_000
  const refusedMs = opts.refusedMs ?? 10_000
  const maxEntries = opts.maxEntries ?? 1_000
  const cache = new Map<string, { confirmed: boolean; until: number }>()
  return async (ilertKey) => {
    const id = sha256Text(ilertKey, 'base64')
    const now = Date.now()
    const hit = cache.get(id)
    if (hit !== undefined && hit.until > now) return hit.confirmed ? { kind: 'confirmed' } : { kind: 'refused' }
    const r = await rest.call<unknown>(ilertKey, { method: 'GET', path: '/users/current' })
    let confirmed: boolean
    if (r.kind === 'ok') confirmed = true
    else if (r.reason === 'key_error' || r.reason === 'unauthorized') confirmed = false
    else return { kind: 'unverifiable', message: r.message }
    cache.delete(id)
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!)
    cache.set(id, { confirmed, until: Date.now() + (confirmed ? okMs : refusedMs) })
    return confirmed ? { kind: 'confirmed' } : { kind: 'refused' }
  }
}
