/**
 * Environment-variable overrides, so containers and CI can configure the bridge without a file.
 * Rule: every schema leaf `a.b_c` is `MCP_ILERT_A_B_C` (dots become `_`, upper-cased); the table is
 * generated from ConfigSchema. Record leaves (mapping.priority_map, mapping.levels) take a JSON
 * object that replaces the whole map; list leaves a JSON list (lists of strings also `a,b,c`). ilert's usual names ILERT_API_KEY, ILERT_INTEGRATION_KEY and
 * ILERT_API_URL also work, and MCP_ILERT_TOKENS for auth.tokens; the canonical MCP_ILERT_ name wins if both are set. An empty variable counts as unset.
 * Env values override the file. Only the entry point reads process.env; everything here takes `env`.
 */
import { CONFIG_LEAVES, type Leaf } from './leaves'
import { didYouMean } from './suggest'

export const ENV_PREFIX = 'MCP_ILERT_'

export const envVarName = (path: readonly string[]): string => ENV_PREFIX + path.join('_').toUpperCase()

export interface EnvVar {
  readonly variable: string
  readonly leaf: Leaf
}

export const ENV_VARS: readonly EnvVar[] = CONFIG_LEAVES.map((leaf) => ({ variable: envVarName(leaf.path), leaf }))

/** Conventional ilert variable → dotted config path. */
export const ILERT_ALIASES: Readonly<Record<string, string>> = {
  ILERT_API_KEY: 'ilert.api_key',
  ILERT_INTEGRATION_KEY: 'ilert.integration_key',
  ILERT_API_URL: 'ilert.api_url',
  /** Inbound bearer tokens (JSON list or a,b,c). */
  MCP_ILERT_TOKENS: 'auth.tokens',
}

export interface EnvSetting {
  readonly path: readonly string[]
  readonly value: unknown
  readonly variable: string
}

export type EnvRead = { kind: 'ok'; settings: EnvSetting[]; warnings: string[] } | { kind: 'error'; message: string }

export type Converted = { kind: 'ok'; value: unknown } | { kind: 'error'; problem: string }

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false }
const INTEGER = /^[+-]?\d+$/
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** Converts one raw variable value to the leaf's type. */
export function convertEnvValue(leaf: Leaf, raw: string): Converted {
  const text = raw.trim()
  switch (leaf.kind) {
    case 'string':
      return { kind: 'ok', value: text }
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()]
      return b === undefined ? { kind: 'error', problem: 'expected true or false' } : { kind: 'ok', value: b }
    }
    case 'integer':
      return INTEGER.test(text) && Number.isSafeInteger(Number(text))
        ? { kind: 'ok', value: Number(text) }
        : { kind: 'error', problem: 'expected an integer' }
    case 'number':
      return NUMBER.test(text) ? { kind: 'ok', value: Number(text) } : { kind: 'error', problem: 'expected a number' }
    case 'list': {
      if (!text.startsWith('[')) {
        if (!leaf.stringItems || text.startsWith('{')) return { kind: 'error', problem: 'expected a JSON list, e.g. [{"token":"..."}]' }
        return { kind: 'ok', value: text === '' ? [] : text.split(',').map((v) => v.trim()).filter((v) => v !== '') }
      }
      let list: unknown
      try {
        list = JSON.parse(text)
      } catch {
        return { kind: 'error', problem: 'expected a JSON list, e.g. ["a","b"]' }
      }
      return Array.isArray(list) ? { kind: 'ok', value: list } : { kind: 'error', problem: 'expected a JSON list, e.g. ["a","b"]' }
    }
    case 'record': {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        return { kind: 'error', problem: 'expected a JSON object, e.g. {"1":"critical"}' }
      }
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { kind: 'ok', value }
        : { kind: 'error', problem: 'expected a JSON object, e.g. {"1":"critical"}' }
    }
  }
}

export function readEnv(env: Readonly<Record<string, string | undefined>>): EnvRead {
  const settings = new Map<string, EnvSetting>()
  const warnings: string[] = []
  const byName = new Map(ENV_VARS.map((v) => [v.variable, v]))
  const apply = (variable: string, leaf: Leaf, raw: string): string | undefined => {
    const c = convertEnvValue(leaf, raw)
    if (c.kind === 'error') return `${variable}: ${c.problem} for ${leaf.dotted} (got ${JSON.stringify(raw)})`
    settings.set(leaf.dotted, { path: leaf.path, value: c.value, variable })
    return undefined
  }
  for (const [alias, dotted] of Object.entries(ILERT_ALIASES)) {
    const raw = env[alias]
    const leaf = CONFIG_LEAVES.find((l) => l.dotted === dotted)!
    if (raw === undefined || raw.trim() === '') continue
    const canonical = envVarName(leaf.path)
    const other = env[canonical]
    if (other !== undefined && other.trim() !== '') {
      if (other.trim() !== raw.trim()) warnings.push(`both ${alias} and ${canonical} are set and differ; using ${canonical}`)
      continue
    }
    const err = apply(alias, leaf, raw)
    if (err) return { kind: 'error', message: err }
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || raw.trim() === '' || Object.hasOwn(ILERT_ALIASES, name)) continue
    const known = byName.get(name)
    if (!known) {
      const hint = didYouMean(name, byName.keys())
      warnings.push(`ignoring unknown environment variable ${name}${hint ? ` (did you mean ${hint}?)` : ''}`)
      continue
    }
    const err = apply(name, known.leaf, raw)
    if (err) return { kind: 'error', message: err }
  }
  return { kind: 'ok', settings: [...settings.values()], warnings }
}
