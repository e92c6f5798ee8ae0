/**
 * Fills in a config's defaults from the config schema as JSON (src/generated/checks.ts), the way
 * TypeBox's Value.Default does for the kinds this schema uses (objects, records, arrays, unions,
 * scalars), without loading TypeBox. Like Value.Default it mutates and returns the value, and a
 * section given in the file is merged over the section's own default. test/unit/config-defaults.test.ts
 * holds the two equal over every example config and a corpus of partial ones.
 */
type Schema = Record<string, unknown>
type Mapping = Record<string, unknown>

const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v)
const isSchema = (v: unknown): v is Schema => isMapping(v)

function valueOrDefault(schema: Schema, value: unknown): unknown {
  const clone = 'default' in schema ? structuredClone(schema.default) : undefined
  if (value === undefined) return clone
  return isMapping(value) && isMapping(clone) ? Object.assign(clone, value) : value
}

function fromObject(schema: Schema & { properties: Record<string, Schema> }, value: unknown): unknown {
  const defaulted = valueOrDefault(schema, value)
  if (!isMapping(defaulted)) return defaulted
  for (const [key, child] of Object.entries(schema.properties)) {
    const v = visit(child, defaulted[key])
    if (v !== undefined) defaulted[key] = v
  }
  const extra = schema.additionalProperties
  if (!isSchema(extra) || !('default' in extra)) return defaulted
  for (const key of Object.keys(defaulted)) if (!Object.hasOwn(schema.properties, key)) defaulted[key] = visit(extra, defaulted[key])
  return defaulted
}

function fromRecord(schema: Schema & { patternProperties: Record<string, Schema> }, value: unknown): unknown {
  const defaulted = valueOrDefault(schema, value)
  if (!isMapping(defaulted)) return defaulted
  const [pattern, child] = Object.entries(schema.patternProperties)[0]!
  const known = new RegExp(pattern)
  if ('default' in child) for (const key of Object.keys(defaulted)) if (known.test(key)) defaulted[key] = visit(child, defaulted[key])
  return defaulted
}

function fromArray(schema: Schema & { items: Schema }, value: unknown): unknown {
  const defaulted = Array.isArray(value) ? value : valueOrDefault(schema, value)
  if (!Array.isArray(defaulted)) return defaulted
  for (let i = 0; i < defaulted.length; i++) defaulted[i] = visit(schema.items, defaulted[i])
  return defaulted
}

function visit(schema: Schema, value: unknown): unknown {
  if (schema.type === 'object' && isSchema(schema.properties)) return fromObject(schema as Schema & { properties: Record<string, Schema> }, value)
  if (schema.type === 'object' && isSchema(schema.patternProperties)) return fromRecord(schema as Schema & { patternProperties: Record<string, Schema> }, value)
  if (schema.type === 'array' && isSchema(schema.items)) return fromArray(schema as Schema & { items: Schema }, value)
  // A union (the config's are of literals, which have no defaults of their own) and a scalar alike.
  return valueOrDefault(schema, value)
}

/** The config `value` with every default the schema gives filled in (mutates `value`). */
export function applyDefaults(schema: object, value: unknown): unknown {
  return visit(schema as Schema, value)
}
