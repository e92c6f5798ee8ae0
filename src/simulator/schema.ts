/**
 * ilert's Events API body (`components.schemas.Event` in ilert's OpenAPI document) as a TypeBox
 * schema, compiled once. Enums are case-sensitive, as in ilert ("alert" is rejected). `summary` is
 * enforced only for ALERT: ilert's own ACCEPT/RESOLVE examples omit it. Unknown properties are
 * tolerated (ilert adds fields and still accepts the legacy ones).
 */
import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

export const IlertEventTypes = ['ALERT', 'ACCEPT', 'RESOLVE', 'COMMENT'] as const
export type IlertEventType = (typeof IlertEventTypes)[number]

export const IlertEventSchema = Type.Object({
  integrationKey: Type.String({ minLength: 1 }),
  eventType: Type.Union(IlertEventTypes.map((t) => Type.Literal(t))),
  summary: Type.Optional(Type.String()),
  details: Type.Optional(Type.String()),
  alertKey: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Union([Type.Literal('HIGH'), Type.Literal('LOW')])),
  severity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  images: Type.Optional(
    Type.Array(Type.Object({ src: Type.String(), href: Type.Optional(Type.String()), alt: Type.Optional(Type.String()) })),
  ),
  links: Type.Optional(Type.Array(Type.Object({ href: Type.String(), text: Type.Optional(Type.String()) }))),
  comments: Type.Optional(Type.Array(Type.Object({ creator: Type.String(), content: Type.String() }))),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  services: Type.Optional(Type.Array(Type.Object({ alias: Type.Optional(Type.String()), id: Type.Optional(Type.Integer()) }))),
  customDetails: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  routingKey: Type.Optional(Type.String()),
})

export type IlertEventBody = Static<typeof IlertEventSchema>

const check = TypeCompiler.Compile(IlertEventSchema)

/** Friendlier wording than TypeBox's "Expected union value" for the enum fields. */
const ENUM_HINTS: Record<string, string> = {
  eventType: 'must be one of ALERT, ACCEPT, RESOLVE, COMMENT',
  priority: 'must be HIGH or LOW',
}

/**
 * Returns undefined when `body` is a valid event, else a message that names the offending field,
 * e.g. `Invalid field 'severity': Expected integer to be less or equal to 5`.
 */
export function validateEventBody(body: unknown): string | undefined {
  if (check.Check(body)) {
    return body.eventType === 'ALERT' && body.summary === undefined
      ? "Invalid field 'summary': required for eventType ALERT"
      : undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Request body must be a JSON object'
  const first = check.Errors(body).First()
  if (!first) return 'Invalid event'
  const field = first.path.replace(/^\//, '').replaceAll('/', '.') || '(root)'
  const hint = ENUM_HINTS[field]
  if (hint && first.value !== undefined) return `Invalid field '${field}': ${hint}`
  return `Invalid field '${field}': ${first.value === undefined ? 'required' : first.message}`
}
