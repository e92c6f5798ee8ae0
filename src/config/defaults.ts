/**
 * Fills in a config's defaults from the config schema as JSON (src/generated/checks.ts), as
 * TypeBox's Value.Default does, without loading TypeBox. Like Value.Default it mutates and returns
 * the value, and a section given in the file is merged over the section's own default. Only the
 * kinds this schema has are walked: objects and arrays; maps (mapping.priority_map, levels) and
 * unions take their own default whole, since their members carry none (the config schema has no
 * additionalProperties schema either). test/unit/generated-checks.test.ts holds this equal to
 * Value.Default over every example config and a corpus of partial ones, maps included.
 */
import { isMapping, type Mapping } from './paths'

type Schema = Mapping

function valueOrDefault(schema: Schema, value: unknown): unknown {
  const clone = 'default' in schema ? structuredClone(schema.default) : undefined
  if (value === undefined) return clone
  return isMapping(value) && isMapping(clone) ? Object.assign(clone, value) : value
}

function visit(schema: Schema, value: unknown): unknown {
  if (schema.type === 'object' && isMapping(schema.properties)) {
    const defaulted = valueOrDefault(schema, value)
    if (!isMapping(defaulted)) return defaulted
    for (const [key, child] of Object.entries(schema.properties as Record<string, Schema>)) {
      const v = visit(child, defaulted[key])
      if (v !== undefined) defaulted[key] = v
    }
    return defaulted
  }
  if (schema.type === 'array' && isMapping(schema.items)) {
    const defaulted = Array.isArray(value) ? value : valueOrDefault(schema, value)
    if (!Array.isArray(defaulted)) return defaulted
    for (let i = 0; i < defaulted.length; i++) defaulted[i] = visit(schema.items, defaulted[i])
    return defaulted
  }
  return valueOrDefault(schema, value)
}

/** The config `value` with every default the schema gives filled in (mutates `value`). */
export function applyDefaults(schema: object, value: unknown): unknown {
  return visit(schema as Schema, value)
}
