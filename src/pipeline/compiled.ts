/**
 * The error side of validation, loaded on demand. Every input is checked by code compiled ahead of
 * time (src/generated/checks.ts), which needs no TypeBox; only when an input fails does the bridge
 * load TypeBox and the schemas (schemas.ts, 20-40 ms once) to name the field at fault, with the
 * same errors as before. An idle bridge thereby holds about 10 MB less (bench/PROFILE.md, tenth pass).
 */
import type { ValueErrorIterator, ValueErrorType as ValueErrorTypeEnum } from '@sinclair/typebox/errors'
import type { SchemaName } from './schemas'

type SchemasModule = typeof import('./schemas')
let schemas: SchemasModule | undefined

function load(): SchemasModule {
  // A literal require, so `bun build --compile` bundles it; evaluated only on the first failure.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (schemas ??= require('./schemas') as SchemasModule)
}

/** TypeBox's errors for `value` against the named schema (call only for a value its check refused). */
export function schemaErrors(name: SchemaName, value: unknown): ValueErrorIterator {
  return load().errorsOf(name, value)
}

/** TypeBox's ValueErrorType enum (loaded with the schemas). */
export function valueErrorType(): typeof ValueErrorTypeEnum {
  return load().ValueErrorType
}
