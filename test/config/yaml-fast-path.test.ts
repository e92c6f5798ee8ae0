// The config parser's fast path (Bun.YAML behind a duplicate-key scan, src/config/yaml-source.ts)
// must give exactly what the strict `yaml` package gives, and must hand every document it cannot
// fully follow (and every duplicate) to the strict parser, so errors keep their line and column.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { blockKeys, parseYaml } from '../../src/config/yaml-source'

const ROOT = join(import.meta.dir, '..', '..')
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(ROOT, 'examples', f))

const PLAIN = [
  'listen:\n  port: 8080\n  address: 127.0.0.1\n',
  'a: yes\nb: no\nc: on\nd: 0755\ne: 0x1F\nf: 1_000\ng: .inf\nh: ~\ni: 2001-12-14\nj: 12:30:00\nk: "x # y"\nl: \'it\'\'s\' # c\n',
  'mapping:\n  priority_map:\n    critical: { priority: HIGH, severity: 1 }\n    low: {priority: LOW}\n  list: [a, b, c]\n',
  'auth:\n  tokens:\n    - name: a\n      token: x\n    - name: b\n      token: y\n  other: 1\n',
  'seq:\n- a\n- b\nnext:\n  - - nested\n    - twice\n',
  'x:\n  -\n    name: a\n  -\n    name: a\n',
  'a: 1\r\nb:\r\n  c: 2\r\n',
]

const UNSURE = [
  'a: &x 1\nb: *x\n', // anchors and aliases
  'a: |\n  text\n  more\n', // block scalar
  'a: this is\n  continued\n', // multi-line plain scalar
  '"quoted key": 1\n',
  '? complex\n: key\n',
  '---\na: 1\n---\nb: 2\n',
  'a: { b: { c: 1 } }\n', // nested flow
  'a: "open\n  quote"\n',
  'base: &b {x: 1}\nc:\n  <<: *b\n',
  '\ta: 1\n',
  'true: a\nTrue: b\n', // one key to YAML (the boolean), two as text
  '1.5: a\n',
  '# only comments\n',
]

const DUPLICATES = ['1: a\n01: b\n' /* one key to YAML: the integer 1 */, 'a: 1\na: 2\n', 'listen:\n  port: 1\n  port: 2\n', 'x:\n  - n: 1\n    n: 2\n', 'm: { a: 1, a: 2 }\n']

describe('config YAML fast path', () => {
  test('the shipped examples take the fast path and parse exactly as the yaml package parses them', () => {
    for (const file of examples) {
      const text = readFileSync(file, 'utf8')
      expect(blockKeys(text)).toBe('unique')
      const r = parseYaml(text, file)
      expect(r.kind).toBe('ok')
      if (r.kind === 'ok') expect(r.value).toEqual(parse(text))
    }
  })

  test('plain block documents: the same values either way', () => {
    for (const text of PLAIN) {
      expect(blockKeys(text)).toBe('unique')
      const r = parseYaml(text, 'F')
      expect(r).toMatchObject({ kind: 'ok' })
      if (r.kind === 'ok') expect(r.value).toEqual(parse(text))
    }
  })

  test('what the scan does not follow goes to the strict parser, which gives the same values', () => {
    for (const text of UNSURE) {
      expect(blockKeys(text)).toBe('unsure')
      let strict: unknown
      try {
        strict = parse(text, { uniqueKeys: true })
      } catch {
        continue // multi-document and the like: the strict path reports them (errors.test.ts)
      }
      const r = parseYaml(text, 'F')
      if (r.kind === 'ok') expect(r.value).toEqual(strict)
    }
  })

  test('a duplicate key is never taken by the fast path: the strict parser names its line and column', () => {
    for (const text of DUPLICATES) {
      expect(blockKeys(text)).toBe('unsure')
      const r = parseYaml(text, 'F')
      expect(r.kind).toBe('error')
      if (r.kind === 'error') expect(r.message).toMatch(/^F:\d+:\d+: YAML syntax error: Map keys must be unique/)
    }
  })

  test('a later error on a fast-path document still points at the key', () => {
    const r = parseYaml('listen:\n  address: 127.0.0.1\n  port: 99999\n', 'F')
    expect(r.kind).toBe('ok')
    if (r.kind === 'ok') expect(r.locate(['listen', 'port'])).toBe('F:3:3')
  })
})
