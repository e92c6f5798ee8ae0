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
  /**
   * The event as it arrived, for one a changed configuration no longer accepts (reason
   * `replay_invalid`, found at a start): `event` is then only what could be read of it, and a
   * replay validates and normalizes this text again under the configuration of that moment.
   */
  received?: string
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'deadAt' | 'event' | 'supersededBy'> & { body: IlertEventBody }

/** Turns a dead letter's received text into an ilert body under the current configuration; undefined: still not valid. */
export type DecodeReceived = (text: string) => IlertEventBody | undefined

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
  /** Selected dead letters kept because their received text still does not pass validation (`received`). */
  invalid: number[]
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
  const m: DeadLetter = { ...d, event: { ...d.event, integrationKey: maskKey(d.event.integrationKey) } }
  if (d.received !== undefined) m.received = maskReceived(d.received)
  return m
}

/** A received event's text for a listing: its own integration_key, if it carries one, masked. */
function maskReceived(text: string): string {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return text
  }
  if (typeof v !== 'object' || v === null || typeof (v as { integration_key?: unknown }).integration_key !== 'string') return text
  const e = v as { integration_key: string }
  return JSON.stringify({ ...e, integration_key: maskKey(e.integration_key) })
}

/** Lane identity for supersede tracking: integration key and lane key. */
export const laneId = (integrationKey: string, laneKey: string) => `${integrationKey}\n${laneKey}`

/** Splits a selection into what goes back and what newer deliveries superseded. */
export function partitionReplay<T extends { id: number; supersededBy: number | null }>(chosen: T[], force: boolean): { send: T[]; superseded: number[] } {
  if (force) return { send: chosen, superseded: [] }
  return { send: chosen.filter((d) => d.supersededBy === null), superseded: chosen.filter((d) => d.supersededBy !== null).map((d) => d.id) }
}

/**
 * The dead letters to send with the body each goes back as: one kept as received is decoded again
 * (the configuration may have been fixed since); one that still does not validate stays, by id.
 */
export function bodiesToReplay(send: DeadLetter[], decode: DecodeReceived | undefined): { ready: { d: DeadLetter; body: IlertEventBody }[]; invalid: number[] } {
  const ready: { d: DeadLetter; body: IlertEventBody }[] = []
  const invalid: number[] = []
  for (const d of send) {
    if (d.received === undefined) {
      ready.push({ d, body: d.event })
      continue
    }
    const body = decode?.(d.received)
    if (body === undefined) invalid.push(d.id)
    else ready.push({ d, body })
  }
  return { ready, invalid }
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
    return { replayed: moved, superseded, invalid: [] } // no restart in memory: nothing is kept as received
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
