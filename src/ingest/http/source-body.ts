/**
 * What the HTTP sources beside POST /events share (ilert Events API, Alertmanager): a body read
 * within listen.max_body_bytes and parsed as one JSON value within limits.max_json_depth, and the
 * group commit every answer waits for. Errors are tagged with a reason that is also the metric label.
 */
import { exceedsDepth } from '../../security/json-depth'
import type { CommitResult } from '../../queue/event-store'
import type { Ingestor } from '../accept'
import { BodyTooLarge, readBounded } from './body'
import { isUtf8 } from 'node:buffer'

export interface SourceLimits {
  maxBodyBytes: number
  maxJsonDepth: number
}

export type JsonBody =
  /** `text`: the body as sent, which validation reads for numbers beyond ±(2^53 − 1) (Ingestor.accept's `source`). */
  | { kind: 'ok'; value: unknown; text: string }
  | { kind: 'error'; status: 400 | 413; reason: 'body_too_large' | 'empty_body' | 'invalid_json' | 'invalid_utf8' | 'json_too_deep'; message: string }

export async function readJsonBody(request: Request, limits: SourceLimits): Promise<JsonBody> {
  const declared = request.headers.get('content-length')
  const tooLarge: JsonBody = { kind: 'error', status: 413, reason: 'body_too_large', message: `body exceeds listen.max_body_bytes (${limits.maxBodyBytes} bytes)` }
  if (declared !== null && Number(declared) > limits.maxBodyBytes) return tooLarge
  let text: string
  let bytes: Uint8Array
  try {
    ;({ text, bytes } = await readBounded(request, limits.maxBodyBytes, declared))
  } catch (err) {
    if (err instanceof BodyTooLarge) return tooLarge
    throw err
  }
  if (text.trim() === '') return { kind: 'error', status: 400, reason: 'empty_body', message: 'request body is empty' }
  if (text.includes('\uFFFD') && !isUtf8(bytes)) return { kind: 'error', status: 400, reason: 'invalid_utf8', message: 'body is not valid UTF-8' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { kind: 'error', status: 400, reason: 'invalid_json', message: `body is not valid JSON: ${(err as Error).message}` }
  }
  if (typeof value === 'object' && value !== null && exceedsDepth(value, limits.maxJsonDepth)) {
    return { kind: 'error', status: 400, reason: 'json_too_deep', message: `body is nested deeper than limits.max_json_depth (${limits.maxJsonDepth})` }
  }
  return { kind: 'ok', value, text }
}

/** The shared (group) commit, awaited: nothing is acknowledged before it is `ok`. */
export async function commitStaged(ingestor: Ingestor): Promise<CommitResult> {
  const r = ingestor.commitShared()
  return r instanceof Promise ? await r : r
}
