/**
 * Flattens ConfigSchema into its settable leaves (dotted path + value kind), so the env-var table,
 * the unknown-key check, the did-you-mean candidates and the documentation are all derived from
 * the one schema and cannot drift from it.
 */
import type { TSchema } from '@sinclair/typebox'
import { CONFIG_SCHEMA } from '../generated/checks'

/**
 * `record` = a map with free keys (mapping.priority_map, mapping.levels): set as a whole.
 * `list` = an array (mcp.allowed_origins, mcp.tokens): also set as a whole.
 */
export type LeafKind = 'integer' | 'number' | 'boolean' | 'string' | 'record' | 'list'

export interface Leaf {
  readonly path: readonly string[]
  readonly dotted: string
  readonly kind: LeafKind
  /** Allowed values when the schema is a union of string literals (logging.level). */
  readonly choices?: readonly string[]
  /** For `list` leaves: true when the items are plain strings (env may then be comma-separated). */
  readonly stringItems?: boolean
  readonly default?: unknown
}

type AnySchema = TSchema & Record<string, unknown>

export function isObjectSchema(s: AnySchema): s is AnySchema & { properties: Record<string, AnySchema> } {
  return s.type === 'object' && typeof s.properties === 'object' && s.properties !== null
}

export function isRecordSchema(s: AnySchema): s is AnySchema & { patternProperties: Record<string, AnySchema> } {
  return s.type === 'object' && typeof s.patternProperties === 'object' && s.patternProperties !== null
}

/** The string literals of a `Type.Union([Type.Literal('a'), ...])`, or undefined. */
export function literalChoices(s: AnySchema): string[] | undefined {
  const any = s.anyOf
  if (!Array.isArray(any) || any.length === 0) return undefined
  const out: string[] = []
  for (const m of any as AnySchema[]) {
    if (typeof m.const !== 'string') return undefined
    out.push(m.const)
  }
  return out
}

export function isListSchema(s: AnySchema): s is AnySchema & { items: AnySchema } {
  return s.type === 'array' && typeof s.items === 'object' && s.items !== null
}

function leafKind(s: AnySchema): LeafKind {
  if (isRecordSchema(s)) return 'record'
  if (isListSchema(s)) return 'list'
  if (literalChoices(s)) return 'string'
  if (s.type === 'integer' || s.type === 'number' || s.type === 'boolean' || s.type === 'string') return s.type
  throw new Error(`config schema: unsupported leaf type ${JSON.stringify(s.type)}`)
}

export function schemaLeaves(schema: TSchema, prefix: readonly string[] = []): Leaf[] {
  const s = schema as AnySchema
  if (!isObjectSchema(s)) throw new Error('config schema: expected an object schema')
  const out: Leaf[] = []
  for (const [key, child] of Object.entries(s.properties)) {
    const path = [...prefix, key]
    if (isObjectSchema(child)) {
      out.push(...schemaLeaves(child, path))
      continue
    }
    const choices = literalChoices(child)
    const stringItems = isListSchema(child) ? child.items.type === 'string' : undefined
    out.push({
      path,
      dotted: path.join('.'),
      kind: leafKind(child),
      default: child.default,
      ...(choices ? { choices } : {}),
      ...(stringItems === undefined ? {} : { stringItems }),
    })
  }
  return out
}

export const CONFIG_LEAVES: readonly Leaf[] = schemaLeaves(CONFIG_SCHEMA)

/** The leaf a (possibly deeper, e.g. inside a record) path belongs to. */
export function leafOf(path: readonly string[]): Leaf | undefined {
  return CONFIG_LEAVES.find((l) => l.path.every((seg, i) => path[i] === seg))
}

/** A copy of `value` with section keys in schema order (for stable, readable output); maps keep their order. */
export function orderBySchema<T>(schema: TSchema, value: T): T {
  const s = schema as AnySchema
  if (!isObjectSchema(s) || typeof value !== 'object' || value === null) return value
  const src = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(s.properties)) if (key in src) out[key] = orderBySchema(child, src[key])
  for (const key of Object.keys(src)) if (!(key in out)) out[key] = src[key]
  return out as T
}
