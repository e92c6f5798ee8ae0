/**
 * Builds the queue and dead-letter store that config.queue asks for: the SQLite store (durable,
 * the default) or the in-memory ring buffer. Also the one place that knows how a replay moves
 * dead letters back into each kind of queue.
 */
import type { Config } from '../config/schema'
import { type IlertEventBody, laneKeyFor } from '../pipeline/ilert-event'
import { type DeadLetterStore, MemoryDeadLetters, type Selection } from './dead-letters'
import type { EventQueue } from './event-queue'
import { RingBuffer } from './ring-buffer'
import { openStoreDb } from './sqlite-db'
import { SqliteDeadLetters } from './sqlite-dead-letters'
import { SqliteQueue } from './sqlite-queue'

export interface QueueStore {
  kind: 'durable' | 'memory'
  queue: EventQueue
  deadLetters: DeadLetterStore
  /** Moves dead letters back into the queue (attempts reset); returns how many moved. */
  replay(sel: Selection): number
  purge(sel: Selection): number
  close(): void
}

export function openQueueStore(q: Config['queue'], deadLetterCapacity: number): QueueStore {
  if (q.durable) {
    const db = openStoreDb({ path: q.path, sync: q.sync, maxDiskBytes: q.max_disk_bytes })
    const queue = new SqliteQueue(db, q.capacity)
    const deadLetters = new SqliteDeadLetters(db)
    return {
      kind: 'durable',
      queue,
      deadLetters,
      replay(sel) {
        const n = deadLetters.replay(sel)
        queue.refresh()
        return n
      },
      purge: (sel) => deadLetters.purge(sel),
      close() {
        queue.close()
        db.close()
      },
    }
  }
  const queue = new RingBuffer(q.capacity)
  const deadLetters = new MemoryDeadLetters(deadLetterCapacity)
  const requeue = (events: IlertEventBody[]) => {
    let n = 0
    for (const body of events) {
      if (queue.offer({ body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }).kind !== 'accepted') break
      n++
    }
    queue.commit()
    return n
  }
  return {
    kind: 'memory',
    queue,
    deadLetters,
    replay: (sel) => deadLetters.replay(sel, requeue),
    purge: (sel) => deadLetters.purge(sel),
    close() {},
  }
}
