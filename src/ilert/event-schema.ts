/**
 * ilert's Events API body (`components.schemas.Event` of ilert's OpenAPI document) as one TypeBox
 * schema (its check compiled ahead of time into src/generated/checks.ts) for both sides of that contract: the bridge's ilert-compatible
 * `POST /api/events` (so a client written for ilert gets ilert's own 400 for a bad body) and the
 * simulator's ilert. Enums are case-sensitive as in ilert ("alert" is rejected); `summary` is
 * required only for ALERT (ilert's own ACCEPT/RESOLVE examples omit it); unknown properties are
 * tolerated (ilert adds fields); the legacy `apiKey` is the source's business (ingest/ilert-events/map.ts).
 */
import { Type, type Static } from '@sinclair/typebox'

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
  images: Type.Optional(Type.Array(Type.Object({ src: Type.String(), href: Type.Optional(Type.String()), alt: Type.Optional(Type.String()) }))),
  links: Type.Optional(Type.Array(Type.Object({ href: Type.String(), text: Type.Optional(Type.String()) }))),
  comments: Type.Optional(Type.Array(Type.Object({ creator: Type.String(), content: Type.String() }))),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  services: Type.Optional(Type.Array(Type.Object({ alias: Type.Optional(Type.String()), id: Type.Optional(Type.Integer()) }))),
  customDetails: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  routingKey: Type.Optional(Type.String()),
})

export type IlertEvent = Static<typeof IlertEventSchema>
