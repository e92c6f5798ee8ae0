/**
 * Durable dead letters, in queue.sqlite beside the log: events ilert refused (4xx) or that ran
 * out of attempts, with the reason, ilert's last answer and their place in their alert key's
 * order. The bridge never deletes them; a person lists, replays (back into the store at their
 * place, attempts reset) or purges them with `mcp-ilert dead-letters` or the admin API. Later
 * deliveries for a key with dead letters mark them superseded (one UPDATE per such delivery: the
 * keys with dead letters are held in memory, so other deliveries cost nothing here).
 */
import type { Database } from 'bun:sqlite'
import type { IlertEventBody } from '../pipeline/ilert-event'
import { bodiesToReplay, type DeadLetter, type DeadLetterStore, type DecodeReceived, laneId, masked, type NewDeadLetter, partitionReplay, type ReplayReport, type Requeue, type Selection } from './dead-letters'

interface DlRow {
  id: number
  dead_at: string
  reason: string
  last_answer: string
  attempts: number
  count: number
  body: string
  lane: string
  seq: number
  superseded_by: number | null
  received: string | null
}

/** Columns added after 0.1 (its dead_letters table lacks them). */
export function upgradeDeadLetterTable(db: Database): void {
  const cols = new Set((db.query('PRAGMA table_info(dead_letters)').all() as { name: string }[]).map((c) => c.name))
  if (!cols.has('lane')) db.run("ALTER TABLE dead_letters ADD COLUMN lane TEXT NOT NULL DEFAULT ''")
  if (!cols.has('seq')) db.run('ALTER TABLE dead_letters ADD COLUMN seq INTEGER NOT NULL DEFAULT 0')
  if (!cols.has('superseded_by')) db.run('ALTER TABLE dead_letters ADD COLUMN superseded_by INTEGER')
  if (!cols.has('received')) db.run('ALTER TABLE dead_letters ADD COLUMN received TEXT')
}

export class SqliteDeadLetters implements DeadLetterStore {
  /** Lanes (integration key + lane key) that have dead letters not yet superseded. */
  private readonly watched = new Set<string>()

  /** `decode`: for a replay of dead letters kept as received (DeadLetter.received). */
  constructor(
    private readonly db: Database,
    private readonly decode?: DecodeReceived,
  ) {
    upgradeDeadLetterTable(db)
    for (const r of db.query('SELECT lane, body FROM dead_letters WHERE superseded_by IS NULL').all() as { lane: string; body: string }[]) {
      this.watched.add(laneId((JSON.parse(r.body) as IlertEventBody).integrationKey, r.lane))
    }
  }

  get size(): number {
    return (this.db.query('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n
  }

  add(e: NewDeadLetter) {
    this.insert(e, new Date().toISOString())
    return { evicted: undefined }
  }

  /** Adds many in one transaction (one sync, not one per row): what a start found no longer valid. */
  addMany(entries: NewDeadLetter[]): void {
    const at = new Date().toISOString()
    this.db.transaction(() => {
      for (const e of entries) this.insert(e, at)
    })()
  }

  private insert(e: NewDeadLetter, at: string): void {
    this.db
      .query('INSERT INTO dead_letters (dead_at, reason, last_answer, attempts, count, body, lane, seq, received) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)')
      .run(at, e.reason, e.lastAnswer, e.attempts, e.count, JSON.stringify(e.body), e.laneKey, e.seq, e.received ?? null)
    this.watched.add(laneId(e.body.integrationKey, e.laneKey))
  }

  noteDelivered(integrationKey: string, laneKey: string, seq: number): void {
    this.supersede(integrationKey, laneKey, seq)
    // A dead letter kept as received without an integration key (the default one was missing when
    // it was found) goes out under whatever key the configuration gives it at replay: a delivery
    // for its alert key under any integration key supersedes it (conservative: it is kept, and
    // reported, not lost).
    if (integrationKey !== '') this.supersede('', laneKey, seq)
  }

  private supersede(integrationKey: string, laneKey: string, seq: number): void {
    const id = laneId(integrationKey, laneKey)
    if (!this.watched.has(id)) return
    this.db
      .query("UPDATE dead_letters SET superseded_by = ?3 WHERE lane = ?1 AND seq < ?3 AND superseded_by IS NULL AND json_extract(body, '$.integrationKey') = ?2")
      .run(laneKey, integrationKey, seq)
    this.watched.delete(id)
  }

  /** Newest last, integration keys masked. */
  list(limit = 100): DeadLetter[] {
    const rows = this.db.query('SELECT * FROM (SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?1) ORDER BY id').all(limit) as DlRow[]
    return rows.map((r) => masked(toDeadLetter(r)))
  }

  /**
   * Moves dead letters back into the store at their place (attempts reset): rows are deleted only
   * once the store holds their events as durably as it holds ingested ones, so a crash in between
   * can duplicate a replayed event but never lose it.
   */
  async replay(sel: Selection, requeue: Requeue, force = false): Promise<ReplayReport> {
    const { send, superseded } = partitionReplay(this.select(sel).map(toDeadLetter), force)
    const { ready, invalid } = bodiesToReplay(send, this.decode)
    const moved = await requeue(ready.map(({ d, body }) => ({ body, seq: d.seq })))
    this.db.transaction(() => this.delete(ready.slice(0, moved).map(({ d }) => d.id)))()
    return { replayed: moved, superseded, invalid }
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

function toDeadLetter(r: DlRow): DeadLetter {
  return {
    id: r.id,
    deadAt: r.dead_at,
    reason: r.reason,
    lastAnswer: r.last_answer,
    attempts: r.attempts,
    count: r.count,
    laneKey: r.lane,
    seq: r.seq,
    supersededBy: r.superseded_by,
    event: JSON.parse(r.body) as IlertEventBody,
    ...(r.received !== null ? { received: r.received } : {}),
  }
}
