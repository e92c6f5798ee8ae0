/**
 * The durable store of config.queue (the default): the write-ahead log under the lanes, with its
 * SQLite dead letters beside it, and the migration of a queue.path written by 0.1. Its own module,
 * loaded by open-store only when the queue is durable, so an in-memory bridge never loads
 * bun:sqlite or the log (about 20-30 ms of a cold start on the machine of bench/PROFILE.md's
 * seventh pass). The dead-letter database itself is created with the first dead letter: a store
 * without one never loads bun:sqlite (2 MB of an idle bridge, bench/PROFILE.md's twelfth pass).
 */
import type { Database } from 'bun:sqlite'
import type { Config } from '../config/schema'
import type { IlertEventBody } from '../pipeline/ilert-event'
import type { DeadLetterStore, NewDeadLetter, Requeue, Selection } from './dead-letters'
import type { EventStore } from './event-store'
import { LogStore, type LogStoreEvents } from './log-store'
import type { OpenOptions, QueueStore } from './open-store'
import { InvalidAtStart } from './replay-invalid'
import { localQueue, requeueInto } from './requeue'
import { hasDeadLetterDb } from './dead-letter-file'
import type * as SqliteDb from './sqlite-db'
import type * as SqliteDeadLettersModule from './sqlite-dead-letters'

/** bun:sqlite and the code over it, loaded on first use (a synchronous require: opening is synchronous). */
const sqlite = (): typeof SqliteDb & typeof SqliteDeadLettersModule => ({ ...require('./sqlite-db'), ...require('./sqlite-dead-letters') })

export async function openDurableStore(q: Config['queue'], opts: OpenOptions): Promise<QueueStore> {
  // Opened once the store holds the queue's lock (a second bridge on the path stops there).
  const deadLetters = new LazyDeadLetters(q.path, q.sync, opts.decodeRaw)
  const invalid = opts.explainRaw ? new InvalidAtStart(opts.explainRaw, (entries) => deadLetters.addMany(entries)) : undefined
  const events: LogStoreEvents | undefined = invalid ? { ...opts.events, replayInvalid: (text, seq, count) => invalid.add(text, seq, count) } : opts.events
  const store = new LogStore({
    path: q.path,
    capacity: q.capacity,
    sync: q.sync,
    segmentBytes: q.segment_bytes,
    maxDiskBytes: q.max_disk_bytes,
    maxMemoryBytes: q.max_memory_bytes,
    rate: opts.rate,
    decodeRaw: opts.decodeRaw,
    ...(opts.syncFn ? { syncFn: opts.syncFn } : {}),
    ...(events ? { events } : {}),
  })
  if (invalid !== undefined) settleInvalid(store, invalid, opts)
  let migrated = 0
  try {
    const db = deadLetters.database(false) // 0.1 left its events in the same file
    if (db !== undefined) migrated = await migrateLegacy(store, db)
  } catch (err) {
    store.close()
    deadLetters.close()
    throw err
  }
  return localQueue('durable', store, deadLetters, migrated, () => {
    store.close()
    deadLetters.close()
  })
}


/**
 * After a start moved events that no longer validate toward the dead letters: writes the last
 * batch; once they are stored, a checkpoint, so the segments that still hold them go and the next
 * start does not dead-letter them again. What could not be written is reported as dropped.
 */
function settleInvalid(store: LogStore, invalid: InvalidAtStart, opts: OpenOptions): void {
  invalid.flush()
  if (invalid.kept === 0 && invalid.lost === 0) return
  if (invalid.kept > 0) {
    try {
      store.checkpointNow()
    } catch {
      // the next compaction writes it; a crash before then dead-letters them a second time
    }
  }
  if (invalid.lost > 0) opts.events?.replayDropped?.(invalid.lost)
  opts.invalidAtStart?.({ deadLettered: invalid.kept, dropped: invalid.lost, error: invalid.lastError })
}

/**
 * The SQLite dead letters, opened when they can be: a start on a full disk (SQLite cannot create
 * its -shm/-wal files) must not fail, or a supervisor restarts the bridge into the same failure
 * forever. Until the database opens, `add` throws (the dispatcher keeps the call and retries) and
 * listings are empty; every use tries again, at most every few seconds.
 */
class LazyDeadLetters implements DeadLetterStore {
  private inner: SqliteDeadLettersModule.SqliteDeadLetters | undefined
  private db: Database | undefined
  private nextTry = 0
  private lastError = ''

  constructor(
    private readonly path: string,
    private readonly sync: Config['queue']['sync'],
    private readonly decode: (text: string) => IlertEventBody | undefined,
  ) {}

  /**
   * The open database, opening it if it is time to try again; without `create`, only when the file
   * exists (listings and counts of a store that never dead-lettered need no database).
   */
  database(create = true): Database | undefined {
    if (this.db !== undefined || Date.now() < this.nextTry) return this.db
    if (!create && !hasDeadLetterDb(this.path)) return undefined
    try {
      const { openDeadLetterDb, SqliteDeadLetters } = sqlite()
      this.db = openDeadLetterDb(this.path, this.sync)
      this.inner = new SqliteDeadLetters(this.db, this.decode)
    } catch (err) {
      this.lastError = (err as Error).message
      this.nextTry = Date.now() + 5_000
    }
    return this.db
  }

  private store(): SqliteDeadLettersModule.SqliteDeadLetters {
    this.database()
    if (this.inner === undefined) throw new Error(`the dead-letter database in ${this.path} cannot be opened yet: ${this.lastError}`)
    return this.inner
  }

  get size(): number {
    this.database(false)
    return this.inner?.size ?? 0
  }

  add(e: NewDeadLetter) {
    return this.store().add(e)
  }

  addMany(entries: NewDeadLetter[]): void {
    this.store().addMany(entries)
  }

  noteDelivered(integrationKey: string, laneKey: string, seq: number): void {
    this.inner?.noteDelivered(integrationKey, laneKey, seq)
  }

  list(limit?: number) {
    this.database(false)
    return this.inner?.list(limit) ?? []
  }

  replay(sel: Selection, requeue: Requeue, force?: boolean) {
    return this.store().replay(sel, requeue, force)
  }

  purge(sel: Selection) {
    return this.store().purge(sel)
  }

  close(): void {
    this.db?.close()
  }
}

/** Moves 0.1's undelivered events (its `events` table) into the log, then drops that table. */
async function migrateLegacy(store: EventStore, db: Database): Promise<number> {
  const { legacyEvents, dropLegacyEvents } = sqlite()
  const rows = legacyEvents(db)
  if (rows.length === 0) {
    dropLegacyEvents(db)
    return 0
  }
  const bodies = rows.map((r) => JSON.parse(r.body) as IlertEventBody)
  // Capacity counts pending calls; a 0.1 backlog coalesces, but never refuse it at the door.
  let moved = 0
  while (moved < bodies.length) {
    const n = await requeueInto(store, bodies.slice(moved, moved + 10_000).map((body) => ({ body, seq: 0 })))
    if (n === 0) throw new Error(`queue.path: could not move the ${bodies.length - moved} events left by mcp-ilert 0.1 into the new log (store full or not writable); raise queue.capacity or free disk space, then start again`)
    moved += n
  }
  dropLegacyEvents(db)
  return moved
}
