/**
 * Checks a body against ilert's Events API schema (event-schema.ts) and says what ilert would say
 * about a bad one. The check is the code compiled ahead of time (src/generated/checks.ts); TypeBox
 * is loaded only to name the field of a body that fails (pipeline/schemas.ts).
 */
import { checkIlertEvent } from '../generated/checks'
import { schemaErrors } from '../pipeline/compiled'
import type { IlertEvent } from './event-schema'

const ENUM_HINTS: Record<string, string> = {
  eventType: 'must be one of ALERT, ACCEPT, RESOLVE, COMMENT',
  priority: 'must be HIGH or LOW',
}

/** undefined when valid, else ilert-style `Invalid field 'x': ...` naming the field. */
export function ilertEventError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object'
  if (checkIlertEvent(body)) {
    const { eventType, summary } = body as IlertEvent
    if (eventType === 'ALERT' && (summary === undefined || summary === '')) return "Invalid field 'summary': required for eventType ALERT"
    return undefined
  }
  const first = schemaErrors('ilertEvent', body).First()
  if (!first) return 'Invalid event'
  const field = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)'
  const hint = ENUM_HINTS[field]
  if (hint && first.value !== undefined) return `Invalid field '${field}': ${hint}`
  return `Invalid field '${field}': ${first.value === undefined ? 'required' : first.message.toLowerCase()}`
}
