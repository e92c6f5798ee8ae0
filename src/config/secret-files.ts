/**
 * The config's contact with files that hold secrets: `auth.tokens_file` is read here (once, at
 * load) and merged into `auth.tokens`, and a config file or tokens file that every local user can
 * read while it holds a secret is warned about. Messages name the key and the file, never a value.
 */
import { readFileSync, statSync } from 'node:fs'
import type { ConfigSources } from './load'
import { isSecretPath } from './mask'
import type { Config } from './schema'

export const MIN_TOKEN_LENGTH = 16

export type TokensFileRead = { kind: 'ok'; tokens: string[] } | { kind: 'error'; path: string[]; problem: string }

/** One token per line; blank lines and lines starting with # are skipped. */
export function parseTokensFile(text: string, file: string): TokensFileRead {
  const tokens: string[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim()
    if (t === '' || t.startsWith('#')) continue
    if (t.length < MIN_TOKEN_LENGTH || /\s/.test(t)) {
      return { kind: 'error', path: ['auth', 'tokens_file'], problem: `${file}:${i + 1}: a token must be at least ${MIN_TOKEN_LENGTH} characters without spaces` }
    }
    tokens.push(t)
  }
  return { kind: 'ok', tokens }
}

/** Reads auth.tokens_file (if set) into auth.tokens, without duplicates. */
export function mergeTokensFile(config: Config): TokensFileRead {
  const file = config.auth.tokens_file
  if (file === '') return { kind: 'ok', tokens: config.auth.tokens }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return { kind: 'error', path: ['auth', 'tokens_file'], problem: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'error'}` }
  }
  const r = parseTokensFile(text, file)
  if (r.kind === 'error') return r
  const merged = [...new Set([...config.auth.tokens, ...r.tokens])]
  config.auth.tokens = merged
  return { kind: 'ok', tokens: merged }
}

/** Mode bits of a file, or undefined where they mean nothing (Windows) or the file is gone. */
function modeOf(file: string): number | undefined {
  if (process.platform === 'win32') return undefined
  try {
    return statSync(file).mode & 0o777
  } catch {
    return undefined
  }
}

const readableByAll = (mode: number | undefined) => mode !== undefined && (mode & 0o004) !== 0

/** Warnings for secrets kept in files that every local user can read. */
export function secretFileWarnings(config: Config, sources: Pick<ConfigSources, 'file' | 'values'>): string[] {
  const out: string[] = []
  if (sources.file !== undefined) {
    const inFile = Object.entries(sources.values)
      .filter(([dotted, src]) => src.kind === 'file' && isSecretPath(dotted.split('.')) && hasValue(config, dotted))
      .map(([dotted]) => dotted)
    const mode = modeOf(sources.file)
    if (inFile.length > 0 && readableByAll(mode)) {
      out.push(`${sources.file} holds secrets (${inFile.join(', ')}) and every local user can read it (mode ${mode!.toString(8).padStart(4, '0')}): chmod 600 it, or pass the secrets by environment`)
    }
  }
  const tf = config.auth.tokens_file
  if (tf !== '' && readableByAll(modeOf(tf))) {
    out.push(`auth.tokens_file ${tf} is readable by every local user (mode ${modeOf(tf)!.toString(8).padStart(4, '0')}): chmod 600 it`)
  }
  return out
}

function hasValue(config: Config, dotted: string): boolean {
  let cur: unknown = config
  for (const seg of dotted.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[seg] : undefined
  return Array.isArray(cur) ? cur.length > 0 : cur !== undefined && cur !== ''
}
