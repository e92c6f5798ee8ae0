/**
 * Splits a POST /events body into items: one JSON event, a JSON array of events, or NDJSON
 * (application/x-ndjson, one event per line). Parse failures are per item where the format
 * allows it (NDJSON), so one bad line does not sink the others. `readBounded` reads a body while
 * counting its bytes, so no body is held beyond the configured limit.
 */
import { isUtf8 } from 'node:buffer'

export type BodyItem =
  /**
   * `raw`: the event's own text (a whole-body event, an NDJSON line), kept by the durable store as
   * is; absent for the items of a JSON array. `source`: the JSON text the value was parsed from
   * (for an array item, the whole body), which validation reads for a number beyond 2^53.
   */
  | { kind: 'value'; value: unknown; line?: number; raw?: string; source: string }
  | { kind: 'bad'; reason: 'invalid_json' | 'invalid_utf8'; message: string; line?: number }

export type ParsedBody =
  /** `arrayText`: the body was one JSON array, `items` its elements in order (the durable store may keep it whole). */
  | { kind: 'items'; items: BodyItem[]; arrayText?: string }
  | { kind: 'error'; status: 400; reason: 'invalid_json' | 'invalid_utf8' | 'empty_body'; message: string }

/** A read body: its text, and its bytes for the rare UTF-8 check. */
export interface RawBody {
  text: string
  bytes: Uint8Array
}

/**
 * Invalid UTF-8 must be refused, not decoded to U+FFFD and delivered altered. Decoding never
 * fails, so the bytes are checked only when the text holds a replacement character.
 */
function hasInvalidUtf8(raw: RawBody): boolean {
  return raw.text.includes('\uFFFD') && !isUtf8(raw.bytes)
}

export function parseEventsBody(raw: RawBody, contentType: string | null): ParsedBody {
  if (contentType !== null && (contentType.includes('ndjson') || contentType.includes('jsonlines'))) return parseNdjson(raw)
  const text = raw.text
  if (isBlank(text)) return { kind: 'error', status: 400, reason: 'empty_body', message: 'request body is empty' }
  if (hasInvalidUtf8(raw)) return { kind: 'error', status: 400, reason: 'invalid_utf8', message: 'body is not valid UTF-8' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { kind: 'error', status: 400, reason: 'invalid_json', message: `body is not valid JSON: ${(err as Error).message}` }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'error', status: 400, reason: 'empty_body', message: 'the JSON array holds no events' }
    return { kind: 'items', items: value.map((v) => ({ kind: 'value' as const, value: v, source: text })), arrayText: text }
  }
  return { kind: 'items', items: [{ kind: 'value', value, raw: text, source: text }] }
}

/** Only JSON whitespace (or nothing)? Without copying the body as trim() does; a JSON body ends at its first character. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false
  }
  return true
}

function parseNdjson(raw: RawBody): ParsedBody {
  const text = raw.text
  const badUtf8 = hasInvalidUtf8(raw) ? invalidUtf8Lines(raw.bytes) : undefined
  const items: BodyItem[] = []
  let start = 0
  let line = 0
  while (start <= text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    line++
    let stop = end
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--
    if (stop > start) {
      const line_ = text.slice(start, stop)
      if (badUtf8?.has(line)) items.push({ kind: 'bad', reason: 'invalid_utf8', message: `line ${line} is not valid UTF-8`, line })
      else if (line_.trim() !== '') {
        try {
          items.push({ kind: 'value', value: JSON.parse(line_), line, raw: line_, source: line_ })
        } catch (err) {
          items.push({ kind: 'bad', reason: 'invalid_json', message: `line ${line} is not valid JSON: ${(err as Error).message}`, line })
        }
      }
    }
    start = end + 1
  }
  if (items.length === 0) return { kind: 'error', status: 400, reason: 'empty_body', message: 'request body holds no events' }
  return { kind: 'items', items }
}

/** Line numbers (1-based, split on \n bytes) whose bytes are not valid UTF-8. */
function invalidUtf8Lines(bytes: Uint8Array): Set<number> {
  const bad = new Set<number>()
  let start = 0
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(10, start)
    if (end === -1) end = bytes.length
    if (!isUtf8(bytes.subarray(start, end))) bad.add(line)
    start = end + 1
  }
  return bad
}

export class BodyTooLarge extends Error {}

/** Waits for a body to arrive, within the listener's deadline (security/http-gate.ts awaitBody). */
export type Arrive = <T>(read: Promise<T>) => Promise<T>

const noDeadline: Arrive = (read) => read
/**
 * Replaces invalid sequences with U+FFFD, which hasInvalidUtf8 then checks against the bytes; keeps
 * a leading BOM (ignoreBOM), as Buffer's decoding did, so a BOM before the JSON stays invalid JSON.
 */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Reads the body, counting streamed bytes, so a chunked body without Content-Length is bounded
 * too. `arrive` bounds how long it may take (a BodyTimeout rejection, answered 408 by the gate).
 */
export async function readBounded(request: Request, max: number, declared = request.headers.get('content-length'), arrive: Arrive = noDeadline): Promise<RawBody> {
  // With a declared length (already checked against max by the caller) one read is enough. Only
  // a body without one is read through `request.body`: touching that property makes Bun build a
  // JS ReadableStream, which costs more than the rest of a single-event request.
  if (declared !== null && request.headers.get('transfer-encoding') === null) {
    // bytes() and one TextDecoder: arrayBuffer() + Buffer.from + toString cost 9-12 % of a bare
    // Bun.serve's one-event requests here, this 4 % (text() alone cannot tell invalid UTF-8 from U+FFFD).
    const bytes = await arrive(request.bytes())
    if (bytes.length > max) throw new BodyTooLarge()
    return { text: UTF8.decode(bytes), bytes }
  }
  if (request.body === null) return { text: '', bytes: new Uint8Array(0) }
  const reader = request.body.getReader()
  const reading = readChunks(reader, max)
  let chunks: Uint8Array[]
  try {
    chunks = await arrive(reading)
  } catch (err) {
    await reader.cancel().catch(() => undefined)
    reading.catch(() => undefined)
    throw err
  }
  const bytes = chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks)
  return { text: bytes.toString('utf8'), bytes }
}

async function readChunks(reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> }, max: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done || value === undefined) return chunks
    total += value.byteLength
    if (total > max) throw new BodyTooLarge()
    chunks.push(value)
  }
}

/**
 * The request with its body already read, within `arrive`'s deadline, for handlers that read
 * bodies themselves (the Elysia side: admin API, /mcp), so a trickled body is bounded there too.
 */
export async function withArrivedBody(req: Request, arrive: Arrive): Promise<Request> {
  if (req.method === 'GET' || req.method === 'HEAD') return req
  if (req.headers.get('content-length') === null && req.headers.get('transfer-encoding') === null) return req
  const body = await arrive(req.arrayBuffer())
  return new Request(req.url, { method: req.method, headers: req.headers, body })
}
