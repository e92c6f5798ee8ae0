/**
 * Structural pass over the raw (file + env) value before defaults are applied: finds unknown keys
 * (with did-you-mean), scalars or lists where a section is expected, and invalid record keys.
 * It runs first because applying the defaults would otherwise silently replace a mistyped section.
 * Also drops `key:` entries with an empty (null) value, meaning "use the default".
 */
import type { TSchema } from '@sinclair/typebox'
import { CONFIG_LEAVES, isObjectSchema, isRecordSchema } from './leaves'
import { describePattern, showValue } from './describe'
import { didYouMean } from './suggest'
import { isMapping, type Mapping } from './paths'
import { CONFIG_SCHEMA } from '../generated/checks'

export type ShapeIssue =
  | { kind: 'unknown-key'; path: string[]; suggestion?: string }
  | { kind: 'bad-value'; path: string[]; problem: string }

type AnySchema = TSchema & Record<string, unknown>


/** Every dotted section and leaf path, for suggesting a key that sits at the wrong level. */
const ALL_PATHS: string[] = [
  ...new Set(CONFIG_LEAVES.flatMap((l) => l.path.map((_, i) => l.path.slice(0, i + 1).join('.')))),
]

function suggest(path: string[], siblings: string[]): string | undefined {
  const key = path[path.length - 1]!
  const near = didYouMean(key, siblings)
  if (near) return [...path.slice(0, -1), near].join('.')
  const same = ALL_PATHS.filter((p) => p.split('.').pop() === key)
  return same.length === 1 ? same[0] : didYouMean(path.join('.'), ALL_PATHS)
}

/** Mutates `value` (removing null entries); returns the first issue found, depth-first in file order. */
export function checkShape(value: unknown, schema: TSchema = CONFIG_SCHEMA, path: string[] = []): ShapeIssue | undefined {
  const s = schema as AnySchema
  const container = isObjectSchema(s) || isRecordSchema(s)
  if (!container) return undefined
  if (!isMapping(value)) return { kind: 'bad-value', path, problem: `expected a mapping (got ${showValue(value)})` }
  for (const key of Object.keys(value)) {
    const child = [...path, key]
    if (value[key] === null) {
      delete value[key]
      continue
    }
    let childSchema: AnySchema | undefined
    if (isObjectSchema(s)) {
      childSchema = s.properties[key]
      if (!childSchema) return { kind: 'unknown-key', path: child, suggestion: suggest(child, Object.keys(s.properties)) }
    } else if (isRecordSchema(s)) {
      const entry = Object.entries(s.patternProperties).find(([p]) => new RegExp(p).test(key))
      if (!entry) {
        const pattern = Object.keys(s.patternProperties)[0] ?? ''
        return { kind: 'bad-value', path: child, problem: `key ${JSON.stringify(key)} must ${describePattern(pattern)}` }
      }
      childSchema = entry[1]
    }
    const issue = childSchema ? checkShape(value[key], childSchema, child) : undefined
    if (issue) return issue
  }
  return undefined
}
