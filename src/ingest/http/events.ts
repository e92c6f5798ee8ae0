/**
 * HTTP ingest handlers that need no framework: POST /events (one event, a JSON array, or NDJSON),
 * /healthz and /readyz. The listener serves them from Bun.serve's native route table
 * (server.ts): Elysia's per-request context cost as much as the rest of a one-event request,
 * and Elysia is loaded only when the admin API or /mcp is first used (routes.ts).
 * 202 means queued, not delivered (ilert's own 202 means no more). A batch is accepted whole
 * or, when the queue cannot hold it, refused whole with 503 + Retry-After, so a client can
 * simply resend it.
 */
import { exceedsDepth } from '../../security/json-depth'
import type { Ingestor } from '../accept'
import { type Arrive, BodyTooLarge, parseEventsBody, type RawBody, readBounded } from './body'

export type Readiness = { kind: 'ready' } | { kind: 'not_ready'; reason: 'starting' | 'draining' | 'queue_full' | 'storage_unavailable' }

export interface HttpIngestDeps {
  ingestor: Ingestor
  maxBodyBytes: number
  /** listen.max_events_per_request: more events in one body is a 413 (default: no cap). */
  maxEventsPerRequest?: number
  /** limits.max_json_depth (default 32). */
  maxJsonDepth?: number
  /** Bounds how long a body may take to arrive (the gate's awaitBody; default: no bound). */
  awaitBody?: Arrive
}

interface Rejection {
  index: number
  line?: number
  reason: string
  field?: string
  message: string
}

const JSON_HEADERS = { 'content-type': 'application/json' }

export function json(status: number, body: unknown, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: extra ? { ...JSON_HEADERS, ...extra } : JSON_HEADERS })
}

/** GET /healthz: 200 while the process runs. */
export const healthz = (): Response => json(200, { status: 'ok' })

/** GET /readyz: 200 when ready, else 503 with the reason (starting, draining, queue_full...). */
export function readyzHandler(readiness: () => Readiness): () => Response {
  return () => {
    const r = readiness()
    return r.kind === 'ready' ? json(200, { status: 'ready' }) : json(503, { status: 'not_ready', reason: r.reason })
  }
}

/** POST /events. */
export function createEventsHandler(deps: HttpIngestDeps): (req: Request) => Promise<Response> {
  const limits: Limits = { maxBodyBytes: deps.maxBodyBytes, maxEvents: deps.maxEventsPerRequest ?? Infinity, maxDepth: deps.maxJsonDepth ?? 32, arrive: deps.awaitBody }
  const { ingestor } = deps
  return (request) => handleEvents(request, ingestor, limits)
}

interface Limits {
  maxBodyBytes: number
  maxEvents: number
  maxDepth: number
  arrive: Arrive | undefined
}

async function handleEvents(request: Request, ingestor: Ingestor, limits: Limits): Promise<Response> {
  const { maxBodyBytes } = limits
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBodyBytes) return tooLarge(ingestor, maxBodyBytes)
  let body: RawBody
  try {
    body = await readBounded(request, maxBodyBytes, declared, limits.arrive)
  } catch (err) {
    if (err instanceof BodyTooLarge) return tooLarge(ingestor, maxBodyBytes)
    throw err
  }
  const parsed = parseEventsBody(body, request.headers.get('content-type'))
  if (parsed.kind === 'error') {
    ingestor.countRejected('http', parsed.reason)
    return json(400, { accepted: 0, error: parsed.message, reason: parsed.reason })
  }
  const items = parsed.items
  if (items.length > limits.maxEvents) {
    ingestor.countRejected('http', 'too_many_events')
    return json(413, { accepted: 0, error: `${items.length} events exceed listen.max_events_per_request (${limits.maxEvents}); send them in smaller batches`, reason: 'too_many_events' })
  }
  if (ingestor.freeSlots() < items.length) {
    ingestor.countRejected('http', 'queue_full')
    return json(503, { accepted: 0, error: 'queue is full, retry later', reason: 'queue_full' }, { 'retry-after': '1' })
  }
  let accepted = 0
  const rejected: Rejection[] = []
  const mark = parsed.arrayText !== undefined ? ingestor.stagedCount() : -1
  const at = performance.now() // the request's events were accepted together: one clock read
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    if (item.kind === 'bad') {
      ingestor.countRejected('http', item.reason)
      rejected.push({ index: i, line: item.line, reason: item.reason, message: item.message })
      continue
    }
    if (typeof item.value === 'object' && item.value !== null && exceedsDepth(item.value, limits.maxDepth)) {
      ingestor.countRejected('http', 'json_too_deep')
      rejected.push({ index: i, line: item.line, reason: 'json_too_deep', message: `nested deeper than limits.max_json_depth (${limits.maxDepth})` })
      continue
    }
    const out = ingestor.accept(item.value, 'http', item.raw, item.source, at)
    if (out.kind === 'accepted') accepted++
    else if (out.kind === 'invalid') rejected.push({ index: i, line: item.line, reason: out.reason, field: out.field, message: `${out.field} ${out.message}` })
    else rejected.push({ index: i, line: item.line, reason: out.reason, message: 'queue is full' })
  }
  // A JSON array accepted whole is stored as the text it came in: one record, not one per event.
  if (mark >= 0 && accepted === items.length) ingestor.keepBatchText(mark, parsed.arrayText!)
  if (accepted > 0) {
    // Shared with the other requests of this event-loop turn: one transaction for all of them.
    const shared = ingestor.commitShared()
    const c = shared instanceof Promise ? await shared : shared
    if (c.kind === 'error') {
      return json(503, { accepted: 0, error: `events could not be stored (${c.reason}); nothing was queued, retry later`, reason: c.reason }, { 'retry-after': '5' })
    }
  }
  if (accepted === 0) return json(400, { accepted, rejected })
  if (rejected.length === 0) return new Response(`{"accepted":${accepted}}`, { status: 202, headers: JSON_HEADERS })
  return json(202, { accepted, rejected })
}

function tooLarge(ingestor: Ingestor, max: number): Response {
  ingestor.countRejected('http', 'body_too_large')
  return json(413, { accepted: 0, error: `body exceeds listen.max_body_bytes (${max} bytes)`, reason: 'body_too_large' })
}
