/**
 * Builds the store config.queue asks for: the write-ahead log under the lanes (durable, the
 * default) with its SQLite dead letters, or the lanes alone in memory. Also the one place that
 * knows how a replay moves dead letters back into each kind of store, and how a queue.path
 * written by 0.1 (its per-event SQLite table) is migrated into the log on first start.
 */
import type { Config } from '../config/schema'
import type { RateShape } from '../dispatch/lanes'
import { type IlertEventBody, laneKeyFor } from '../pipeline/ilert-event'
import { type DeadLetterStore, MemoryDeadLetters, type Selection } from './dead-letters'
import type { EventStore } from './event-store'
import { LogStore, type LogStoreEvents } from './log-store'
import { MemoryStore } from './memory-store'
import { dropLegacyEvents, legacyEvents, openDeadLetterDb } from './sqlite-db'
import { SqliteDeadLetters } from './sqlite-dead-letters'
import type { Registry } from '../observability/prom'

export interface QueueStore {
  /** shared: the NATS JetStream store (queue.backend: nats), one stream for several bridges. */
  kind: 'durable' | 'memory' | 'shared'
  store: EventStore
  deadLetters: DeadLetterStore
  /** Moves dead letters back into the store (attempts reset); resolves with how many moved. */
  replay(sel: Selection): Promise<number>
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
  events?: LogStoreEvents
  /** Test hook: the store's fdatasync. */
  syncFn?: (fd: number) => Promise<void>
  /** queue.backend: nats: its settings, metrics registry and logger. */
  nats?: { config: Config['nats']; registry: Registry; log: { info(m: string, f?: object): void; warn(m: string, f?: object): void; error(m: string, f?: object): void } }
}

/** Offers ilert bodies to the store and commits them; resolves with how many were stored. */
async function requeueInto(store: EventStore, bodies: IlertEventBody[]): Promise<number> {
  let n = 0
  for (const body of bodies) {
    if (store.offer({ id: 0, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }, undefined).kind !== 'accepted') break
    n++
  }
  const r = await store.commit()
  return r.kind === 'ok' ? n : 0
}

export async function openQueueStore(q: Config['queue'], opts: OpenOptions): Promise<QueueStore> {
  if (q.backend === 'nats') {
    if (!opts.nats) throw new Error('queue.backend: nats needs the nats settings')
    const { openNatsStore } = await import('./nats/open')
    const { store, deadLetters, nc } = await openNatsStore(opts.nats.config, q.capacity, opts.rate, opts.nats.registry, opts.nats.log)
    return {
      kind: 'shared',
      store,
      deadLetters,
      replay: (sel) => deadLetters.replay(sel, (bodies) => requeueInto(store, bodies)),
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
    const store = new MemoryStore(q.capacity, opts.rate)
    const deadLetters = new MemoryDeadLetters(opts.deadLetterCapacity)
    return {
      kind: 'memory',
      store,
      deadLetters,
      replay: (sel) => deadLetters.replay(sel, (bodies) => requeueInto(store, bodies)),
      purge: (sel) => deadLetters.purge(sel),
      migrated: 0,
      close() {},
    }
  }
  const store = new LogStore({
    path: q.path,
    capacity: q.capacity,
    sync: q.sync,
    segmentBytes: q.segment_bytes,
    maxDiskBytes: q.max_disk_bytes,
    rate: opts.rate,
    decodeRaw: opts.decodeRaw,
    ...(opts.syncFn ? { syncFn: opts.syncFn } : {}),
    ...(opts.events ? { events: opts.events } : {}),
  })
  let db
  try {
    db = openDeadLetterDb(q.path, q.sync)
  } catch (err) {
    store.close()
    throw err
  }
  const deadLetters = new SqliteDeadLetters(db)
  let migrated = 0
  try {
    migrated = await migrateLegacy(store, db)
  } catch (err) {
    store.close()
    db.close()
    throw err
  }
  return {
    kind: 'durable',
    store,
    deadLetters,
    replay: (sel) => deadLetters.replay(sel, (bodies) => requeueInto(store, bodies)),
    purge: (sel) => deadLetters.purge(sel),
    migrated,
    close() {
      store.close()
      db.close()
    },
  }
}

/** Moves 0.1's undelivered events (its `events` table) into the log, then drops that table. */
async function migrateLegacy(store: EventStore, db: ReturnType<typeof openDeadLetterDb>): Promise<number> {
  const rows = legacyEvents(db)
  if (rows.length === 0) {
    dropLegacyEvents(db)
    return 0
  }
  const bodies = rows.map((r) => JSON.parse(r.body) as IlertEventBody)
  // Capacity counts pending calls; a 0.1 backlog coalesces, but never refuse it at the door.
  let moved = 0
  while (moved < bodies.length) {
    const n = await requeueInto(store, bodies.slice(moved, moved + 10_000))
    if (n === 0) throw new Error(`queue.path: could not move the ${bodies.length - moved} events left by mcp-ilert 0.1 into the new log (store full or not writable); raise queue.capacity or free disk space, then start again`)
    moved += n
  }
  dropLegacyEvents(db)
  return moved
}
