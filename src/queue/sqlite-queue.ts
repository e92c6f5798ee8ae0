/**
 * The durable EventQueue (queue.durable: true): every event is in SQLite before it is
 * acknowledged, and stays there until the dispatcher reports an outcome. Committed events are
 * also kept in a bounded in-memory FIFO so the dispatcher rarely reads back what was just
 * written; past that bound ("spilled"), after a restart, and when rows appear that another
 * connection wrote (a dead-letter replay), it reads them from the file by id, skipping the ids it
 * has already handed out. External rows are noticed at each commit and by a once-a-second check.
 */
import type { Database, Statement } from 'bun:sqlite'
import type { QueuedEvent } from '../pipeline/ilert-event'
import type { CommitResult, EventQueue, OfferResult } from './event-queue'
import { Fifo } from './fifo'
import { storageReason } from './sqlite-db'

const ACCEPTED: OfferResult = { kind: 'accepted' }
const FULL: OfferResult = { kind: 'full', reason: 'queue_full' }
/** Committed events cached in memory before the queue reads from the file instead. */
const MEMORY_WINDOW = 262_144
/** Rows per multi-row INSERT: bun:sqlite's per-statement cost dominates at ~160-byte rows. */
const BLOCK = 64

interface Row {
  id: number
  body: string
  lane: string
  accepted_at: number
  attempts: number
}

export class SqliteQueue implements EventQueue {
  readonly groupCommit = true
  private readonly staged: Omit<QueuedEvent, 'id'>[] = []
  private memory = new Fifo<QueuedEvent>()
  /** Read from the file (from `cursor`) instead of memory. */
  private spilled = true
  private cursor = 0
  /** Ids handed to the dispatcher and not yet completed. */
  private readonly taken = new Set<number>()
  /** Highest id this queue knows to exist; anything above it was written by someone else. */
  private knownMaxId: number
  /** Rows in the store (undelivered). */
  private undelivered: number
  private spaceListeners: (() => void)[] = []
  private dataListener: (() => void) | undefined
  private readonly insert: Statement
  private readonly insertBlock: Statement
  private readonly blockArgs: (string | number)[] = new Array(BLOCK * 4)
  private readonly selectAfter: Statement
  private readonly maxId: Statement
  private readonly remove: Statement
  private readonly setAttempts: Statement
  private readonly insertMany: (events: Omit<QueuedEvent, 'id'>[]) => number
  private readonly pollTimer: ReturnType<typeof setInterval>
  /** Delivered ids not yet deleted: deletes are batched into one transaction per tick. */
  private deletes: number[] = []
  private deleteScheduled = false

  constructor(
    private readonly db: Database,
    readonly capacity: number,
  ) {
    this.insert = db.prepare('INSERT INTO events (body, lane, accepted_at, attempts) VALUES (?, ?, ?, ?)')
    this.insertBlock = db.prepare(`INSERT INTO events (body, lane, accepted_at, attempts) VALUES ${Array(BLOCK).fill('(?, ?, ?, ?)').join(', ')}`)
    this.selectAfter = db.prepare('SELECT id, body, lane, accepted_at, attempts FROM events WHERE id > ?1 ORDER BY id LIMIT ?2')
    this.maxId = db.prepare('SELECT coalesce(max(id), 0) AS id FROM events')
    this.remove = db.prepare('DELETE FROM events WHERE id = ?1')
    this.setAttempts = db.prepare('UPDATE events SET attempts = ?2 WHERE id = ?1')
    this.insertMany = db.transaction((events: Omit<QueuedEvent, 'id'>[]) => {
      this.detectExternalRows()
      const epochOffset = Date.now() - performance.now()
      const args = this.blockArgs
      let i = 0
      for (; i + BLOCK <= events.length; i += BLOCK) {
        for (let j = 0; j < BLOCK; j++) {
          const e = events[i + j]!
          args[j * 4] = JSON.stringify(e.body)
          args[j * 4 + 1] = e.laneKey
          args[j * 4 + 2] = Math.round(e.acceptedAt + epochOffset)
          args[j * 4 + 3] = e.attempts
        }
        this.insertBlock.run(...args)
      }
      for (; i < events.length; i++) {
        const e = events[i]!
        this.insert.run(JSON.stringify(e.body), e.laneKey, Math.round(e.acceptedAt + epochOffset), e.attempts)
      }
      return (db.query('SELECT last_insert_rowid() AS id').get() as { id: number }).id
    }) as unknown as (events: Omit<QueuedEvent, 'id'>[]) => number
    this.undelivered = this.count()
    this.knownMaxId = this.readMaxId()
    this.pollTimer = setInterval(() => this.refresh(), 1000)
    this.pollTimer.unref?.()
  }

