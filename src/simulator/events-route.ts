/**
 * POST /api/events (and the legacy /api/v1/events): the hot path. Per request, in this order:
 *   1. count it (`received`; per key, its fixed rate-limit window: every request naming a key
 *      counts, whatever it is answered, as ilert counts requests, not successes);
 *   2. down period → 503; connection reset (resetRatio); forced status (forceStatus, optionally
 *      only for the alert keys in forceStatusKeys);
 *   3. unparseable JSON → 400;
 *   4. over the key's budget in this window → 429 without Retry-After, as ilert;
 *   5. random server error (errorRatio) → errorStatus;
 *   6. schema → 400 naming the field; unknown integration key (when a key list is set) → 404;
 *   7. apply to the alert state, log it, 202 with an empty body and a `correlation-id` header.
 * latencyMs/hangMs hold the answer after the decision (and after the event was applied): a client
 * that times out cannot tell whether its event was taken, exactly as with the real API.
 *
 * A reset is a Response whose body stream errors before its first byte; Bun then closes the socket
 * without writing a status line, and the client sees ECONNRESET (fetch rejects; curl: "Connection
 * reset by peer"). Erroring it with no reason keeps Bun from logging the error.
 */
import type { SimContext } from './context'
import { delay, ilertError } from './http'
import { countRequest, overLimit } from './rate-limit'
import type { IlertEvent as IlertEventBody } from '../ilert/event-schema'
import { ilertEventError as validateEventBody } from '../ilert/event-check'
import type { KeyRecord } from './stats'

export function connectionReset(): Response {
  return new Response(
    new ReadableStream({
      start(c) {
        c.error()
      },
    }),
  )
}

export function createEventsHandler(ctx: SimContext): (req: Request) => Promise<Response> {
  const { config, stats, state, faults } = ctx

  const answer = (status: number, injected: boolean, rec: KeyRecord | undefined, message?: string): Response => {
    if (injected) stats.faults++
    stats.countStatus(status, rec)
    return ilertError(status, message, { 'correlation-id': crypto.randomUUID() })
  }

  const decide = (now: number, body: unknown, parsed: boolean, rec: KeyRecord | undefined, count: number): Response => {
    const pre = faults.beforeLimit(now, parsed && typeof body === 'object' && body !== null ? (body as { alertKey?: unknown }).alertKey : undefined)
    if (pre.kind === 'reset') {
      stats.faults++
      return connectionReset()
    }
    if (pre.kind === 'status') return answer(pre.status, pre.injected, rec)
    if (!parsed) return answer(400, false, rec, 'Request body is not valid JSON')
    if (rec !== undefined && overLimit(count, config.perKey)) return answer(429, false, rec)
    const post = faults.afterLimit()
    if (post.kind === 'status') return answer(post.status, post.injected, rec)
    const invalid = validateEventBody(body)
    if (invalid !== undefined || rec === undefined) return answer(400, false, rec, invalid ?? 'Invalid event')
    const ev = body as IlertEventBody
    if (config.integrationKeys !== undefined && !config.integrationKeys.has(ev.integrationKey)) {
      return answer(404, false, rec, 'No alert source found for this integration key')
    }
    const entry = state.apply(ev, rec, now)
    config.onAccepted?.(entry)
    stats.countStatus(202, rec)
    return new Response(null, { status: 202, headers: { 'correlation-id': crypto.randomUUID() } })
  }

  return async (req) => {
    const now = config.now()
    stats.received++
    let body: unknown
    let parsed = true
    try {
      body = await req.json()
    } catch {
      parsed = false
    }
    let rec: KeyRecord | undefined
    let count = 0
    const key = parsed && typeof body === 'object' && body !== null ? (body as { integrationKey?: unknown }).integrationKey : undefined
    if (typeof key === 'string' && key !== '') {
      rec = stats.key(key)
      rec.received++
      count = countRequest(rec, now, config.windowMs)
    }
    const res = decide(now, body, parsed, rec, count)
    const wait = faults.delayMs()
    if (wait > 0) await delay(wait, req.signal)
    return res
  }
}
