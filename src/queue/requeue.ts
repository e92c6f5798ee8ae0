/**
 * How replayed dead letters (and a 0.1 backlog) go back into a store: through its own offer and
 * commit, so a replay obeys its capacity and is stored as durably as ingest stores events.
 */
import { type IlertEventBody, laneKeyFor } from '../pipeline/ilert-event'
import type { DeadLetterStore } from './dead-letters'
import type { EventStore } from './event-store'
import type { QueueStore } from './open-store'

/**
 * Offers events to the store and commits them; resolves with how many were stored. An event with
 * a sequence number (a replayed dead letter) keeps it, and so its place in its lane's order.
 */
export async function requeueInto(store: EventStore, items: { body: IlertEventBody; seq: number }[]): Promise<number> {
  let n = 0
  for (const { body, seq } of items) {
    if (store.offer({ id: seq, body, laneKey: laneKeyFor(body.alertKey), acceptedAt: performance.now(), attempts: 0 }, undefined).kind !== 'accepted') break
    n++
  }
  const r = await store.commit()
  return r.kind === 'ok' ? n : 0
}


/** A store of this process (in memory or durable) with its dead letters: replays go back into it at each one's place. */
export function localQueue(kind: 'memory' | 'durable', store: EventStore, deadLetters: DeadLetterStore, migrated: number, close: () => void): QueueStore {
  return {
    kind,
    store,
    deadLetters,
    replay: (sel, force) => deadLetters.replay(sel, (items) => requeueInto(store, items), force),
    purge: (sel) => deadLetters.purge(sel),
    migrated,
    close,
  }
}
