/**
 * Parses the config file. Two paths with one result:
 *   - fast: Bun.YAML (0.1 ms, native) when the file is plain block YAML whose keys this module can
 *     check for duplicates itself (blockKeys below); the `yaml` package (17 ms to load, 12-18 ms to
 *     parse cold: a fifth of the cold start) is then loaded only if an error must be located;
 *   - strict: the `yaml` package, for everything else and for every syntax error: Bun's parse
 *     errors carry no line/column of the YAML input (only of the calling JS), and it silently
 *     accepts duplicate keys.
 * Both follow YAML 1.2's core schema (checked on yes/no/on/off, octal, hex, 1_000, .inf, ~, dates).
 * Errors are `file:line:col: YAML syntax error: ...` and never quote the source line (it may hold a key).
 * `locate` points later errors at the offending key's line and column.
 */
import type { Document, LineCounter as LineCounterType } from 'yaml'

type YamlModule = typeof import('yaml')
let yamlModule: YamlModule | undefined
/** The `yaml` package, loaded on first use (kept out of the cold start of a valid plain config). */
function yaml(): YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as YamlModule)
}

export type YamlParse =
  | { kind: 'ok'; value: unknown; locate: (path: readonly string[]) => string | undefined }
  | { kind: 'error'; message: string }

export function parseYaml(text: string, label: string): YamlParse {
  if (blockKeys(text) === 'unique') {
    let value: unknown
    try {
      value = Bun.YAML.parse(text)
    } catch {
      value = undefined // the strict path says where and why
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      let strict: StrictDocument | undefined
      return { kind: 'ok', value, locate: locator(label, () => (strict ??= strictDocument(text))) }
    }
  }
  const strict = strictDocument(text)
  const { doc, lines } = strict
  const err = doc.errors[0]
  if (err) {
    const { line, col } = lines.linePos(err.pos[0])
    const hint = err.code === 'BLOCK_AS_IMPLICIT_KEY' ? ' (is the next line indented too far?)' : ''
    return { kind: 'error', message: `${label}:${line}:${col}: YAML syntax error: ${firstLine(err.message)}${hint}` }
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 100 })
  } catch (e) {
    // Unresolved or excessive aliases surface only here.
    return { kind: 'error', message: `${label}: YAML error: ${firstLine(e instanceof Error ? e.message : String(e))}` }
  }
  return { kind: 'ok', value, locate: locator(label, () => strict) }
}

type StrictDocument = { doc: Document; lines: LineCounterType }

/** `file:line:col` of the key at a path, in the document `get` gives (parsed only when first asked). */
function locator(label: string, get: () => StrictDocument): (path: readonly string[]) => string | undefined {
  return (path) => {
    const { doc, lines } = get()
    const pos = findOffset(doc, path)
    if (pos === undefined) return undefined
    const { line, col } = lines.linePos(pos)
    return `${label}:${line}:${col}`
  }
}

function strictDocument(text: string): StrictDocument {
  const y = yaml()
  const lines = new y.LineCounter()
  return { doc: y.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true }), lines }
}

const firstLine = (s: string) => s.split('\n')[0]!.trim()

/** A plain key: a name, or decimal digits (the priority map's severities). */
const KEY = /^([A-Za-z0-9_][A-Za-z0-9_.\-/]*)[ ]*:(?:[ ]+|$)/

/**
 * The key as YAML compares it: digits are an integer (1 and 01 are one key), a name is itself.
 * undefined for a key whose value YAML reads otherwise (true/True, 1.5, 0x1F): the strict way.
 */
