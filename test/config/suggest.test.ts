import { describe, expect, test } from 'bun:test'
import { didYouMean, levenshtein } from '../../src/config/suggest'

describe('levenshtein', () => {
  test.each([
    ['', '', 0], ['a', '', 1], ['', 'abc', 3], ['kitten', 'sitting', 3], ['per_minuet', 'per_minute', 2], ['abc', 'abc', 0],
  ])('%s / %s = %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d)
    expect(levenshtein(b, a)).toBe(d)
  })
})

describe('didYouMean', () => {
  const keys = ['per_minute', 'per_key_per_minute', 'window_seconds', 'tcp', 'tls']
  test('close typo', () => expect(didYouMean('per_minuet', keys)).toBe('per_minute'))
  test('case and separators do not count', () => expect(didYouMean('PerKey-PerMinute', keys)).toBe('per_key_per_minute'))
  test('nothing close', () => expect(didYouMean('banana', keys)).toBeUndefined())
  test('short words need a closer match', () => {
    expect(didYouMean('tpc', keys)).toBeUndefined() // 2 edits from tcp: too far for a 3-letter word
    expect(didYouMean('tsl', ['tls'])).toBeUndefined()
    expect(didYouMean('tcx', keys)).toBe('tcp')
  })
  test('an exact match is not a suggestion', () => expect(didYouMean('tcp', ['tcp'])).toBeUndefined())
})
