/**
 * Builds the effective Config once at start: YAML file ► environment overrides ► structural check
 * (unknown keys) ► schema defaults ► schema validation ► semantic checks. Any failure is one message
 * naming the key path and the problem, prefixed with file:line:col when the value came from the file
 * or suffixed with the variable name when it came from the environment.
 * Maps written in the file or env (mapping.priority_map, mapping.levels) replace the default map whole.
 */
import { readFileSync } from 'node:fs'
import { CONFIG_SCHEMA, checkConfig } from '../generated/checks'
import { schemaErrors } from '../pipeline/compiled'
import type { Config } from './schema'
import { applyDefaults } from './defaults'
import { isSecretPath } from './mask'
import { CONFIG_LEAVES, leafOf, orderBySchema } from './leaves'
import { readEnv } from './env'
import { parseYaml } from './yaml-source'
import { checkShape, type ShapeIssue } from './shape'
import { describeProblem, jsonPointerToPath, showValue } from './describe'
import { checkSemantics } from './semantic'
import { getPath, setPath } from './paths'
import { mergeTokensFile, secretFileWarnings } from './secret-files'
import { defaultDataDir } from './data-dir'

export type ValueSource = { kind: 'file' } | { kind: 'env'; variable: string }

export interface ConfigSources {
  /** The config file as given on the command line, if any. */
  file?: string
  /** Leaf dotted path → where its value came from. Leaves not listed have their schema default. */
  values: Record<string, ValueSource>
}

export type LoadResult =
  | { kind: 'ok'; config: Config; warnings: string[]; sources: ConfigSources }
  | { kind: 'error'; message: string }

export interface LoadOptions {
  file?: string
  env?: Readonly<Record<string, string | undefined>>
}

type Mapping = Record<string, unknown>
type Locate = (path: readonly string[]) => string | undefined

type FileRead = { kind: 'ok'; raw: Mapping; locate: Locate } | { kind: 'error'; message: string }

function readFile(file: string): FileRead {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message)
    return { kind: 'error', message: `cannot read config file ${file}: ${why}` }
  }
  const parsed = parseYaml(text, file)
  if (parsed.kind === 'error') return parsed
  const value = parsed.value ?? {} // an empty file (or only comments) means all defaults
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'error', message: `${file}: the top level must be a mapping of sections like "listen:" (got ${showValue(value)})` }
  }
  return { kind: 'ok', raw: value as Mapping, locate: parsed.locate }
}

export function loadConfig(opts: LoadOptions): LoadResult {
  const file = opts.file !== undefined ? readFile(opts.file) : { kind: 'ok' as const, raw: {}, locate: () => undefined }
  if (file.kind === 'error') return file
  const { raw, locate } = file
  const sources: ConfigSources = { ...(opts.file !== undefined ? { file: opts.file } : {}), values: {} }

  /** Error at `path`, located in the file or attributed to the env variable the value came from. */
  const at = (path: readonly string[], text: string, origin?: ValueSource): LoadResult => {
    const leaf = leafOf(path)
    const src = origin ?? (leaf ? sources.values[leaf.dotted] : undefined)
    if (src?.kind === 'env') return { kind: 'error', message: `${text} (from ${src.variable})` }
    const loc = src?.kind === 'file' || !leaf ? locate(path) : undefined
    return { kind: 'error', message: loc ? `${loc}: ${text}` : text }
  }
  const shapeError = (issue: ShapeIssue, origin?: ValueSource): LoadResult => {
    const dotted = issue.path.join('.')
    if (issue.kind === 'bad-value') return at(issue.path, `${dotted}: ${issue.problem}`, origin)
    const hint = issue.suggestion ? ` (did you mean "${issue.suggestion}"?)` : ''
    return at(issue.path, `unknown key "${dotted}"${hint}`, origin)
  }

  const fileIssue = checkShape(raw)
  if (fileIssue) return shapeError(fileIssue, { kind: 'file' })
  for (const leaf of CONFIG_LEAVES) if (getPath(raw, leaf.path) !== undefined) sources.values[leaf.dotted] = { kind: 'file' }

  const env = readEnv(opts.env ?? {})
  if (env.kind === 'error') return env
  for (const s of env.settings) {
    setPath(raw, s.path, s.value)
    sources.values[s.path.join('.')] = { kind: 'env', variable: s.variable }
  }
  const envIssue = checkShape(raw) // env JSON maps can carry unknown keys too
  if (envIssue) return shapeError(envIssue)

  // queue.path's default depends on where it runs ($STATE_DIRECTORY, HOME): see data-dir.ts.
  if (getPath(raw, ['queue', 'path']) === undefined) setPath(raw, ['queue', 'path'], defaultDataDir(opts.env ?? {}))

  const written = CONFIG_LEAVES.filter((l) => l.kind === 'record' && sources.values[l.dotted]).map((l) => ({ l, v: structuredClone(getPath(raw, l.path)) }))
  const config = applyDefaults(CONFIG_SCHEMA, raw) as Mapping
  for (const { l, v } of written) setPath(config, l.path, v) // defaults merge maps; a written map replaces

  const first = checkConfig(config) ? undefined : schemaErrors('config', config).First()
  if (first) {
    const path = jsonPointerToPath(first.path)
    const secret = isSecretPath(path)
    return at(path, `${path.join('.')}: ${describeProblem(first, secret)}`)
  }
  const typed = orderBySchema(CONFIG_SCHEMA, config as Config)
  const tokensFile = mergeTokensFile(typed)
  if (tokensFile.kind === 'error') return at(tokensFile.path, `${tokensFile.path.join('.')}: ${tokensFile.problem}`)
  const semantic = checkSemantics(typed)
  if (semantic.kind === 'error') return at(semantic.path, `${semantic.path.join('.')}: ${semantic.problem}`)
  return { kind: 'ok', config: typed, warnings: [...env.warnings, ...semantic.warnings, ...secretFileWarnings(typed, sources)], sources }
}

export { usesEmbeddedSimulator } from './embedded'
