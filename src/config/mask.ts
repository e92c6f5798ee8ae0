/**
 * Secret handling for anything that prints or logs the config: `maskConfig` for display
 * (--check-config), `secretValues` for the logger's redaction list. Masks show only whether a
 * secret is set and its length, never any of its characters. Credentials inside ilert.api_url
 * (`https://user:pass@host`) are masked the same way.
 */
import type { Config } from './schema'
import { SECRET_LIST_FIELDS, SECRET_LISTS, SECRET_PATHS } from './secrets'
import { getPath, setPath } from './paths'
import { maskUrlCredentials, urlCredentials } from '../security/url-credentials'

export const maskSecret = (value: string): string => (value === '' ? '' : `[set, ${value.length} chars]`)

/** A deep copy of `config` with every non-empty secret replaced by `[set, N chars]`. */
export function maskConfig(config: Config): Config {
  const copy = structuredClone(config)
  for (const dotted of SECRET_PATHS) {
    const path = dotted.split('.')
    const value = getPath(copy, path)
    if (typeof value === 'string') setPath(copy as unknown as Record<string, unknown>, path, maskSecret(value))
  }
  copy.ilert.api_url = maskUrlCredentials(copy.ilert.api_url)
  for (const entry of listSecretEntries(copy)) for (const f of entry.fields) if (typeof entry.item[f] === 'string') entry.item[f] = maskSecret(entry.item[f] as string)
  for (const dotted of SECRET_LISTS) {
    const list = getPath(copy, dotted.split('.'))
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) if (typeof list[i] === 'string') list[i] = maskSecret(list[i] as string)
  }
  return copy
}

/** Entries of lists whose fields hold secrets (mcp.tokens[*].token...), with those field names. */
function listSecretEntries(config: Config): { item: Record<string, unknown>; fields: readonly string[] }[] {
  const out: { item: Record<string, unknown>; fields: readonly string[] }[] = []
  for (const [dotted, fields] of Object.entries(SECRET_LIST_FIELDS)) {
    const list = getPath(config, dotted.split('.'))
    if (!Array.isArray(list)) continue
    for (const item of list) if (typeof item === 'object' && item !== null) out.push({ item: item as Record<string, unknown>, fields })
  }
  return out
}

/** True when a (possibly list-indexed) path names a secret, e.g. ilert.api_key or mcp.tokens.0.token. */
export function isSecretPath(path: readonly string[]): boolean {
  const dotted = path.join('.')
  if ((SECRET_PATHS as readonly string[]).includes(dotted)) return true
  if ((SECRET_LISTS as readonly string[]).some((list) => dotted === list || dotted.startsWith(list + '.'))) return true
  for (const [list, fields] of Object.entries(SECRET_LIST_FIELDS)) {
    const parts = list.split('.')
    if (path.length === parts.length + 2 && parts.every((p, i) => path[i] === p) && fields.includes(path[path.length - 1]!)) return true
  }
  return false
}

/** The non-empty secret values, e.g. to register with `logger.redact`. */
export function secretValues(config: Config): string[] {
  const out: string[] = []
  for (const dotted of SECRET_PATHS) {
    const value = getPath(config, dotted.split('.'))
    if (typeof value === 'string' && value !== '') out.push(value)
  }
  for (const entry of listSecretEntries(config)) {
    for (const f of entry.fields) if (typeof entry.item[f] === 'string' && entry.item[f] !== '') out.push(entry.item[f] as string)
  }
  for (const dotted of SECRET_LISTS) {
    const list = getPath(config, dotted.split('.'))
    if (Array.isArray(list)) for (const v of list) if (typeof v === 'string' && v !== '') out.push(v)
  }
  out.push(...urlCredentials(config.ilert.api_url))
  return out
}

/** A URL for logs: user, password and query values masked (an ilert URL may carry a key in either). */
export function maskUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return '[unparseable URL]'
  }
  if (u.username) u.username = '***'
  if (u.password) u.password = '***'
  for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, '***')
  return u.toString().replace(/%2A%2A%2A/g, '***')
}
