/**
 * Bookkeeping for the dispatcher: one Source per integration key (its rate bucket, its 429 pause
 * and a round-robin ring of ready lanes) and one Lane per alert key (its ordered entries).
 * Round-robin over lanes is what shares a key's budget fairly: a noisy alert key coalesces into
 * one entry and waits its turn like every other key.
 */
import type { QueuedEvent } from '../pipeline/ilert-event'
import { type Entry, newEntry, tryMerge } from './coalesce'
import { KeyHistory } from './key-history'
import { CLASSES, ReadyRings } from './priority'
import type { StormState } from './storm-digest'
import { WindowTokenBucket } from './token-bucket'

export interface Lane {
  readonly key: string
  readonly source: Source
  readonly entries: Entry[]
  /**
   * The last entry (what a new event merges into), kept on the lane itself: with thousands of
   * lanes, reaching it through `entries` costs two more cache misses per event.
   */
  tail: Entry | undefined
  inFlight: boolean
  /** True while the lane sits in its source's ready ring or in the backoff heap. */
  queued: boolean
  /** The priority class it was last queued under (dispatch/priority.ts). */
  cls: number
  /** The storm digest's own lane (dispatcher-owned, not in the store). */
  digest?: boolean
  /**
   * The checkpoint (LaneTable.checkpointing) this lane was last written to or created during. Below
   * the one being written in steps it is due: before anything changes it, beforeChange writes it.
   */
  checkpointed: number
}

export interface Source {
  readonly bucket: WindowTokenBucket
  readonly lanes: Map<string, Lane>
  /** Ready lanes, one round-robin ring per priority class (dispatch/priority.ts). */
  readonly ready: ReadyRings<Lane>
  /** Pending calls (entries) of this source: its backlog. */
  calls: number
  /** Calls on the wire per priority class (a less urgent class waits for these). */
  readonly flying: Uint32Array
  /** The storm digest's state while one is open or being sent (dispatch/storm-digest.ts). */
  storm: StormState | undefined
  /** After a 429, no calls for this key before this time (performance.now()). */
  pausedUntil: number
  /** True while the source sits in the dispatcher's active ring. */
  active: boolean
}

export interface RateShape {
  perKey: number
  windowMs: number
  marginMs: number
}

export class LaneTable {
  readonly sources = new Map<string, Source>()
  /** Entries held (each a future ilert call). */
  entries = 0
  /** Events those entries stand for. */
  events = 0
  /** Stored bytes of the bodies the entries carry (the live set a checkpoint keeps). */
  bytes = 0
  /** The part of `bytes` whose bodies are on disk only (spilled entries); the rest is held in memory. */
  spilledBytes = 0

  /** Length of the received texts entries keep beside their bodies (Entry.raw; the durable store sets them). */
  rawBytes = 0

  /** Bytes of the bodies held in memory, and of the texts kept with them (what queue.max_memory_bytes bounds). */
  get heldBytes(): number {
    return this.bytes - this.spilledBytes + this.rawBytes
  }

  /** Sets the received text `entry` keeps (undefined: none), keeping rawBytes exact. */
  setRaw(entry: Entry, raw: string | undefined): void {
    this.rawBytes += (raw?.length ?? 0) - (entry.raw?.length ?? 0)
    entry.raw = raw
  }
  /**
   * Reads a spilled entry's whole body back into memory (the durable store sets it); false when
   * it cannot. A COMMENT merge needs the comments the skeleton does not keep.
   */
  restore: ((entry: Entry) => boolean) | undefined
  /**
   * The checkpoint being written in steps (queue/wal/stepped-checkpoint.ts), numbered from 1; 0
   * while none is. A lane whose `checkpointed` is below it is about to be written, or is written
   * by `beforeChange` before an event, an outcome or a replayed dead letter changes it: the
   * checkpoint holds every lane as it was when it began.
   */
  private checkpointing = 0
  private beforeChange: ((lane: Lane) => void) | undefined = undefined
  private checkpoints = 0

  /** Starts checkpoint number N (every lane that exists now is due for it); returns N. */
  beginCheckpoint(write: (lane: Lane) => void): number {
    this.checkpointing = ++this.checkpoints
    this.beforeChange = write
    return this.checkpointing
  }

  /** No lane is due any more. */
  endCheckpoint(): void {
    this.checkpointing = 0
    this.beforeChange = undefined
  }

