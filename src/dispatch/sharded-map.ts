/**
 * A string-keyed map split over many small Maps, for the key history (up to 200,000 keys).
 * JSC keeps a Map's entries in one table, and once the table is written to after a collection,
 * the next young-generation collection rescans all of it: with 100,000+ keys and 10,000 new ones a
 * second, each of those collections took 5-67 ms of the one core the bridge runs on (bench/
 * PROFILE.md, ninth pass). Over 4,096 shards a collection rescans only the shards written since
 * the last one. Measured alone (150,000 inserts with per-insert garbage): collection cycles 439-462
 * ms with one Map, 90-94 ms sharded. Shards are created on first use, so an idle bridge has none.
 */
import { fnv1a } from '../security/digest'

const SHARDS = 4096

/** FNV-1a over the last 24 characters (where the alert key differs), to pick a shard. */
const shardOf = (k: string): number => fnv1a(k, k.length > 24 ? k.length - 24 : 0) & (SHARDS - 1)

export class ShardedMap<V> {
  private shards: (Map<string, V> | undefined)[] = new Array(SHARDS)
  private count = 0
  /** Where the next eviction looks first (round-robin over shards). */
  private cursor = 0

  get size(): number {
    return this.count
  }

  get(k: string): V | undefined {
    return this.shards[shardOf(k)]?.get(k)
  }

  set(k: string, v: V): void {
    const i = shardOf(k)
    let m = this.shards[i]
    if (m === undefined) this.shards[i] = m = new Map()
    const before = m.size
    m.set(k, v)
    this.count += m.size - before
  }

  delete(k: string): boolean {
    const m = this.shards[shardOf(k)]
    if (m === undefined || !m.delete(k)) return false
    this.count--
    return true
  }

  clear(): void {
    this.shards = new Array(SHARDS)
    this.count = 0
  }

  /** Every entry, shard by shard (each shard in insertion order). Deleting the current one is allowed. */
  *entries(): IterableIterator<[string, V]> {
    for (const m of this.shards) if (m !== undefined) yield* m
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }

  /**
   * Removes one entry, the oldest of the next shard that has any, and returns its key (undefined
   * when empty). Not the oldest overall, which only the single Map knew; the history evicts only
   * where any key may go (its baseline is then "unknown").
   */
  evictOne(): string | undefined {
    if (this.count === 0) return undefined
    for (let n = 0; n < SHARDS; n++) {
      const m = this.shards[this.cursor]
      this.cursor = (this.cursor + 1) & (SHARDS - 1)
      if (m === undefined || m.size === 0) continue
      const k = m.keys().next().value as string
      m.delete(k)
      this.count--
      return k
    }
    return undefined
  }
}
