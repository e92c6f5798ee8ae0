/**
 * Builds the store config.queue asks for: the write-ahead log under the lanes (durable, the
 * default, open-durable.ts, loaded only then), the shared NATS JetStream store, or the lanes alone
 * in memory; and, for each, how a replay moves dead letters back into it.
 */
import type { Config } from '../config/schema'
import type { RateShape } from '../dispatch/lanes'
import type { IlertEventBody } from '../pipeline/ilert-event'
import { type DeadLetterStore, MemoryDeadLetters, type ReplayReport, type Requeue, type Selection } from './dead-letters'
import type { EventStore } from './event-store'
import type { LogStoreEvents } from './log-store'
import { MemoryStore } from './memory-store'
import type { InvalidStored } from './replay-invalid'
import { localQueue, requeueInto } from './requeue'
import type { Registry } from '../observability/prom'

export interface QueueStore {
  /** shared: the NATS JetStream store (queue.backend: nats), one stream for several bridges. */
  kind: 'durable' | 'memory' | 'shared'
  store: EventStore
  deadLetters: DeadLetterStore
  /**
   * Moves dead letters back into the store at their place in their alert key's order (attempts
   * reset); ones that newer delivered events superseded go back only with `force`.
   */
  replay(sel: Selection, force?: boolean): Promise<ReplayReport>
  purge(sel: Selection): number
  /** Events of a 0.1 store moved into the log at this start. */
  migrated: number
  close(): void | Promise<void>
}

export interface OpenOptions {
  rate: RateShape
  deadLetterCapacity: number
  /** Rebuilds an ilert body from a stored raw event (validate + normalize). */
  decodeRaw(text: string): IlertEventBody | undefined
  /**
   * Why a stored raw event no longer validates: with it, a start moves such events to the dead
   * letters (replay_invalid) instead of dropping them, then reports what it did in `invalidAtStart`.
   */
  explainRaw?(text: string): InvalidStored
  invalidAtStart?(r: { deadLettered: number; dropped: number; error: string }): void
  events?: LogStoreEvents
  /** Test hook: the store's fdatasync. */
  syncFn?: (fd: number) => Promise<void>
  /** queue.backend: nats: its settings, metrics registry and logger. */
  nats?: { config: Config['nats']; registry: Registry; log: { debug(m: string, f?: object): void; info(m: string, f?: object): void; warn(m: string, f?: object): void; error(m: string, f?: object): void } }
}

export async function openQueueStore(q: Config['queue'], opts: OpenOptions): Promise<QueueStore> {
  if (q.backend === 'nats') {
    if (!opts.nats) throw new Error('queue.backend: nats needs the nats settings')
    const { openNatsStore } = await import('./nats/open')
    const { store, deadLetters, nc } = await openNatsStore(opts.nats.config, q.capacity, q.max_memory_bytes, opts.rate, opts.nats.registry, opts.nats.log)
    return {
      kind: 'shared',
      store,
      deadLetters,
      // A shared store orders by stream position: replayed events are appended (seq 0), not placed.
      replay: (sel, force) => deadLetters.replay(sel, (items) => requeueInto(store, items.map((i) => ({ body: i.body, seq: 0 }))), force),
      purge: (sel) => deadLetters.purge(sel),
      migrated: 0,
      async close() {
        await store.close()
        await deadLetters.flushed()
        await nc.drain().catch(() => undefined)
      },
    }
  }
  if (!q.durable) {
    const store = new MemoryStore(q.capacity, opts.rate, q.max_memory_bytes)
    return localQueue('memory', store, new MemoryDeadLetters(opts.deadLetterCapacity), 0, () => undefined)
  }
  const { openDurableStore } = await import('./open-durable') // bun:sqlite and the log: loaded only when used
  return openDurableStore(q, opts)
}
