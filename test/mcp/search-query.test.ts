// How search reads a query (src/ingest/mcp/tools/search-query.ts): ids, kinds, states, windows,
// stop words and plurals, and how it scores a match.
import { describe, expect, test } from 'bun:test'
import { parseQuery, score, stem } from '../../src/ingest/mcp/tools/search-query'

const NOW = Date.parse('2026-03-02T12:00:00Z')

describe('parseQuery', () => {
  test('a question keeps only the words that can match, and turns kind and state words into filters', () => {
    const q = parseQuery('What alerts are open for payments?', NOW)
    expect(q.terms).toEqual(['payment'])
    expect([...q.kinds]).toEqual(['alert'])
    expect(q.alertStates).toEqual(['PENDING', 'ACCEPTED'])
    expect(q.refs).toEqual([])
  })

  test('kind:id (also "#id" and plural kinds) names objects; other words still search', () => {
    expect(parseQuery('alert:2', NOW)).toMatchObject({ refs: [{ kind: 'alert', id: 2 }], terms: [] })
    expect(parseQuery('incidents:#3 and checkout', NOW)).toMatchObject({ refs: [{ kind: 'incident', id: 3 }], terms: ['checkout'] })
  })

  test('state words narrow to the kinds they concern; relative windows and today set from', () => {
    const pending = parseQuery('pending disk', NOW)
    expect([...pending.kinds]).toEqual(['alert'])
    expect(pending.incidentStates).toBeUndefined()
    expect([...parseQuery('monitoring', NOW).kinds]).toEqual(['incident'])
    expect(parseQuery('disk 2h', NOW).fromMs).toBe(NOW - 2 * 3_600_000)
    expect(parseQuery('today', NOW).fromMs).toBe(Date.parse('2026-03-02T00:00:00Z'))
    expect([...parseQuery('db-02 disk', NOW).kinds].sort()).toEqual(['alert', 'incident', 'service'])
  })

  test('stem folds plurals and leaves short words alone', () => {
    expect(['payments', 'policies', 'boxes', 'status', 'disk', 'gas'].map(stem)).toEqual(['payment', 'policy', 'box', 'status', 'disk', 'gas'])
  })
})

describe('score', () => {
  test('any term matches; more terms, a title hit and an id rank higher; no terms matches everything', () => {
    const none = score(['zzz'], 2, 'Card payment failure rate', ['psp'])
    const one = score(['payment', 'zzz'], 2, 'x', ['card payment'])
    const title = score(['payment'], 2, 'Card payment failure rate', [])
    const two = score(['payment', 'psp'], 2, 'Card payment failure rate', ['psp'])
    expect(none).toBe(0)
    expect(one).toBeGreaterThan(0)
    expect(title).toBeGreaterThan(one)
    expect(two).toBeGreaterThan(title)
    expect(score(['2'], 2, 'x', [])).toBe(3)
    expect(score([], 9, 'anything', [])).toBe(1)
  })
})
