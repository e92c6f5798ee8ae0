/**
 * Turns TypeBox validation errors into one-line, human wording ("must be >= 1 (got 0)") so a
 * config mistake reads like advice, not like a JSON-schema dump. Secret values are never echoed.
 */
import type { ValueError } from '@sinclair/typebox/value'
import { maskUrlCredentials } from '../security/url-credentials'
import { literalChoices } from './leaves'

type AnySchema = Record<string, unknown>

const PATTERN_WORDS: Record<string, string> = {
  '^[0-9]+$': 'be a whole number',
  '^https?://': 'start with http:// or https://',
  '^[a-z][a-z0-9_-]*$': 'be a lowercase name (a-z, 0-9, _ or -, starting with a letter)',
}

export const describePattern = (pattern: string): string => PATTERN_WORDS[pattern] ?? `match /${pattern}/`

/** `"text"`, `42`, `a list`, `a mapping`, `nothing`; for secrets only the kind of value. */
export function showValue(v: unknown, secret = false): string {
  if (v === undefined || v === null) return 'nothing'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  if (secret) return `a ${typeof v}`
  return typeof v === 'string' ? JSON.stringify(maskUrlCredentials(v)) : String(v)
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
}

function typeMatches(type: unknown, v: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(v)
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
    case 'boolean':
      return typeof v === 'boolean'
    case 'string':
      return typeof v === 'string'
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v)
    case 'array':
      return Array.isArray(v)
    default:
      return true
  }
}

export function jsonPointerToPath(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** The problem part of an error message, e.g. `must be >= 1 (got 0)`. */
export function describeProblem(e: Pick<ValueError, 'schema' | 'value' | 'message'>, secret = false): string {
  const s = e.schema as AnySchema
  const v = e.value
  const got = ` (got ${showValue(v, secret)})`
  const choices = literalChoices(s as never)
  if (choices) return `must be one of ${choices.join(', ')}${got}`
  if (v === undefined) return 'is required'
  if (!typeMatches(s.type, v)) {
    const hint = s.type === 'boolean' && typeof v === 'string' ? ' (write true or false without quotes)' : ''
    return `expected ${TYPE_WORDS[String(s.type)] ?? String(s.type)}${got}${hint}`
  }
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) return `must be >= ${s.minimum}${got}`
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) return `must be > ${s.exclusiveMinimum}${got}`
    if (typeof s.maximum === 'number' && v > s.maximum) return `must be <= ${s.maximum}${got}`
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && v.length < s.minLength) return s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) return `must be at most ${s.maxLength} characters${got}`
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) return `must ${describePattern(s.pattern)}${got}`
  }
  return `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}${got}`
}
