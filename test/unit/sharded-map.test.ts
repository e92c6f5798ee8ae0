// The key history's map (src/dispatch/sharded-map.ts): split over shards so the collector
// rescans less, but to the history it must be a Map: same answers for every key, the same size,
// the same entries; and eviction takes each key once until none is left.
import { describe, expect, test } from 'bun:test'
import { ShardedMap } from '../../src/dispatch/sharded-map'

describe('sharded map', () => {
  test('answers as a Map does through a random mix of sets, overwrites, deletes and clears', () => {
    const m = new ShardedMap<number>()
    const ref = new Map<string, number>()
    let seed = 11
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let i = 0; i < 20_000; i++) {
      const k = `il1api-key-${Math.floor(rnd() * 3)}\nhost-${Math.floor(rnd() * 3000)}-cpu`
      const r = rnd()
      if (r < 0.6) {
        m.set(k, i)
        ref.set(k, i)
      } else if (r < 0.95) expect(m.delete(k)).toBe(ref.delete(k))
      else if (r < 0.9505) {
        m.clear()
        ref.clear()
      }
      expect(m.get(k)).toBe(ref.get(k))
      expect(m.size).toBe(ref.size)
    }
    expect(ref.size).toBeGreaterThan(1000)
    const sorted = (it: Iterable<[string, number]>) => [...it].sort(([a], [b]) => a.localeCompare(b))
    expect(sorted(m.entries())).toEqual(sorted(ref))
    expect(sorted(m)).toEqual(sorted(ref))
  })

  test('eviction removes each key once until none is left', () => {
    const m = new ShardedMap<string>()
    const keys = Array.from({ length: 5000 }, (_, i) => `ik\nkey-${i}`)
    for (const k of keys) m.set(k, 'open')
    const seen = new Set<string>()
    for (let k = m.evictOne(); k !== undefined; k = m.evictOne()) {
      expect(seen.has(k)).toBe(false)
      expect(m.get(k)).toBeUndefined()
      seen.add(k)
      expect(m.size).toBe(keys.length - seen.size)
    }
    expect(seen).toEqual(new Set(keys))
    expect(m.size).toBe(0)
  })

  test('deleting the current entry while iterating, as the history does when it gives up its baseline', () => {
    const m = new ShardedMap<string>()
    for (let i = 0; i < 3000; i++) m.set(`ik\nk${i}`, i % 3 === 0 ? 'unknown' : 'open')
    for (const [k, v] of m) if (v === 'unknown') m.delete(k)
    expect(m.size).toBe(2000)
    expect([...m].every(([, v]) => v === 'open')).toBe(true)
  })
})