  /** Committed events not yet handed out (staged ones are not takeable until their commit). */
  get size(): number {
    return this.undelivered - this.taken.size
  }

  freeSlots(): number {
    return this.capacity - this.undelivered - this.staged.length
  }

  offer(event: Omit<QueuedEvent, 'id'>): OfferResult {
    if (this.undelivered + this.staged.length >= this.capacity) return FULL
    this.staged.push(event)
    return ACCEPTED
  }

  commit(): CommitResult {
    const n = this.staged.length
    if (n === 0) return { kind: 'ok', committed: 0 }
    const wasIdle = this.size === 0
    let lastId: number
    try {
      lastId = this.insertMany(this.staged)
    } catch (err) {
      this.staged.length = 0
      return { kind: 'error', reason: storageReason(err), message: (err as Error).message, lost: n }
    }
    const firstId = lastId - n + 1
    if (!this.spilled && this.memory.length + n <= MEMORY_WINDOW) {
      for (let i = 0; i < n; i++) {
        const e = this.staged[i] as QueuedEvent
        e.id = firstId + i
        this.memory.push(e)
      }
    } else this.spill(this.knownMaxId)
    this.knownMaxId = lastId
    this.staged.length = 0
    this.undelivered += n
    if (wasIdle) this.dataListener?.()
    return { kind: 'ok', committed: n }
  }

  takeBatch(max: number, out: QueuedEvent[]): number {
    let taken = 0
    while (taken < max && this.memory.length > 0) {
      const e = this.memory.shift()!
      this.taken.add(e.id)
      out.push(e)
      taken++
    }
    if (this.spilled) taken += this.readFromFile(max - taken, out)
    return taken
  }

  complete(ids: readonly number[]): void {
    if (ids.length === 0) return
    // A crash before the batched delete only means a redelivery (at-least-once), never a loss.
    for (const id of ids) this.deletes.push(id)
    if (!this.deleteScheduled) {
      this.deleteScheduled = true
      setImmediate(() => this.flushDeletes())
    }
    for (const id of ids) this.taken.delete(id)
    this.undelivered -= ids.length
    if (this.spaceListeners.length > 0) {
      const listeners = this.spaceListeners
      this.spaceListeners = []
      for (const l of listeners) l()
    }
  }

  recordAttempts(ids: readonly number[], attempts: number): void {
    this.db.transaction(() => {
      for (const id of ids) this.setAttempts.run(id, attempts)
    })()
  }

  onSpace(listener: () => void): void {
    this.spaceListeners.push(listener)
  }

  onData(listener: () => void): void {
    this.dataListener = listener
  }

  /** Picks up rows written outside this queue (a replay); called every second and after a replay here. */
  refresh(): void {
    if (this.detectExternalRows()) this.dataListener?.()
  }

  close(): void {
    clearInterval(this.pollTimer)
    this.flushDeletes()
  }

  private flushDeletes(): void {
    this.deleteScheduled = false
    if (this.deletes.length === 0) return
    const ids = this.deletes
    this.deletes = []
    this.db.transaction(() => {
      for (const id of ids) this.remove.run(id)
    })()
  }

  /** Reads up to `want` untaken rows after the cursor; catching up with the file ends spilled mode. */
  private readFromFile(want: number, out: QueuedEvent[]): number {
    let got = 0
    const perfOffset = performance.now() - Date.now()
    while (got < want) {
      const requested = want - got
      const rows = this.selectAfter.all(this.cursor, requested) as Row[]
      for (const r of rows) {
        this.cursor = r.id
        if (this.taken.has(r.id)) continue
        this.taken.add(r.id)
        out.push({ id: r.id, body: JSON.parse(r.body), laneKey: r.lane, acceptedAt: r.accepted_at + perfOffset, attempts: r.attempts })
        got++
      }
      if (rows.length < requested) {
        // Caught up with the file: new commits can be served from memory again.
        this.spilled = false
        break
      }
    }
    return got
  }

  /** Switches to reading from the file, from before anything not yet handed out (and before `rewindTo`). */
  private spill(rewindTo: number): void {
    if (!this.spilled) {
      // Not spilled: every row up to knownMaxId was handed out, except those still in memory.
      this.cursor = this.memory.length > 0 ? this.memory.shift()!.id - 1 : this.knownMaxId
      this.memory = new Fifo()
    }
    this.cursor = Math.min(this.cursor, rewindTo)
    this.spilled = true
  }

  private detectExternalRows(): boolean {
    const max = (this.maxId.get() as { id: number }).id
    if (max <= this.knownMaxId) return false
    this.spill(this.knownMaxId)
    this.knownMaxId = max
    this.undelivered = this.count()
    return true
  }

  private count(): number {
    return (this.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n
  }

  private readMaxId(): number {
    return (this.maxId.get() as { id: number }).id
  }
}
