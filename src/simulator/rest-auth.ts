/**
 * ilert's REST authentication and per-key budget, in front of every simulated REST route:
 * no Authorization header → 401; an unknown, revoked or malformed key (including a missing
 * "Bearer " prefix) → 403 KEY_ERROR, which a client keyed on 401 would never see (ilert's SKILL
 * notes); over `restPerKey` calls in a fixed window → 429 without Retry-After, as ilert.
 * With `openReads`, GETs without any header are allowed (the README's curl quick start and older
 * tests); a header that is present is still checked.
 */
import type { SimContext } from './context'
import { ilertError } from './http'
import { countRequest, newWindowCounter, overLimit, type WindowCounter } from './rate-limit'
import { API_KEYS, USERS, type SeedUser } from './seed-org'

export type RestCaller = { kind: 'user'; user: SeedUser } | { kind: 'anonymous' }

export type AuthOutcome = { kind: 'ok'; caller: RestCaller } | { kind: 'denied'; response: Response }

/** Per-key fixed-window counters (keys of this simulator only, so the map stays small). */
export class RestBudgets {
  private readonly counters = new Map<string, WindowCounter>()
  /** Calls counted, all keys together (tests measure what a tool costs in REST calls). */
  total = 0
  count(key: string, now: number, windowMs: number): number {
    this.total++
    let c = this.counters.get(key)
    if (c === undefined) this.counters.set(key, (c = newWindowCounter()))
    return countRequest(c, now, windowMs)
  }
  /** Most calls any key made in one window (tests prove a client stayed under the budget). */
  maxInWindow(): number {
    let max = 0
    for (const c of this.counters.values()) max = Math.max(max, c.maxInWindow)
    return max
  }
  clear(): void {
    this.counters.clear()
    this.total = 0
  }
}

export function authenticate(ctx: SimContext, req: Request): AuthOutcome {
  const header = req.headers.get('authorization')
  if (header === null || header.trim() === '') {
    if (ctx.config.openReads && req.method === 'GET') return { kind: 'ok', caller: { kind: 'anonymous' } }
    return { kind: 'denied', response: ilertError(401, 'Missing Authorization header; send "Authorization: Bearer <API key>"') }
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  const userId = m === null ? undefined : API_KEYS[m[1]!]
  const user = userId === undefined ? undefined : USERS.find((u) => u.id === userId)
  if (m === null || user === undefined) return { kind: 'denied', response: ilertError(403, 'The API key is unknown, revoked or malformed') }
  const now = ctx.config.now()
  if (overLimit(ctx.restBudgets.count(m[1]!, now, ctx.config.windowMs), ctx.config.restPerKey)) return { kind: 'denied', response: ilertError(429) }
  return { kind: 'ok', caller: { kind: 'user', user } }
}

/** Wraps a REST handler with authentication. */
export function authed(ctx: SimContext, handler: (req: Request, caller: RestCaller) => Response | Promise<Response>) {
  return (req: Request): Response | Promise<Response> => {
    const a = authenticate(ctx, req)
    return a.kind === 'denied' ? a.response : handler(req, a.caller)
  }
}
