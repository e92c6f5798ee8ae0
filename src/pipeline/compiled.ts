/**
 * TypeBox validators compiled on first use instead of at import. Compiling builds and evaluates
 * a function per schema (the event schema alone is 10-15 ms on a small machine), and none is
 * needed to bind the listeners: the App runs `pendingCompiles()` one at a time right after they
 * are bound, and a check used before that compiles itself then. Either way each schema compiles once.
 */
import type { TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'

const pending: (() => unknown)[] = []

/** A getter for the compiled check of `schema`, compiled on its first call. */
export function lazyCheck<T extends TSchema>(schema: T): () => TypeCheck<T> {
  let check: TypeCheck<T> | undefined
  const get = () => (check ??= TypeCompiler.Compile(schema))
  pending.push(get)
  return get
}

/** One task per check not asked for yet, each compiling it (the App runs them after its listeners are bound). */
export function pendingCompiles(): (() => unknown)[] {
  return pending.splice(0)
}