  /** A lane is about to change: one still due for the checkpoint being written is written first. */
  private changing(lane: Lane): void {
    if (lane.checkpointed < this.checkpointing) this.beforeChange!(lane)
  }
  /** Events merged into a waiting entry since start (mcp_coalesced_events_total). */
  merged = 0
  /** Events removed by pair cancellation since start (mcp_cancelled_events_total), and the pairs. */
  cancelled = 0
  cancelledPairs = 0
  /**
   * Pair cancellation (issue 15.1): a RESOLVE whose lane holds only an unsent ALERT, for a key
   * this bridge has no open ALERT for in ilert, removes that ALERT and is not stored itself.
   * Off until the dispatcher turns it on, so a store's replay never cancels (what the live run
   * cancelled, it recorded).
   */
  cancelPairs = false
  /** What this bridge knows it has open in ilert, per key. */
  readonly history = new KeyHistory()
  private readonly cancelListeners: ((lane: Lane, alert: Entry, resolve: QueuedEvent) => void)[] = []

  constructor(private readonly rate: RateShape) {}

  /** The lane of the last `add` (kept in a field so the hot path allocates no result object). */
  lastLane: Lane | undefined
  /** The entry that holds the last added event (undefined when it cancelled out). */
  lastEntry: Entry | undefined

  /** The integration key's Source, created on first use. */
  sourceFor(ik: string): Source {
    let source = this.sources.get(ik)
    if (source === undefined) {
      source = {
        bucket: new WindowTokenBucket(this.rate.perKey, this.rate.windowMs, this.rate.marginMs),
        lanes: new Map(),
        ready: new ReadyRings<Lane>(),
        calls: 0,
        flying: new Uint32Array(CLASSES),
        storm: undefined,
        pausedUntil: 0,
        active: false,
      }
      this.sources.set(ik, source)
    }
    return source
  }

  /** The lane of (integration key, lane key), or undefined. */
  laneOf(ik: string, laneKey: string): Lane | undefined {
    return this.sources.get(ik)?.lanes.get(laneKey)
  }

  /**
   * Adds one event: merges it into its lane's tail (returns true) or appends a new entry (false).
   * `bytes` is the size of the event's stored record (0 in memory).
   */
  add(ev: QueuedEvent, bytes = 0): boolean {
    this.events++
    const source = this.sources.get(ev.body.integrationKey) ?? this.sourceFor(ev.body.integrationKey)
    let lane = source.lanes.get(ev.laneKey)
    if (lane === undefined) {
      lane = { key: ev.laneKey, source, entries: [], tail: undefined, inFlight: false, queued: false, cls: 0, checkpointed: this.checkpointing }
      source.lanes.set(ev.laneKey, lane)
    } else this.changing(lane)
    this.lastLane = lane
    const tail = lane.tail
    // The head entry is on the wire while the lane is in flight; never merge into it.
    if (tail !== undefined && !(lane.inFlight && lane.entries.length === 1) && this.mergeable(tail, ev)) {
      const before = tail.bytes
      const spilled = tail.spill !== undefined
      if (tryMerge(tail, ev, bytes)) {
        this.merged++
        this.bytes += tail.bytes - before
        if (spilled) {
          // The merge gave it the new event's body (and the skeleton's labels): held in memory again.
          this.spilledBytes -= before
          tail.spill = undefined
        }
        this.lastEntry = tail
        return true
      }
      if (this.cancelPairs && ev.body.eventType === 'RESOLVE' && this.cancels(lane, tail)) {
        this.cancel(lane, tail, ev)
        this.lastEntry = undefined
        return true
      }
    }
    const entry = newEntry(ev, bytes)
    this.push(lane, entry)
    this.lastEntry = entry
    return false
  }

  /** False only for a spilled COMMENT tail whose comments cannot be read back (a new call starts instead). */
  private mergeable(tail: Entry, ev: QueuedEvent): boolean {
    if (tail.spill === undefined || tail.type !== 'COMMENT' || ev.body.eventType !== 'COMMENT') return true
    return this.restore !== undefined && this.restore(tail)
  }

