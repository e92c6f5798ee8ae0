import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema } from '../../src/config/schema'
import { validateEvent } from '../../src/pipeline/validate'
import { createNormalizer } from '../../src/pipeline/normalize'
import { checkEvent } from '../../src/pipeline/event-check'
import { SCHEMAS } from '../../src/pipeline/schemas'

const eventCheck = () => ({ Check: (v: unknown) => Value.Check(SCHEMAS.event, v) })
import { corpus } from '../robustness/corpus'

const config = Value.Default(ConfigSchema, {}) as ReturnType<typeof Value.Default> & { mapping: any }
const normalizer = createNormalizer(config.mapping, 'il1api-default')

const seedEvent = {
  mcp_id: 'abc-123',
  source: 'monitoring-ng',
  priority: 2,
  summary: 'CPU usage above threshold',
  details: 'host: web-01, cpu: 92%',
}

function normalized(input: unknown) {
  const v = validateEvent(input)
  if (v.kind !== 'valid') throw new Error(`invalid: ${v.field} ${v.message}`)
  const n = normalizer.normalize(v.event)
  if (n.kind !== 'ok') throw new Error(`not normalized: ${n.field}`)
  return n.body
}

describe('event schema', () => {
  test("the seed README's quick-start event is valid", () => {
    expect(validateEvent(seedEvent).kind).toBe('valid')
  })

  const bad: [string, unknown, string][] = [
    ['priority out of range', { ...seedEvent, priority: 5 }, 'priority'],
    ['priority as string', { ...seedEvent, priority: '2' }, 'priority'],
    ['alert without summary', { mcp_id: 'x' }, 'summary'],
    ['unknown field', { ...seedEvent, host: 'web-01' }, 'host'],
    ['a field name with a slash', { ...seedEvent, 'a/b': 1 }, 'a/b'],
    ['unknown event type', { ...seedEvent, event_type: 'explode' }, 'event_type'],
    ['tags not strings', { ...seedEvent, tags: ['a', 3] }, 'tags.1'],
    ['link without href', { ...seedEvent, links: [{ text: 'x' }] }, 'links.0.href'],
    ['resolve without key', { event_type: 'resolve' }, 'alert_key'],
    ['not an object', [1, 2], '(root)'],
    ['null', null, '(root)'],
    ['unknown field inside a link', { ...seedEvent, links: [{ href: 'h', target: '_blank' }] }, 'links.0.target'],
    ['unknown field holding an object is named itself', { ...seedEvent, colour: { r: 1 } }, 'colour'],
    ['unknown field holding an array is named itself', { ...seedEvent, colour: [1] }, 'colour'],
    ['__proto__ as a field', JSON.parse('{"summary":"x","__proto__":{"polluted":1}}'), '__proto__'],
    ['label name over 128 characters', { ...seedEvent, labels: { ['n'.repeat(129)]: 'v' } }, 'labels'],
    ['a number JSON cannot carry (1e400 → Infinity)', { ...seedEvent, custom_details: { deep: [{ n: JSON.parse('1e400') }] } }, 'custom_details.deep.0.n'],
    ['a custom_details integer beyond 2^53 (would be rounded)', { ...seedEvent, custom_details: { id: JSON.parse('12345678901234567890') } }, 'custom_details.id'],
    ['a service id beyond 2^53 (would be rounded)', { ...seedEvent, services: [{ id: 2 ** 64 }] }, 'services.0.id'],
  ]
  test('custom_details numbers that JSON carries exactly stay valid (up to ±(2^53 − 1), fractions, exponents)', () => {
    const custom_details = { max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER, frac: 91.5, tiny: 1e-300, n: [0, -1, 3] }
    expect(validateEvent({ ...seedEvent, custom_details })).toEqual({ kind: 'valid', event: { ...seedEvent, custom_details } })
  })

  test('a custom_details number beyond 2^53 passes when its text is what ilert will get, and is refused when parsing changed it', () => {
    const exact = '{"summary":"x","custom_details":{"big":1e308,"id":12345678901234567000}}'
    expect(validateEvent(JSON.parse(exact), exact).kind).toBe('valid')
    const changed = '{"summary":"x","custom_details":{"big":1e308,"ids":[1,12345678901234567890]}}'
    expect(validateEvent(JSON.parse(changed), changed)).toMatchObject({ kind: 'invalid', field: 'custom_details.ids.1', message: expect.stringContaining('12345678901234567000') })
    // Without the text (MCP hands over parsed arguments) such a number cannot be checked: refused.
    expect(validateEvent(JSON.parse(exact))).toMatchObject({ kind: 'invalid', field: expect.stringMatching(/^custom_details\.(big|id)$/) })
  })

  test('a closed set or a range names what is allowed, and what was sent', () => {
    expect(validateEvent({ ...seedEvent, event_type: 'explode' })).toMatchObject({ field: 'event_type', message: 'must be one of alert, accept, resolve, comment (got "explode")' })
    expect(validateEvent({ ...seedEvent, priority: 7 })).toMatchObject({ field: 'priority', message: 'must be an integer from 1 to 4 (got 7)' })
    expect(validateEvent({ ...seedEvent, severity: 'high' })).toMatchObject({ field: 'severity', message: 'must be an integer from 1 to 5 (got "high")' })
    expect(validateEvent({ ...seedEvent, event_type: 'x'.repeat(10_000) })).toMatchObject({ message: expect.stringMatching(/\(got "x{36}\.\.\.\)$/) })
  })

  for (const [name, input, field] of bad) {
    test(`${name} → error names ${field}`, () => {
      const v = validateEvent(input)
      expect(v.kind).toBe('invalid')
      if (v.kind === 'invalid') expect(v.field).toBe(field)
    })
  }
})

describe('normalize', () => {
  test('seed event: priority 2 → high → HIGH, severity 2, alertKey from mcp_id, source kept', () => {
    const b = normalized(seedEvent)
    expect(b).toMatchObject({
      integrationKey: 'il1api-default',
      eventType: 'ALERT',
      summary: 'CPU usage above threshold',
      details: 'host: web-01, cpu: 92%',
      alertKey: 'abc-123',
      priority: 'HIGH',
      severity: 2,
      labels: { source: 'monitoring-ng' },
    })
    expect(b.customDetails).toMatchObject({ mcp_id: 'abc-123', source: 'monitoring-ng', mcp_priority: 2, level: 'high' })
  })

  test('the level table: critical/high are HIGH, medium/low are LOW', () => {
    const levels = [1, 2, 3, 4].map((p) => normalized({ ...seedEvent, priority: p }))
    expect(levels.map((b) => [b.priority, b.severity])).toEqual([
      ['HIGH', 1],
      ['HIGH', 2],
      ['LOW', 3],
      ['LOW', 4],
    ])
  })

  test('tags, labels, links, services, routing key and custom details all reach the ilert body', () => {
    const b = normalized({
      ...seedEvent,
      tags: ['disk', 'storage'],
      labels: { env: 'prod' },
      links: [{ href: 'https://grafana/x', text: 'dash' }],
      images: [{ src: 'https://img/x.png' }],
      services: [{ alias: 'checkout' }],
      routing_key: 'team-a',
      custom_details: { runbook: 'rb-7' },
      severity: 5,
    })
    expect(b.customDetails).toMatchObject({ tags: ['disk', 'storage'], runbook: 'rb-7' })
    expect(b.labels).toEqual({ source: 'monitoring-ng', env: 'prod' })
    expect(b.links).toEqual([{ href: 'https://grafana/x', text: 'dash' }])
    expect(b.images).toEqual([{ src: 'https://img/x.png' }])
    expect(b.services).toEqual([{ alias: 'checkout' }])
    expect(b.routingKey).toBe('team-a')
    expect(b.severity).toBe(5)
  })

  test('event_type and alert_key map to ilert names; alert_key wins over mcp_id', () => {
    const b = normalized({ event_type: 'resolve', alert_key: 'disk-1', mcp_id: 'evt-9' })
    expect(b.eventType).toBe('RESOLVE')
    expect(b.alertKey).toBe('disk-1')
    expect(b.summary.length).toBeGreaterThan(0)
  })

  test('per-event integration_key routes to another alert source', () => {
    expect(normalized({ ...seedEvent, integration_key: 'il1api-other' }).integrationKey).toBe('il1api-other')
  })

  test('no integration key anywhere → error naming integration_key', () => {
    const n = createNormalizer(config.mapping, '').normalize(seedEvent as never)
    expect(n).toMatchObject({ kind: 'invalid', field: 'integration_key' })
  })

  test('a priority_map entry pointing at a custom level uses that level', () => {
    const m = { ...config.mapping, priority_map: { ...config.mapping.priority_map, '4': 'info' } }
    const v = validateEvent({ ...seedEvent, priority: 4 })
    const n = createNormalizer(m, 'k').normalize((v as any).event)
    expect(n).toMatchObject({ kind: 'ok', body: { priority: 'LOW', severity: 5 } })
  })

  test('a priority that priority_map does not map, or maps to a level that does not exist, is refused naming priority', () => {
    const { '3': _, ...without3 } = config.mapping.priority_map
    const m = { ...config.mapping, priority_map: { ...without3, '4': 'no-such-level' } }
    const norm = createNormalizer(m, 'k')
    for (const p of [3, 4]) {
      const v = validateEvent({ ...seedEvent, priority: p })
      expect(norm.normalize((v as any).event)).toMatchObject({ kind: 'invalid', reason: 'unknown_priority', field: 'priority', message: `${p} has no level in mapping.priority_map/levels` })
    }
    expect(norm.normalize((validateEvent({ ...seedEvent, priority: 2 }) as any).event)).toMatchObject({ kind: 'ok', body: { priority: 'HIGH', severity: 2 } })
  })
})

describe('the hot-path check (checkEvent) is the schema (eventCheck)', () => {
  test('they agree on every parseable input of the bad-input corpus, and on unknown and prototype keys', () => {
    const dec = new TextDecoder()
    const values: unknown[] = [
      seedEvent,
      { ...seedEvent, extra: 1 },
      { ...seedEvent, Summary: 'x' },
      JSON.parse('{"summary":"x","__proto__":{"a":1}}'),
      JSON.parse('{"summary":"x","constructor":"y"}'),
      { summary: 'x', links: [{ href: 'h', text: 't', more: 1 }] },
      { summary: 'x', labels: { a: 'b' }, custom_details: { n: 1 } },
      [],
      null,
      'text',
    ]
    for (const group of Object.values(corpus('check'))) {
      for (const c of group) {
        try {
          values.push(JSON.parse(dec.decode(c.line)))
        } catch {
          // not JSON: never reaches validation
        }
      }
    }
    expect(values.length).toBeGreaterThan(100)
    let rejected = 0
    for (const v of values) {
      expect({ v, ok: checkEvent(v) }).toEqual({ v, ok: eventCheck().Check(v) })
      if (!eventCheck().Check(v)) rejected++
    }
    expect(rejected).toBeGreaterThan(20)
  })
})
