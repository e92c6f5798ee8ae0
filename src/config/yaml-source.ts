/**
 * Parses the config file with the `yaml` package rather than Bun.YAML: Bun's parse errors carry no
 * line/column of the YAML input (only of the calling JS), and it silently accepts duplicate keys.
 * Errors are `file:line:col: YAML syntax error: ...` and never quote the source line (it may hold a key).
 * Also keeps the document so later errors can point at the offending key's line and column.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Document } from 'yaml'

export type YamlParse =
  | { kind: 'ok'; value: unknown; locate: (path: readonly string[]) => string | undefined }
  | { kind: 'error'; message: string }

export function parseYaml(text: string, label: string): YamlParse {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
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
  const locate = (path: readonly string[]) => {
    const pos = findOffset(doc, path)
    if (pos === undefined) return undefined
    const { line, col } = lines.linePos(pos)
    return `${label}:${line}:${col}`
  }
  return { kind: 'ok', value, locate }
}

const firstLine = (s: string) => s.split('\n')[0]!.trim()

/** Offset of the key at `path` (or of the deepest ancestor key present). Keys compare as strings, so `1:` matches "1". */
function findOffset(doc: Document, path: readonly string[]): number | undefined {
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
