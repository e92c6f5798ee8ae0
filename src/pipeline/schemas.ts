/**
 * Every contract the bridge validates, by name, as its TypeBox schema: the inbound event, ilert's
 * Events API body, Alertmanager's webhook, the config file. scripts/gen-checks.ts compiles each
 * into src/generated/checks.ts ahead of time, and that code is what runs on every input. This
 * module (and with it TypeBox) is loaded only when an input fails and its error must be named
 * (compiled.ts), or by the generator and the tests.
 */
import { Type, type TSchema } from '@sinclair/typebox'
import { Errors, type ValueErrorIterator } from '@sinclair/typebox/errors'
import { ConfigSchema } from '../config/schema'
import { IlertEventSchema } from '../ilert/event-schema'
import { AlertmanagerAlert, AlertmanagerPayload } from '../ingest/alertmanager/schema'
import { EventSchema } from './event-schema'

export { ValueErrorType } from '@sinclair/typebox/errors'

export const SCHEMAS = {
  /** The inbound event without its top-level additionalProperties rule (see generated/checks.ts checkEvent). */
  eventProperties: Type.Object(EventSchema.properties),
  event: EventSchema,
  ilertEvent: IlertEventSchema,
  alertmanagerPayload: AlertmanagerPayload,
  alertmanagerAlert: AlertmanagerAlert,
  config: ConfigSchema,
} satisfies Record<string, TSchema>

export type SchemaName = keyof typeof SCHEMAS

/** TypeBox's errors for `value` against the named schema (the same walk a compiled TypeCheck's Errors does). */
export function errorsOf(name: SchemaName, value: unknown): ValueErrorIterator {
  return Errors(SCHEMAS[name], [], value)
}
