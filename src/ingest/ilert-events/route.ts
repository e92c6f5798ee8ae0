/**
 * POST /api/events (and the legacy /api/v1/events): ilert's Events API on the bridge, so an
 * ilert client or script needs only its base URL changed. Bad input gets ilert's 400 with ilert's
 * error shape `{status, message, code}` naming the field; a stored event gets 202 (ilert's answer,
 * empty body) only after the commit; a full or failing store gets 503 + Retry-After, which
 * ilert's clients retry. Accepted events are counted under transport "ilert_events".
 */
import type { Config } from '../../config/schema'
import type { Ingestor } from '../accept'
import { commitStaged, readJsonBody, type SourceLimits } from '../http/source-body'
import { foldLegacyKey, ilertFieldName, ilertToEvent, priorityLookup } from './map'
import type { IlertEvent } from '../../ilert/event-schema'
import { ilertEventError } from '../../ilert/event-check'

const T = 'ilert_events'
const CODES: Record<number, string> = { 400: 'BAD_REQUEST', 413: 'PAYLOAD_TOO_LARGE', 503: 'SERVICE_UNAVAILABLE' }

/** ilert's error body. */
export function ilertError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ status, message, code: CODES[status] ?? 'ERROR' }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

export function createIlertEventsHandler(ingestor: Ingestor, mapping: Config['mapping'], limits: SourceLimits): (req: Request) => Promise<Response> {
  const priorityFor = priorityLookup(mapping)
  return async (req) => {
    const body = await readJsonBody(req, limits)
    if (body.kind === 'error') {
      ingestor.countRejected(T, body.reason)
      return ilertError(body.status, body.reason === 'invalid_json' ? 'Request body is not valid JSON' : body.message)
    }
    const value = foldLegacyKey(body.value)
    const bad = ilertEventError(value)
    if (bad !== undefined) {
      ingestor.countRejected(T, 'schema')
      return ilertError(400, bad)
    }
    if (ingestor.freeSlots() < 1) {
      ingestor.countRejected(T, 'queue_full')
      return ilertError(503, 'The bridge queue is full; retry later', { 'retry-after': '1' })
    }
    // The body's text goes along so a large number in customDetails that JSON carries exactly is kept, not refused.
    const out = ingestor.accept(ilertToEvent(value as IlertEvent, priorityFor), T, undefined, body.text)
    if (out.kind === 'invalid') return ilertError(400, `Invalid field '${ilertFieldName(out.field)}': ${out.message}`)
    if (out.kind === 'full') return ilertError(503, 'The bridge queue is full; retry later', { 'retry-after': '1' })
    const c = await commitStaged(ingestor)
    if (c.kind === 'error') return ilertError(503, `The event could not be stored (${c.reason}); retry later`, { 'retry-after': '5' })
    return new Response(null, { status: 202 })
  }
}
