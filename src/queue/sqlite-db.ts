/**
 * Opens the durable store: one bun:sqlite connection per process (ilagent opened two on one file),
 * WAL mode, a busy timeout so the `dead-letters` CLI can work on the file beside a running bridge,
 * and the schema. `synchronous` is the fsync policy (queue.sync): NORMAL survives a process crash
 * (kill -9) since every commit is in the WAL before we acknowledge; FULL also survives power loss
 * at the cost of an fsync per commit.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export type SyncPolicy = 'full' | 'normal' | 'off'

export interface StoreOptions {
  path: string
  sync: SyncPolicy
  /** 0 = unlimited; otherwise the database may not grow past this many bytes (SQLITE_FULL). */
  maxDiskBytes: number
}

export const DB_FILE = 'queue.sqlite'

export function openStoreDb(opts: StoreOptions): Database {
  try {
    mkdirSync(opts.path, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new Error(`queue.path ${opts.path} cannot be created: ${(err as Error).message}`)
  }
  let db: Database
  try {
    db = new Database(join(opts.path, DB_FILE), { create: true, strict: true })
    db.run('PRAGMA journal_mode = WAL')
  } catch (err) {
    throw new Error(`queue.path ${opts.path} is not usable: ${(err as Error).message}`)
  }
  db.run(`PRAGMA synchronous = ${opts.sync.toUpperCase()}`)
  db.run('PRAGMA busy_timeout = 5000')
  db.run('PRAGMA foreign_keys = OFF')
  db.run(`CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    lane TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
  )`)
  db.run(`CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dead_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    last_answer TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    body TEXT NOT NULL
  )`)
  if (opts.maxDiskBytes > 0) {
    const pageSize = (db.query('PRAGMA page_size').get() as { page_size: number }).page_size
    db.run(`PRAGMA max_page_count = ${Math.max(16, Math.floor(opts.maxDiskBytes / pageSize))}`)
  }
  return db
}

/** Maps a SQLite failure to the reason ingest reports; SQLITE_FULL is a full disk or max_disk_bytes. */
export function storageReason(err: unknown): 'storage_full' | 'storage_error' {
  const e = err as { code?: string; message?: string }
  return e.code === 'SQLITE_FULL' || /disk is full|database or disk is full/i.test(e.message ?? '') ? 'storage_full' : 'storage_error'
}
