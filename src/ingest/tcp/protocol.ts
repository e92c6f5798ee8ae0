/**
 * The TCP ingest wire protocol: what a client sends and the lines the bridge writes back.
 * Kept apart from the socket handling so the text below can be read (and copied into the
 * README) on its own, and so tests and clients share the exact encodings.
 *
 * TCP NDJSON protocol
 * -------------------
 * - Authentication (when auth.tokens is set, or tls.client_ca_file): the first line must be
 *     {"auth":"<token>"}
 *   unless the client presented a TLS certificate signed by tls.client_ca_file. A client without
 *   either gets one error line and the connection is closed (after a delay that grows with each
 *   failure from its address; also when no first line arrives within tcp.auth_timeout_seconds):
 *     {"error":{"line":1,"reason":"unauthorized","message":"..."}}
 *   An accepted auth line counts as line 1 and is acknowledged like any other line
 *   ({"ack":1,"accepted":0,"rejected":0}). A bridge without tokens ignores an auth line, so a
 *   client may always send one. Beyond tcp.max_connections_per_peer connections from one
 *   address, a new one receives {"error":{"reason":"too_many_connections_per_peer"}} and is closed.
 * - Send events as NDJSON: one JSON object per line, terminated by `\n` (`\r\n` also works).
 *   Lines are numbered from 1 per connection; every line counts, empty ones included.
 *   Empty lines are skipped silently; any other line that is not a valid event is rejected.
 * - Every rejected line gets one error line back; the connection and all other lines are unaffected:
 *     {"error":{"line":7,"reason":"schema","field":"priority","message":"must be an integer from 1 to 4 (got 7)"}}
 *   reason is `invalid_json` (not parseable JSON), `schema` (field names the offending field),
 *   `missing_integration_key`, `unknown_priority`, `line_too_long` (longer than
 *   tcp.max_line_bytes, not counting the line ending; the line is discarded unread), or
 *   `json_too_deep` (arrays/objects nested deeper than limits.max_json_depth).
 * - Cumulative acknowledgements report progress:
 *     {"ack":12,"accepted":10,"rejected":1}
 *   Every line numbered <= ack has been dealt with: either it is in the bridge's queue, or an
 *   error line for it was sent before this ack. accepted/rejected count events since the
 *   connection opened (empty lines are in neither). At most one ack is sent per batch of
 *   input received, not one per line; a newer ack may replace an older one not yet sent.
 *   Lines after the last ack were not processed: resend them on a new connection if this one drops.
 * - Backpressure: when the bridge's queue is full it stops reading from the connection (nothing
 *   is dropped or rejected) and resumes when there is room. A client that does not read its
 *   acks is throttled the same way once 64 KiB of replies are waiting for it.
 * - Half-close (shutdown of the sending side) is supported: the remaining lines, including a
 *   final line without `\n`, are processed and acknowledged, then the bridge closes.
 * - Beyond tcp.max_connections, a new connection receives
 *     {"error":{"reason":"too_many_connections"}}
 *   and is closed. A connection idle for tcp.idle_timeout_seconds is closed (not while the
 *   bridge itself is holding it back). On shutdown the bridge stops reading, sends the acks for
 *   everything processed, and closes.
 */
import type { RejectReason } from '../accept'

export const REFUSED_LINE = '{"error":{"reason":"too_many_connections"}}\n'
export const REFUSED_PEER_LINE = '{"error":{"reason":"too_many_connections_per_peer"}}\n'

/** Reasons only TCP writes (the rest come from the shared accept path). */
export type TcpErrorReason = RejectReason | 'json_too_deep' | 'unauthorized'

/** The token of an auth line `{"auth":"<token>"}` (nothing else in the object), else undefined. */
export function authLineToken(text: string): string | undefined {
  if (!text.includes('"auth"')) return undefined
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const keys = Object.keys(v)
  const token = (v as { auth?: unknown }).auth
  return keys.length === 1 && typeof token === 'string' ? token : undefined
}

export function ackLine(line: number, accepted: number, rejected: number): string {
  return '{"ack":' + line + ',"accepted":' + accepted + ',"rejected":' + rejected + '}\n'
}

/** One error line; `field` is omitted when the reason concerns the whole line. */
export function errorLine(line: number, reason: TcpErrorReason, field: string | undefined, message: string): string {
  const f = field === undefined ? '' : ',"field":' + JSON.stringify(field)
  return '{"error":{"line":' + line + ',"reason":"' + reason + '"' + f + ',"message":' + JSON.stringify(message) + '}}\n'
}

/** Parsed reply lines, for clients and tests. */
export type Ack = { ack: number; accepted: number; rejected: number }
export type ErrorReply = { error: { line?: number; reason: string; field?: string; message?: string } }
