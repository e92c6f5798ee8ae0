/**
 * Nesting bound for parsed JSON (limits.max_json_depth). JSON.parse copes with any depth, but
 * later steps do not: JSON.stringify (the durable store) and structuredClone overflow the stack
 * at a few thousand levels, so a 200 KB `[[[[...]]]]` inside custom_details would fail deep in the
 * pipeline. Checked right after parsing; events are shallow, so the walk costs a few type checks.
 */

/** True when `value` nests arrays/objects deeper than `max` (a flat event object is depth 1). */
export function exceedsDepth(value: unknown, max: number): boolean {
  return deeper(value, max, 1)
}

function deeper(value: unknown, max: number, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (depth > max) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i]
      if (typeof v === 'object' && v !== null && deeper(v, max, depth + 1)) return true
    }
    return false
  }
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k]
    if (typeof v === 'object' && v !== null && deeper(v, max, depth + 1)) return true
  }
  return false
}