function keyOf(k: string): string | undefined {
  if (/^[0-9]+$/.test(k)) return `#${BigInt(k)}`
  if (/^[0-9]/.test(k) || /^(true|false|null)$/i.test(k)) return undefined
  return k
}
/** Starts of a value or line this scan does not follow: flow collections, anchors, aliases, tags, block scalars, quotes left open. */
const UNSURE_START = /^[{[&*!|>%@`?<]/

/**
 * 'unique' when `text` is plain block YAML (mappings and sequences, one key per line, plain
 * identifier keys, one-line scalars, comments) with no key twice in one mapping; 'unsure' for
 * anything else (then the strict parser decides, duplicates included). Never says 'unique' for a
 * document this scan does not fully follow.
 */
export function blockKeys(text: string): 'unique' | 'unsure' {
  const frames: { indent: number; keys: Set<string> }[] = []
  let keys = 0
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    let i = 0
    while (line.charCodeAt(i) === 32) i++
    if (i === line.length || line[i] === '#') continue
    if (line[i] === '\t' || line.startsWith('---') || line.startsWith('...')) return 'unsure'
    // Sequence items: each "- " opens a new mapping deeper than the dash.
    let sawDash = false
    while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ')) {
      while (frames.length > 0 && frames.at(-1)!.indent > i) frames.pop()
      sawDash = true
      i++
      while (line.charCodeAt(i) === 32) i++
    }
    const rest = line.slice(i)
    if (rest === '' || rest[0] === '#') continue
    if (UNSURE_START.test(rest)) return 'unsure'
    const m = KEY.exec(rest)
    if (m === null) {
      if (sawDash && scalarIsPlain(rest)) continue // a scalar item
      return 'unsure' // a continuation line, a quoted, numeric or complex key
    }
    const key = keyOf(m[1]!)
    if (key === undefined) return 'unsure'
    const value = rest.slice(m[0].length)
    if (value !== '' && value[0] !== '#' && !(oneLineFlow(value) ?? (!UNSURE_START.test(value) && scalarIsPlain(value)))) return 'unsure'
    while (frames.length > 0 && frames.at(-1)!.indent > i) frames.pop()
    const top = frames.at(-1)
    if (top !== undefined && top.indent === i) {
      if (top.keys.has(key)) return 'unsure' // a duplicate: the strict parser reports it
      top.keys.add(key)
    } else frames.push({ indent: i, keys: new Set([key]) })
    keys++
  }
  return keys > 0 ? 'unique' : 'unsure'
}

/**
 * For a value that is a flow collection on one line ({ a: 1, b: x } or [a, b]) with no nesting
 * and no quotes: true when its keys are unique. undefined: not a flow collection; false: one this
 * scan does not follow (or a duplicate).
 */
function oneLineFlow(v: string): boolean | undefined {
  const open = v[0]
  if (open !== '{' && open !== '[') return undefined
  const close = open === '{' ? '}' : ']'
  const end = v.indexOf(close)
  if (end < 0 || !/^\s*(#.*)?$/.test(v.slice(end + 1))) return false
  const inner = v.slice(1, end)
  if (/[{}[\]"'&*!|>%@`?<#]/.test(inner)) return false
  if (open === '[') return true
  const keys = new Set<string>()
  for (const part of inner.split(',')) {
    const item = part.trim()
    if (item === '') continue
    const m = KEY.exec(item)
    const k = m === null ? undefined : keyOf(m[1]!)
    if (k === undefined || keys.has(k)) return false
    keys.add(k)
  }
  return true
}

/** A one-line scalar: plain, or quoted and closed on this line (a comment may follow). */
function scalarIsPlain(v: string): boolean {
  const q = v[0]
  if (q !== '"' && q !== "'") return true
  for (let i = 1; i < v.length; i++) {
    if (q === '"' && v[i] === '\\') {
      i++
      continue
    }
    if (v[i] === q) {
      if (q === "'" && v[i + 1] === "'") {
        i++
        continue
      }
      return /^\s*(#.*)?$/.test(v.slice(i + 1))
    }
  }
  return false
}

/** Offset of the key at `path` (or of the deepest ancestor key present). Keys compare as strings, so `1:` matches "1". */
function findOffset(doc: Document, path: readonly string[]): number | undefined {
  const { isMap, isScalar } = yaml()
  let node: unknown = doc.contents
  let offset: number | undefined
  for (const seg of path) {
    if (!isMap(node)) break
    const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === seg)
    if (!pair) break
    if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0]
    node = pair.value
  }
  return offset
}
