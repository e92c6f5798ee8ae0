// src/generated/checks.ts is what validates every input at run time without TypeBox. It must be
// exactly what scripts/gen-checks.ts makes from today's schemas (a schema changed without
// regenerating fails here), its checks must accept and refuse what TypeBox's own do, and the
// config loader's defaults must be TypeBox's Value.Default.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { GENERATED_FILE, generateChecks } from '../../scripts/gen-checks'
import { applyDefaults } from '../../src/config/defaults'
import { parseYaml } from '../../src/config/yaml-source'
import * as generated from '../../src/generated/checks'
import { SCHEMAS } from '../../src/pipeline/schemas'

const ROOT = join(import.meta.dir, '..', '..')

describe('generated checks', () => {
  test('the file is what the generator makes from the current schemas (else: bun scripts/gen-checks.ts)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8') === generateChecks()).toBe(true)
  })

  test('the config schema as JSON is the TypeBox schema without its symbols', () => {
    expect(generated.CONFIG_SCHEMA).toEqual(JSON.parse(JSON.stringify(SCHEMAS.config)))
    expect(JSON.stringify(generated.CONFIG_SCHEMA)).toBe(JSON.stringify(SCHEMAS.config))
  })

  test('each generated check agrees with TypeBox on valid and invalid values', () => {
    const cases: [(v: unknown) => boolean, 'eventProperties' | 'ilertEvent' | 'alertmanagerPayload' | 'alertmanagerAlert', unknown[]][] = [
      [generated.checkEventProperties, 'eventProperties', [{ summary: 'x' }, { summary: '' }, { priority: 5 }, { tags: ['a', 1] }, { labels: { a: 'b' } }, { labels: { a: 1 } }, null, []]],
      [generated.checkIlertEvent, 'ilertEvent', [{ integrationKey: 'k', eventType: 'ALERT' }, { integrationKey: 'k', eventType: 'alert' }, { integrationKey: '', eventType: 'ALERT' }, { integrationKey: 'k', eventType: 'RESOLVE', severity: 9 }, {}]],
      [generated.checkAlertmanagerPayload, 'alertmanagerPayload', [{ version: '4', alerts: [] }, { version: 4, alerts: [] }, { version: '4' }]],
      [generated.checkAlertmanagerAlert, 'alertmanagerAlert', [{ status: 'firing', labels: {} }, { status: 'pending', labels: {} }, { status: 'resolved', labels: { a: 1 } }]],
    ]
    let refused = 0
    for (const [check, name, values] of cases) {
      for (const v of values) {
        expect({ name, v, ok: check(v) }).toEqual({ name, v, ok: Value.Check(SCHEMAS[name], v) })
        if (!check(v)) refused++
      }
    }
    expect(refused).toBeGreaterThan(10)
  })
})

describe('config defaults without TypeBox', () => {
  const partials: unknown[] = [
    {},
    { listen: { port: 9000 } },
    { mapping: { priority_map: { '1': 'high' } } },
    { mapping: { levels: { page: { priority: 'HIGH', severity: 1 } } } },
    { queue: { durable: false }, tcp: { enabled: false } },
    { mcp: { tokens: [{ token: 'x', ilert_api_key: 'y' }] } },
    { dispatch: { storm: { source_names: [{ integration_key: 'k', name: 'n' }] } } },
    { auth: { tokens: ['a', 'b'] } },
    { logging: {} },
    { listen: 'not a mapping' },
  ]
  for (const f of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'))) {
    const parsed = parseYaml(readFileSync(join(ROOT, 'examples', f), 'utf8'), f)
    if (parsed.kind === 'ok') partials.push(parsed.value ?? {})
  }

  test('are Value.Default over every example config and a corpus of partial ones', () => {
    expect(partials.length).toBeGreaterThan(12)
    for (const p of partials) {
      const ours = applyDefaults(generated.CONFIG_SCHEMA, structuredClone(p))
      const typebox = Value.Default(SCHEMAS.config, structuredClone(p))
      expect({ p, ours }).toEqual({ p, ours: typebox })
    }
  })
})
