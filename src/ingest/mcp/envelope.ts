/**
 * The checks /mcp makes on a POST body before the SDK sees it, because the spec is stricter than
 * the SDK's legacy transport: the body is read at most listen.max_body_bytes (413), must be JSON
 * (400 -32700) carrying well-formed JSON-RPC 2.0 (400 -32600, with the request's id when it has
 * one), and a batch is taken only where revision 2025-03-26 allows one (an empty batch never).
 * What passes goes on to the SDK as the parsed body, so the body is read once.
 */
import { BodyTooLarge, readBounded } from '../http/body'

export type EnvelopeOutcome =
  | { kind: 'ok'; body: unknown }
  | { kind: 'rejected'; reason: 'body_too_large' | 'content_type' | 'invalid_json' | 'invalid_request' | 'batch'; response: Response }

type Id = string | number | null

const reject = (reason: Extract<EnvelopeOutcome, { kind: 'rejected' }>['reason'], status: number, code: number, message: string, id: Id = null): EnvelopeOutcome => ({
  kind: 'rejected',
  reason,
  response: Response.json({ jsonrpc: '2.0', error: { code, message }, id }, { status }),
})

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const idOf = (m: Record<string, unknown>): Id => (typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null)

/** What is wrong with one JSON-RPC message, or undefined when it is well formed. */
function problem(m: unknown): string | undefined {
  if (!isObject(m)) return 'a JSON-RPC message must be an object'
  if (m.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"'
  if ('id' in m && typeof m.id !== 'string' && typeof m.id !== 'number' && !('error' in m && m.id === null)) return 'id must be a string or a number'
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method === '') return 'method must be a non-empty string'
    if ('params' in m && m.params !== undefined && typeof m.params !== 'object') return 'params must be an object'
    return undefined
  }
  if (!('id' in m)) return 'a request needs a method'
  if ('result' in m === 'error' in m) return 'a response carries exactly one of result and error'
  return undefined
}

/** Batching exists only in revision 2025-03-26 (a request without the header is taken as that one). */
const batchAllowed = (req: Request) => {
  const v = req.headers.get('mcp-protocol-version')
  return v === null || v === '2025-03-26'
}

export async function checkEnvelope(req: Request, maxBytes: number): Promise<EnvelopeOutcome> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') return reject('content_type', 415, -32000, 'Unsupported Media Type: Content-Type must be application/json')
  const declared = req.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) return reject('body_too_large', 413, -32000, `Request body too large: the limit is ${maxBytes} bytes`)
  let text: string
  try {
    text = (await readBounded(req, maxBytes, declared)).text
  } catch (err) {
    if (err instanceof BodyTooLarge) return reject('body_too_large', 413, -32000, `Request body too large: the limit is ${maxBytes} bytes`)
    throw err
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return reject('invalid_json', 400, -32700, 'Parse error: the body is not valid JSON')
  }
  if (Array.isArray(body)) {
    if (body.length === 0) return reject('invalid_request', 400, -32600, 'Invalid Request: empty batch')
    if (!batchAllowed(req)) return reject('batch', 400, -32600, `Invalid Request: JSON-RPC batches are not supported in protocol revision ${req.headers.get('mcp-protocol-version')}`)
    for (const m of body) {
      const p = problem(m)
      if (p !== undefined) return reject('invalid_request', 400, -32600, `Invalid Request: ${p}`, isObject(m) ? idOf(m) : null)
    }
    return { kind: 'ok', body }
  }
  const p = problem(body)
  if (p !== undefined) return reject('invalid_request', 400, -32600, `Invalid Request: ${p}`, isObject(body) ? idOf(body) : null)
  return { kind: 'ok', body }
}