  /**
   * A replayed dead letter: a new entry at its place in its lane by sequence number (after a head
   * that is on the wire), never merged, so per-key order holds as if it had never failed.
   */
  insertBySeq(ev: QueuedEvent, bytes = 0): Lane {
    if (ev.laneKey === '') ev.laneKey = `A:${ev.id}`
    const lane = this.laneFor(ev.body.integrationKey, ev.laneKey)
    this.changing(lane)
    const entry = newEntry(ev, bytes)
    let i = lane.inFlight && lane.entries.length > 0 ? 1 : 0
    while (i < lane.entries.length && lane.entries[i]!.firstSeq < ev.id) i++
    if (i === lane.entries.length) this.push(lane, entry)
    else {
      lane.entries.splice(i, 0, entry)
      lane.source.calls++
      this.entries++
      this.bytes += bytes
    }
    this.events++
    this.lastLane = lane
    this.lastEntry = entry
    return lane
  }

  /** Called with every cancelled pair (the store records it, the dispatcher counts and logs it). */
  onCancel(listener: (lane: Lane, alert: Entry, resolve: QueuedEvent) => void): void {
    this.cancelListeners.push(listener)
  }

  /** Does a RESOLVE arriving now cancel out with the lane's only entry? */
  private cancels(lane: Lane, tail: Entry): boolean {
    return tail.type === 'ALERT' && lane.entries.length === 1 && !lane.inFlight && tail.sent !== true && tail.attempts === 0 && this.history.closed(tail.body.integrationKey, lane.key)
  }

  private cancel(lane: Lane, alert: Entry, resolve: QueuedEvent): void {
    lane.entries.length = 0
    lane.tail = undefined
    lane.source.lanes.delete(lane.key)
    lane.source.calls--
    this.entries--
    // add() counted the RESOLVE too.
    this.events -= alert.count + 1
    this.bytes -= alert.bytes
    if (alert.spill !== undefined) this.spilledBytes -= alert.bytes
    if (alert.raw !== undefined) this.rawBytes -= alert.raw.length
    this.cancelled += alert.count + 1
    this.cancelledPairs++
    for (const l of this.cancelListeners) l(lane, alert, resolve)
  }

  /** Appends a whole entry (a checkpoint being loaded) to its lane. */
  append(lane: Lane, entry: Entry): void {
    this.events += entry.count
    this.push(lane, entry)
  }

  private push(lane: Lane, entry: Entry): void {
    lane.entries.push(entry)
    lane.tail = entry
    lane.source.calls++
    this.entries++
    this.bytes += entry.bytes
    if (entry.spill !== undefined) this.spilledBytes += entry.bytes
    if (entry.raw !== undefined) this.rawBytes += entry.raw.length
  }

  /** The lane for a checkpointed entry, created if needed. */
  laneFor(ik: string, laneKey: string): Lane {
    const source = this.sourceFor(ik)
    let lane = source.lanes.get(laneKey)
    if (lane === undefined) {
      lane = { key: laneKey, source, entries: [], tail: undefined, inFlight: false, queued: false, cls: 0, checkpointed: this.checkpointing }
      source.lanes.set(laneKey, lane)
    }
    return lane
  }

  /**
   * Forgets integration keys with nothing pending whose rate history has expired (a fresh bucket
   * would behave the same), so per-event integration keys cannot grow memory without bound.
   */
  sweep(now: number): void {
    for (const [ik, source] of this.sources) {
      if (source.lanes.size === 0 && !source.active && source.storm === undefined && source.pausedUntil <= now && source.bucket.fullAt() <= now) this.sources.delete(ik)
    }
  }

  /** Removes the lane's head entry after an outcome; forgets the lane when it is empty. */
  completeHead(lane: Lane): void {
    this.changing(lane)
    const head = lane.entries.shift()
    if (head !== undefined) lane.source.calls--
    this.entries--
    this.events -= head?.count ?? 0
    this.bytes -= head?.bytes ?? 0
    if (head?.spill !== undefined) this.spilledBytes -= head.bytes
    if (head?.raw !== undefined) this.rawBytes -= head.raw.length
    if (lane.entries.length === 0) {
      lane.tail = undefined
      lane.source.lanes.delete(lane.key)
    }
  }

  /**
   * Replay of an outcome: removes the lane's head entries whose events are all at or before
   * `seq`. A head that also holds later events (merged after the call left, which the live lane
   * never does but a replay may) stays, carrying its newest body, which ilert has not seen.
   */
  completeUpTo(lane: Lane, seq: number): void {
    while (lane.entries.length > 0) {
      const head = lane.entries[0]!
      if (head.firstSeq <= seq) this.history.delivered(head.body.integrationKey, lane.key, head.type)
      if (head.lastSeq <= seq) {
        this.completeHead(lane)
        continue
      }
      if (head.firstSeq <= seq) head.firstSeq = seq + 1
      return
    }
  }
}
