/**
 * Every contract the bridge validates, by name, as its TypeBox schema: the inbound event, ilert's
 * Events API body, Alertmanager's webhook, the config file. scripts/gen-checks.ts compiles each
 * into src/generated/checks.ts ahead of time, and that code is what runs on every input. This
 * module (and with it TypeBox) is loaded only when an input fails and its error must be named
 * (compiled.ts), or by the generator and the tests.
 */
import { Type, type TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'
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

const compiled = new Map<SchemaName, TypeCheck<TSchema>>()

/** TypeBox's compiled check of a schema (for its Errors), compiled once on first use. */
export function compiledCheck(name: SchemaName): TypeCheck<TSchema> {
  let c = compiled.get(name)
  if (c === undefined) {
    c = TypeCompiler.Compile(SCHEMAS[name])
    compiled.set(name, c)
  }
  return c
}
