/**
 * Alertmanager's webhook payload (version 4) as TypeBox schemas. Checked through the code compiled
 * ahead of time from them (src/generated/checks.ts); TypeBox itself is loaded only to name the
 * field of a payload that fails (pipeline/schemas.ts).
 */
import { Type, type Static } from '@sinclair/typebox'

const Strings = Type.Record(Type.String(), Type.String())

export const AlertmanagerAlert = Type.Object({
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  labels: Strings,
  annotations: Type.Optional(Strings),
  startsAt: Type.Optional(Type.String()),
  endsAt: Type.Optional(Type.String()),
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String()),
})

/** The notification around the alerts; each alert is checked on its own (alertError), so one bad alert costs only itself. */
export const AlertmanagerPayload = Type.Object({
  version: Type.String(),
  status: Type.Optional(Type.String()),
  receiver: Type.Optional(Type.String()),
  groupKey: Type.Optional(Type.String()),
  externalURL: Type.Optional(Type.String()),
  alerts: Type.Array(Type.Unknown()),
})
export type AmAlert = Static<typeof AlertmanagerAlert>
export type AlertmanagerPayloadT = Omit<Static<typeof AlertmanagerPayload>, 'alerts'> & { alerts: unknown[] }
