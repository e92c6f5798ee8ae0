/**
 * One MQTT payload → the value handed to the Ingestor: JSON in our event shape, or ilert's Event
 * body (recognised by `eventType`, `integrationKey` or the legacy `apiKey`), mapped with the
 * ilert-events mapper. Errors carry the reason that labels the reject counter.
 */
import { isUtf8 } from 'node:buffer'
import type { Config } from '../../config/schema'
import type { McpEvent } from '../../pipeline/event-schema'
import { exceedsDepth } from '../../security/json-depth'
import { foldLegacyKey, ilertToEvent, priorityLookup } from '../ilert-events/map'
import type { IlertEvent } from '../../ilert/event-schema'
import { ilertEventError } from '../../ilert/event-check'

export type Decoded =
  /** `text`: the payload as sent, which validation reads for numbers beyond ±(2^53 − 1) (Ingestor.accept's `source`). */
  | { kind: 'event'; value: unknown; text: string }
  | { kind: 'error'; reason: 'payload_too_large' | 'invalid_utf8' | 'invalid_json' | 'json_too_deep' | 'schema'; message: string }

export function createPayloadDecoder(mapping: Config['mapping'], maxBytes: number, maxDepth: number): (payload: Buffer) => Decoded {
  const priorityFor = priorityLookup(mapping)
  return (payload) => {
    if (payload.length > maxBytes) return { kind: 'error', reason: 'payload_too_large', message: `payload of ${payload.length} bytes exceeds mqtt.max_payload_bytes (${maxBytes})` }
    if (!isUtf8(payload)) return { kind: 'error', reason: 'invalid_utf8', message: 'payload is not valid UTF-8' }
    let v: unknown
    const text = payload.toString('utf8')
    try {
      v = JSON.parse(text)
    } catch (err) {
      return { kind: 'error', reason: 'invalid_json', message: `payload is not valid JSON: ${(err as Error).message}` }
    }
    if (typeof v === 'object' && v !== null && exceedsDepth(v, maxDepth)) return { kind: 'error', reason: 'json_too_deep', message: `nested deeper than limits.max_json_depth (${maxDepth})` }
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && ('eventType' in v || 'integrationKey' in v || 'apiKey' in v)) {
      const body = foldLegacyKey(v)
      const bad = ilertEventError(body)
      if (bad !== undefined) return { kind: 'error', reason: 'schema', message: bad }
      return { kind: 'event', value: ilertToEvent(body as IlertEvent, priorityFor) satisfies McpEvent, text }
    }
    return { kind: 'event', value: v, text }
  }
}
