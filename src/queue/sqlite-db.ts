/**
 * The dead-letter database of the durable store (queue.sqlite in queue.path): rare writes, read by
 * people, so SQLite (WAL, a busy timeout) rather than the log. Also reads what version 0.1 left in
 * the same file, its per-event `events` table, so the first start of this version can move those
 * events into the log (migration) instead of ignoring them.
 */
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { DB_FILE } from './dead-letter-file'

export type SyncPolicy = 'full' | 'normal' | 'off'


export function openDeadLetterDb(path: string, sync: SyncPolicy): Database {
  let db: Database
  try {
    db = new Database(join(path, DB_FILE), { create: true, strict: true })
    db.run('PRAGMA journal_mode = WAL')
  } catch (err) {
    throw new Error(`queue.path ${path} is not usable: ${(err as Error).message}`)
  }
  db.run(`PRAGMA synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`)
  db.run('PRAGMA busy_timeout = 5000')
  db.run(`CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dead_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    last_answer TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    body TEXT NOT NULL
  )`)
  return db
}

export { DB_FILE, hasDeadLetterDb } from './dead-letter-file'

export interface LegacyEvent {
  body: string
  attempts: number
}

/** The undelivered events a 0.1 store left (oldest first), or none. */
export function legacyEvents(db: Database): LegacyEvent[] {
  const t = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()
  if (t === null) return []
  return db.query('SELECT body, attempts FROM events ORDER BY id').all() as LegacyEvent[]
}

/** Drops 0.1's events table once its events are in the log. */
export function dropLegacyEvents(db: Database): void {
  db.run('DROP TABLE IF EXISTS events')
}

/** Maps a SQLite failure to a storage reason; SQLITE_FULL is a full disk. */
export function storageReason(err: unknown): 'storage_full' | 'storage_error' {
  const e = err as { code?: string; message?: string }
  return e.code === 'SQLITE_FULL' || /disk is full|database or disk is full/i.test(e.message ?? '') ? 'storage_full' : 'storage_error'
}
