/**
 * Where an accepted event goes when it cannot be delivered: permanent 4xx from ilert or out of
 * attempts. The contract is shared by the in-memory store (queue.durable: false; bounded, and
 * every eviction is counted and logged, never silent) and the SQLite store (never deletes).
 * Adding may throw (a full disk): the dispatcher keeps the call and retries the add.
 * Both keep the raw event so a person can replay it; listings mask the integration key.
 */
import type { IlertEventBody } from '../pipeline/ilert-event'

export interface DeadLetter {
  id: number
  deadAt: string
  reason: string
  /** ilert's last answer (status and message) or the transport error. */
  lastAnswer: string
  attempts: number
  /** Events this call stood for (coalesced). */
  count: number
  event: IlertEventBody
}

export type Selection = { kind: 'all' } | { kind: 'ids'; ids: number[] }

/**
 * Where replayed events go: the store's own entry point, so replay obeys its capacity. Resolves
 * with how many of `events` (a prefix) are stored as durably as ingest stores them.
 */
export type Requeue = (events: IlertEventBody[]) => Promise<number>

export interface DeadLetterStore {
  add(entry: Omit<DeadLetter, 'id' | 'deadAt' | 'event'> & { body: IlertEventBody }): { evicted: DeadLetter | undefined }
  /** Newest last, integration keys masked. */
  list(limit?: number): DeadLetter[]
  /** Moves the selected dead letters back into the store; resolves with how many moved. */
  replay(sel: Selection, requeue: Requeue): Promise<number>
  /** Deletes the selected dead letters for good; returns how many. */
  purge(sel: Selection): number
  readonly size: number
}

export function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}…(${key.length} chars)`
}

export function masked(d: DeadLetter): DeadLetter {
  return { ...d, event: { ...d.event, integrationKey: maskKey(d.event.integrationKey) } }
}

export class MemoryDeadLetters implements DeadLetterStore {
  private items: DeadLetter[] = []
  private nextId = 1

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length
  }

  add(e: Omit<DeadLetter, 'id' | 'deadAt' | 'event'> & { body: IlertEventBody }) {
    const { body, ...rest } = e
    this.items.push({ id: this.nextId++, deadAt: new Date().toISOString(), ...rest, event: body })
    const evicted = this.items.length > this.capacity ? this.items.shift() : undefined
    return { evicted }
  }

  list(limit = 100): DeadLetter[] {
    return this.items.slice(-limit).map(masked)
  }

  async replay(sel: Selection, requeue: Requeue): Promise<number> {
    const chosen = this.items.filter((d) => matches(sel, d.id))
    const moved = await requeue(chosen.map((d) => d.event))
    const movedIds = new Set(chosen.slice(0, moved).map((d) => d.id))
    this.items = this.items.filter((d) => !movedIds.has(d.id))
    return moved
  }

  purge(sel: Selection): number {
    const before = this.items.length
    this.items = this.items.filter((d) => !matches(sel, d.id))
    return before - this.items.length
  }
}

function matches(sel: Selection, id: number): boolean {
  return sel.kind === 'all' || sel.ids.includes(id)
}
