/**
 * The hot path's check of an inbound event, the same contract as TypeBox's Check of the whole
 * event schema: the schema's properties compiled ahead of time without the top-level
 * additionalProperties rule (which TypeBox emits as a scan of a fresh 17-element array per key,
 * 8 % of ingest CPU), and the unknown-field rule as one Set lookup per key.
 * test/unit/event-pipeline.test.ts holds the two equal over the bad-input corpus.
 */
import { checkEventProperties, EVENT_FIELDS } from '../generated/checks'
import type { McpEvent } from './event-schema'

const FIELDS = new Set(EVENT_FIELDS)

export function checkEvent(value: unknown): value is McpEvent {
  if (!checkEventProperties(value)) return false
  for (const key of Object.getOwnPropertyNames(value)) if (!FIELDS.has(key)) return false
  return true
}
