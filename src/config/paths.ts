/** Small helpers to read and write a nested value by path; shared by the loader, env merge and masking. */

export type Mapping = Record<string, unknown>
export const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v)

export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj
  for (const seg of path) {
    if (!isMapping(cur) || !Object.hasOwn(cur, seg)) return undefined
    cur = cur[seg]
  }
  return cur
}

/** Sets `value` at `path`, creating (or replacing non-mapping) intermediate sections. */
export function setPath(obj: Mapping, path: readonly string[], value: unknown): void {
  let cur = obj
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg]
    if (!isMapping(next)) cur[seg] = {}
    cur = cur[seg] as Mapping
  }
  cur[path[path.length - 1]!] = value
}
