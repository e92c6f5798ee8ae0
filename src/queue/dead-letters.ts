/**
 * Where an accepted event goes when it cannot be delivered: permanent 4xx from ilert or out of
 * attempts. The contract is shared by the in-memory store (queue.durable: false; bounded, and
 * every eviction is counted and logged, never silent) and the SQLite store (never deletes).
 * Both keep the event with its place in its alert key's order (its sequence number), so a replay
 * puts it back where it was; and both learn of later deliveries for the same key, so a dead
 * letter that newer delivered events have superseded is reported as such instead of being sent
 * again out of order (unless the person forces it). Listings mask the integration key.
 * Adding may throw (a full disk): the dispatcher keeps the call and retries the add.
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
  /** Its lane (alert key) and its place there: the store sequence number of its newest event. */
  laneKey: string
  seq: number
  /** The sequence number of a later delivered call for the same alert key, if one was delivered. */
  supersededBy: number | null
  event: IlertEventBody
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'deadAt' | 'event' | 'supersededBy'> & { body: IlertEventBody }

export type Selection = { kind: 'all' } | { kind: 'ids'; ids: number[] }

/** A dead letter going back into the store at its place (`seq`) in its alert key's order. */
export interface ReplayItem {
  body: IlertEventBody
  seq: number
}

/**
 * Where replayed events go: the store's own entry point, so replay obeys its capacity. Resolves
 * with how many of `items` (a prefix) are stored as durably as ingest stores them.
 */
export type Requeue = (items: ReplayItem[]) => Promise<number>

export interface ReplayReport {
  replayed: number
  /** Selected dead letters not sent because newer delivered events of their key superseded them. */
  superseded: number[]
}

export interface DeadLetterStore {
  add(entry: NewDeadLetter): { evicted: DeadLetter | undefined }
  /** A call for (integration key, lane) was delivered: dead letters of that key before `seq` are superseded. */
  noteDelivered(integrationKey: string, laneKey: string, seq: number): void
  /** Newest last, integration keys masked. */
  list(limit?: number): DeadLetter[]
  /** Moves the selected dead letters back into the store (superseded ones only with `force`). */
  replay(sel: Selection, requeue: Requeue, force?: boolean): Promise<ReplayReport>
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

/** Lane identity for supersede tracking: integration key and lane key. */
export const laneId = (integrationKey: string, laneKey: string) => `${integrationKey}\n${laneKey}`

/** Splits a selection into what goes back and what newer deliveries superseded. */
export function partitionReplay<T extends { id: number; supersededBy: number | null }>(chosen: T[], force: boolean): { send: T[]; superseded: number[] } {
  if (force) return { send: chosen, superseded: [] }
  return { send: chosen.filter((d) => d.supersededBy === null), superseded: chosen.filter((d) => d.supersededBy !== null).map((d) => d.id) }
}

export class MemoryDeadLetters implements DeadLetterStore {
  private items: DeadLetter[] = []
  private nextId = 1

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length
  }

  add(e: NewDeadLetter) {
    const { body, ...rest } = e
    this.items.push({ id: this.nextId++, deadAt: new Date().toISOString(), ...rest, supersededBy: null, event: body })
    const evicted = this.items.length > this.capacity ? this.items.shift() : undefined
    return { evicted }
  }

  noteDelivered(integrationKey: string, laneKey: string, seq: number): void {
    if (this.items.length === 0) return
    for (const d of this.items) {
      if (d.supersededBy === null && d.laneKey === laneKey && d.seq < seq && d.event.integrationKey === integrationKey) d.supersededBy = seq
    }
  }

  list(limit = 100): DeadLetter[] {
    return this.items.slice(-limit).map(masked)
  }

  async replay(sel: Selection, requeue: Requeue, force = false): Promise<ReplayReport> {
    const { send, superseded } = partitionReplay(
      this.items.filter((d) => matches(sel, d.id)),
      force,
    )
    const moved = await requeue(send.map((d) => ({ body: d.event, seq: d.seq })))
    const movedIds = new Set(send.slice(0, moved).map((d) => d.id))
    this.items = this.items.filter((d) => !movedIds.has(d.id))
    return { replayed: moved, superseded }
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
