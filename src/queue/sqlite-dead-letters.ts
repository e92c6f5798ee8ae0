/**
 * Durable dead letters, in the same SQLite file as the queue: events ilert refused (4xx) or that
 * ran out of attempts, with the reason and ilert's last answer. The bridge never deletes them;
 * a person lists, replays (back into the queue, attempts reset) or purges them with
 * `mcp-ilert dead-letters` or the admin API.
 */
import type { Database } from 'bun:sqlite'
import type { IlertEventBody } from '../pipeline/ilert-event'
import { type DeadLetter, type DeadLetterStore, maskKey, type Requeue, type Selection } from './dead-letters'

interface DlRow {
  id: number
  dead_at: string
  reason: string
  last_answer: string
  attempts: number
  count: number
  body: string
}

export class SqliteDeadLetters implements DeadLetterStore {
  constructor(private readonly db: Database) {}

  get size(): number {
    return (this.db.query('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n
  }

  add(e: Omit<DeadLetter, 'id' | 'deadAt' | 'event'> & { body: IlertEventBody }) {
    this.db
      .query('INSERT INTO dead_letters (dead_at, reason, last_answer, attempts, count, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)')
      .run(new Date().toISOString(), e.reason, e.lastAnswer, e.attempts, e.count, JSON.stringify(e.body))
    return { evicted: undefined }
  }

  /** Newest last, integration keys masked. */
  list(limit = 100): DeadLetter[] {
    const rows = this.db.query('SELECT * FROM (SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?1) ORDER BY id').all(limit) as DlRow[]
    return rows.map((r) => {
      const body = JSON.parse(r.body) as IlertEventBody
      return {
        id: r.id,
        deadAt: r.dead_at,
        reason: r.reason,
        lastAnswer: r.last_answer,
        attempts: r.attempts,
        count: r.count,
        event: { ...body, integrationKey: maskKey(body.integrationKey) },
      }
    })
  }

  /**
   * Moves dead letters back into the store (attempts reset): rows are deleted only once the store
   * holds their events as durably as it holds ingested ones, so a crash in between can duplicate
   * a replayed event but never lose it.
   */
  async replay(sel: Selection, requeue: Requeue): Promise<number> {
    const rows = this.select(sel)
    const moved = await requeue(rows.map((r) => JSON.parse(r.body) as IlertEventBody))
    this.db.transaction(() => this.delete(rows.slice(0, moved).map((r) => r.id)))()
    return moved
  }

  purge(sel: Selection): number {
    return this.db.transaction(() => {
      const ids = this.select(sel).map((r) => r.id)
      this.delete(ids)
      return ids.length
    })()
  }

  private select(sel: Selection): DlRow[] {
    if (sel.kind === 'all') return this.db.query('SELECT * FROM dead_letters ORDER BY id').all() as DlRow[]
    const q = this.db.query('SELECT * FROM dead_letters WHERE id = ?1')
    return sel.ids.map((id) => q.get(id) as DlRow | null).filter((r): r is DlRow => r !== null)
  }

  private delete(ids: number[]): void {
    const q = this.db.query('DELETE FROM dead_letters WHERE id = ?1')
    for (const id of ids) q.run(id)
  }
}
