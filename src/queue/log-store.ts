/**
 * The durable EventStore (queue.durable: true): a write-ahead log under the coalescing lanes.
 *
 * Every group commit appends one frame (wal/frame.ts) to the active segment: the accepted events
 * as the transport received them, plus any outcome records the dispatcher left since the last
 * write (a call delivered, an attempt, a send). Only then do the events enter the lanes, and only
 * after the covering fdatasync (queue.sync: full) or the write itself (normal) is the commit
 * acknowledged. While a sync is in flight, commits wait and are written together as the next
 * group, so a storm costs one write and one sync per group, not per event.
 *
 * The lanes are the index: what is held is what ilert still has to receive. When the log holds
 * mostly superseded records (merged into later ones, or delivered), the live lanes are written as a
 * checkpoint and the segments it covers are deleted, so the disk stays within about twice the live
 * set plus one segment whatever the event count. A start loads the checkpoint and replays the
 * segments after it through the same coalescing code, rebuilding exactly the pending calls.
 *
 * Memory is bounded by queue.max_memory_bytes, not by the backlog: beyond it an entry keeps only a
 * skeleton and a pointer to the record that holds its body (wal/spill.ts), read back when its call
 * leaves; a start over a backlog larger than memory loads it the same way.
 *
 * With queue.sync: full each new segment is a file of zeros made ahead (wal/prepared-segment.ts),
 * written in place: a sync then writes data only, not a new size and new blocks. Every frame in
 * such a segment says how far the segment was on disk when it was written (a Synced record), so
 * that after a power loss a start can tell a torn tail (frames not yet synced, possibly on disk in
 * any order) from damage to what was acknowledged.
 *
 * A write that fails (a full disk, queue.max_disk_bytes) is cut back to the last whole frame and
 * reported to the committer (storage_full: nothing is acknowledged); outcome records are kept and
 * written later; the store reports itself unavailable until a write succeeds again, and never
 * throws on the delivery side.
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statfsSync, truncateSync, unlink, writeSync, writevSync } from 'node:fs'
import { join } from 'node:path'
import { type Entry, soleLabelOf } from '../dispatch/coalesce'
import { type Lane, LaneTable, type RateShape } from '../dispatch/lanes'
import { type IlertEventBody, laneKeyFor, type QueuedEvent } from '../pipeline/ilert-event'
import type { CommitResult, EventStore, OfferResult, StorageFailure, StoreHealth } from './event-store'
import { SpaceWaiters } from './space-waiters'
import { CHECKPOINT_VERSION, type CheckpointHeader, CheckpointWriter, readCheckpoint, writeCheckpoint } from './wal/checkpoint'
import { checkpointName, dirBytes, fsyncDir, listQueueFiles, segmentName, unlinkQuietly } from './wal/files'
import { FrameWriter, readFrame, RECORD_HEADER, RecordType, syncedBeyond, zeroFrom } from './wal/frame'
import { HistoryLog, loadHistory } from './wal/history-log'
import { SegmentPreparer } from './wal/prepared-segment'
import { acquireQueueLock, type LockHandle } from './wal/queue-lock'
import { skeletonOf, SpillReader } from './wal/spill'
import { type StepLimits, SteppedCheckpoint, type SteppedOutcome } from './wal/stepped-checkpoint'

export type SyncMode = 'full' | 'normal' | 'off'

export interface LogStoreEvents {
  /** A torn tail was cut off at start (a crash mid-write): counted, logged. */
  tornTail?(file: string, offset: number, why: string): void
  /**
   * A stored event that no longer validates (the configuration changed), found at start: its text
   * as received, its sequence number and how many events it stands for (a coalesced call from the
   * checkpoint). It is not put into the lanes; the hook keeps it (the dead letters) or, when the
   * hook returns false, it is dropped and counted.
   */
  replayInvalid?(text: string, seq: number, count: number): boolean
  /** Replayed records that no longer validate and that nothing kept (no replayInvalid, or it failed): dropped. */
  replayDropped?(count: number): void
  compacted?(info: { ms: number; bytes: number; entries: number }): void
  /** The store became unavailable (a write failed) or available again. */
  health?(h: StoreHealth): void
}

export interface LogStoreOptions {
  path: string
  capacity: number
  sync: SyncMode
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number
  /** 0: no bound but the disk's. */
  maxDiskBytes: number
  /**
   * Bytes of bodies the lanes hold in memory (queue.max_memory_bytes); beyond it bodies stay on
   * disk only. Staged events (not yet written) count too; offers are refused as full only when
   * those reach it.
   */
  maxMemoryBytes: number
  rate: RateShape
  /** Rebuilds the ilert body of a Raw record (validate + normalize, as ingest did); undefined: no longer valid. */
  decodeRaw(text: string): IlertEventBody | undefined
  /** fdatasync of the active segment (tests inject one to watch acknowledgements wait for it). */
  syncFn?: (fd: number) => Promise<void>
  /**
   * A compaction of at least `minEntries` pending calls writes its checkpoint in steps
   * (wal/stepped-checkpoint.ts); default 2,048 calls, steps of 2 ms. Tests make steps small.
   */
  compactionSteps?: Partial<StepLimits & { minEntries: number }>
  events?: LogStoreEvents
}

export class LogDamagedError extends Error {}

const ACCEPTED: OfferResult = { kind: 'accepted' }
const FULL: OfferResult = { kind: 'full', reason: 'queue_full' }
const OK: StoreHealth = { kind: 'ok' }
const NOTHING: CommitResult = { kind: 'ok', committed: 0 }
/**
 * Events staged while a write or sync is in flight, beyond which stream sources pause (they wake
 * on the group write). Without it a storm staged up to queue.capacity (~55,000 parsed events
 * behind every sync here) and the bridge's peak RSS was 356-426 MB; at 4,096 it is 207-222 MB
 * with ingest within the runs' noise (bench:storm, ingest only).
 */
const MAX_STAGED = 4096
/** Log bytes written between forced full collections (collectAfter). */
const GC_EVERY_BYTES = 32 * 1024 * 1024
/** Room kept below queue.max_disk_bytes for the checkpoint that frees the rest. */
const RESERVE_SLACK = 64 * 1024
/** Segments are made ahead (zero-filled) only when queue.max_disk_bytes leaves room for this many. */
const PREPARE_MIN_SEGMENTS = 8
/**
 * The next segment is made ahead only when the last one averaged at most this many bytes per
 * sync. Measured here (pinned, 8 MiB written in groups of G bytes, one fdatasync each, the zero
 * fill counted): G = 4 KiB 174-193 ms into a prepared file against 256-301 appending; 16 KiB
 * 60-69 against 75-107; 64 KiB level (22-23 against 21-31); 256 KiB 17-19 against 14-16. With
 * large groups (TCP streams, 100 events per body) the zeros cost more than the syncs save.
 */
const PREPARE_MAX_BYTES_PER_SYNC = 64 * 1024
/**
 * Compactions of this many pending calls or more write their checkpoint in steps of STEP_MS (one
 * per event-loop turn) instead of in one go: at about 1-2 µs a call, 2,048 take 2-4 ms at once.
 */
const STEPPED_MIN_ENTRIES = 2048
const STEP_MS = 2
/** Bytes a Synced record takes at most (header and a decimal offset). */
const SYNCED_RECORD_MAX = 5 + 16

const defaultSync = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())))

type Waiter = (r: CommitResult) => void

export class LogStore implements EventStore {
  readonly kind = 'durable'
  readonly groupCommit = true
  readonly table: LaneTable
  readonly capacity: number
  private readonly dir: string
  private readonly lock: LockHandle
  private readonly sync: SyncMode
  private readonly syncFn: (fd: number) => Promise<void>
  private fd = -1
  private activeNo = 0
  private activeSize = 0
  /** The active segment's size on disk: a prepared one is a segment long from the start. */
  private activeFileSize = 0
  /** The active segment was prepared (zero-filled): its frames carry Synced records. */
  private activePrepared = false
  /** Offset below which the active segment is known to be on disk (its last completed sync). */
  private syncedTo = 0
  /** Syncs of the active segment so far (whether the next one is worth making ahead). */
  private activeSyncs = 0
  /** Makes the next segment ahead of time (queue.sync: full only). */
  private readonly preparer: SegmentPreparer | undefined
  /** Bytes of the closed segments after the checkpoint. */
  private sealedBytes = 0
  private checkpointNo = 0
  private checkpointBytes = 0
  /** Other files in the directory (the dead-letter database), sampled once a second. */
  private otherBytes = 0
  private nextSeq = 1
  private readonly staged: QueuedEvent[] = []
  /** Per staged event, the text it arrived as (undefined: serialized at write, or in a batch). */
  private readonly stagedRaw: (string | undefined)[] = []
  /** Staged runs [from, to) that are the items of one JSON array text (keepBatchText). */
  private readonly batches: { from: number; to: number; text: string }[] = []
  private readonly stagedSizes: number[] = []
  /** Per staged event, where its record's payload starts in the frame and how long it is (a batch: the batch's record). */
  private readonly stagedAt: number[] = []
  private readonly stagedLen: number[] = []
  /** Bytes the staged events will take (their text, or an estimate), counted against queue.max_memory_bytes. */
  private stagedBytes = 0
  private readonly frame = new FrameWriter()
  private readonly control = new FrameWriter(4096)
  private syncing = false
  /** Commits waiting for the write that follows the sync in flight. */
  private nextWaiters: Waiter[] = []
  private rotateWanted = false
  private state: StoreHealth = OK
  private readonly sends = new Map<string, number[]>()
  /** Integration keys whose storm digest is open in ilert (noteDigest). */
  private readonly digests = new Set<string>()
  private readonly space = new SpaceWaiters()
  private entryListener: (lane: Lane) => void = () => undefined
  private writeListener: (r: CommitResult) => void = () => undefined
  private controlTimer: ReturnType<typeof setTimeout> | undefined
  private readonly sampler: ReturnType<typeof setInterval>
  private closed = false
  private readonly spill: SpillReader
  /** The key history's own log (wal/history-log.ts); written at start, then appended. */
  private readonly historyLog: HistoryLog
  /** A checkpoint being written in steps (compactInSteps). */
  private stepped: SteppedCheckpoint | undefined
  /** Bytes written to the log since the last forced collection (collectAfter). */
  private writtenSinceGc = 0
  /** Entries loaded at start (from the checkpoint and the log tail). */
  /** `invalid`: events that no longer validate, handed to events.replayInvalid; `dropped`: those nothing kept. */
  readonly recovered: { entries: number; events: number; segments: number; tornTails: number; invalid: number; dropped: number }

  constructor(private readonly opts: LogStoreOptions) {
    this.dir = opts.path
    this.capacity = opts.capacity
    this.sync = opts.sync
    this.syncFn = opts.syncFn ?? defaultSync
    this.table = new LaneTable(opts.rate)
    this.spill = new SpillReader(this.dir, opts.decodeRaw)
    this.table.restore = (e) => this.materialize(e)
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    } catch (err) {
      throw new Error(`queue.path ${this.dir} cannot be created: ${(err as Error).message}`)
    }
    try {
      this.lock = acquireQueueLock(this.dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== undefined) throw new Error(`queue.path ${this.dir} is not usable: ${(err as Error).message}`)
      throw err
    }
    this.historyLog = new HistoryLog(this.dir)
    const roomToPrepare = opts.maxDiskBytes === 0 || opts.maxDiskBytes >= PREPARE_MIN_SEGMENTS * opts.segmentBytes
    this.preparer = opts.sync === 'full' && roomToPrepare ? new SegmentPreparer(this.dir, opts.segmentBytes) : undefined
    try {
      this.recovered = this.recover()
      this.openSegment(this.activeNo)
    } catch (err) {
      this.preparer?.close()
      this.historyLog.close()
      this.spill.close()
      this.lock.release()
      throw err
    }
    // What recovery rebuilt (the checkpoint's history plus the log tail), as the next generation;
    // on a full disk the first compaction writes it (it must before any segment goes).
    try {
      this.historyLog.rewrite(this.table.history)
    } catch {
      // needsRewrite stays true
    }
    const history = this.historyLog
    this.table.history.listener = { key: (k, st) => history.note(k, st), baseline: (b, clear) => history.noteBaseline(b, clear) }
    // A cancelled pair (an ALERT and its RESOLVE, issue 15.1) is recorded like a delivered call, so a replay removes both.
    this.table.onCancel((lane, alert, resolve) => this.addControl(RecordType.Complete, JSON.stringify({ k: lane.key, i: alert.body.integrationKey, s: resolve.id })))
    this.sampleDisk()
    // A start on a full disk: up and serving what it holds, but not taking events until there is room.
    if (!this.hasRoom()) this.state = { kind: 'unavailable', reason: 'storage_full', message: `no room left in queue.path ${this.dir}` }
    this.sampler = setInterval(() => this.tick(), 1000)
    this.sampler.unref?.()
  }

  // ---- ingest side ---------------------------------------------------------------------------

  freeSlots(): number {
    if (this.memoryFull()) return 0
    return this.capacity - this.table.entries - this.staged.length
  }

  /**
   * Bodies held in memory: what the lanes keep (spilling holds it near queue.max_memory_bytes)
   * plus what is staged. Only bodies that cannot be spilled (accumulated comments, calls being
   * retried) keep the lanes' share above the bound, so this refuses only at twice it.
   */
  private memoryFull(): boolean {
    return this.table.heldBytes + this.stagedBytes >= 2 * this.opts.maxMemoryBytes || this.stagedBytes >= this.opts.maxMemoryBytes
  }

  stagingFull(): boolean {
    return this.staged.length >= MAX_STAGED
  }

  offer(event: QueuedEvent, raw: string | undefined): OfferResult {
    if (this.table.entries + this.staged.length >= this.capacity || this.memoryFull()) return FULL
    // Its share of queue.max_memory_bytes until the frame is built: the text it came as, or an estimate.
    this.stagedBytes += raw !== undefined ? raw.length : 256
    this.staged.push(event)
    this.stagedRaw.push(raw)
    return ACCEPTED
  }

  stagedCount(): number {
    return this.staged.length
  }

  keepBatchText(from: number, text: string): void {
    const to = this.staged.length
    if (from < 0 || from >= to) return
    for (let i = from; i < to; i++) if (this.stagedRaw[i] !== undefined) return
    this.batches.push({ from, to, text })
  }

  commit(): CommitResult | Promise<CommitResult> {
    if (this.staged.length === 0) return NOTHING
    if (this.sync !== 'full') return this.writeGroup()
    if (this.syncing) return new Promise<CommitResult>((resolve) => this.nextWaiters.push(resolve))
    const r = this.writeGroup()
    if (r.kind === 'error') return r
    return new Promise<CommitResult>((resolve) => this.startSync([resolve], r))
  }

  onWrite(listener: (r: CommitResult) => void): void {
    this.writeListener = listener
  }

  onEntry(listener: (lane: Lane) => void): void {
    this.entryListener = listener
  }

  onSpace(listener: () => void): void {
    this.space.add(listener)
  }

  health(): StoreHealth {
    return this.state
  }

  /** A checkpoint is being written in steps (what tests wait for). */
  get compacting(): boolean {
    return this.stepped !== undefined
  }

  /** A segment made ahead is written, synced and waiting to be taken (what tests wait for). */
  get segmentMadeAhead(): boolean {
    return this.preparer?.isReady === true
  }

  diskBytes(): number {
    return this.logFileBytes() + this.otherBytes
  }

  /** Bytes the log's own files take: checkpoint, sealed segments, the active one, the one made ahead. */
  private logFileBytes(): number {
    return this.checkpointBytes + this.sealedBytes + Math.max(this.activeSize, this.activeFileSize) + (this.preparer?.bytesOnDisk ?? 0)
  }

  // ---- delivery side: outcome records, never throwing -----------------------------------------

  completeHead(lane: Lane): void {
    const head = lane.entries[0]
    if (head !== undefined) this.addControl(RecordType.Complete, JSON.stringify({ k: lane.key, i: head.body.integrationKey, s: head.lastSeq }))
    this.table.completeHead(lane)
    this.space.wake()
    if (this.wantsCompaction(2)) this.rotateWanted = true
  }

  recordAttempt(lane: Lane): void {
    const head = lane.entries[0]
    if (head === undefined) return
    this.addControl(RecordType.Attempt, JSON.stringify({ k: lane.key, i: head.body.integrationKey, a: head.attempts, s: head.lastSeq }))
  }

  /**
   * Written at once (one small write per ilert call, at most ilert's rate): a kill -9 right after
   * the send must not make the next start spend a budget ilert has already counted.
   */
  noteSent(integrationKey: string): void {
    const t = Date.now()
    this.control.addText(RecordType.Sent, JSON.stringify({ i: integrationKey, t }))
    this.remember(integrationKey, t)
    this.flushControl()
  }

  recoveredSends(): ReadonlyMap<string, readonly number[]> {
    return this.sends
  }

  /** Written at once, like a send: it happens at most once a window per source. */
  noteDigest(integrationKey: string, open: boolean): void {
    if (open === this.digests.has(integrationKey)) return
    if (open) this.digests.add(integrationKey)
    else this.digests.delete(integrationKey)
    this.control.addText(RecordType.Digest, JSON.stringify({ i: integrationKey, o: open ? 1 : 0 }))
    this.flushControl()
  }

  recoveredDigests(): ReadonlySet<string> {
    return this.digests
  }

  /** Reads a spilled entry's body back into memory before its call leaves; false when the read fails (retried later). */
  materialize(entry: Entry): boolean {
    const ref = entry.spill
    if (ref === undefined) return true
    try {
      entry.body = this.spill.read(ref, entry.body)
    } catch {
      return false // the dispatcher logs it and tries again later
    }
    entry.spill = undefined
    this.table.spilledBytes -= entry.bytes
    return true
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.stepped?.abandon() // the log is whole without it; the next start compacts again
    this.stepped = undefined
    clearInterval(this.sampler)
    if (this.controlTimer) clearTimeout(this.controlTimer)
    this.flushControl()
    this.preparer?.close()
    try {
      this.sealActive()
    } catch {
      // what was written stays in the OS; a later start replays it
    }
    closeSync(this.fd)
    this.historyLog.close()
    this.spill.close()
    this.lock.release()
  }

  // ---- writing -------------------------------------------------------------------------------

  /** Writes the staged events (with pending outcome records) as one frame and puts them into the lanes. */
  private writeGroup(): CommitResult {
    const n = this.staged.length
    if (n === 0) return NOTHING
    this.encodeStaged()
    // (fits may compact, which starts a new segment: the Synced record is added after it.)
    if (this.opts.maxDiskBytes > 0 && !this.fits(this.frame.length + this.control.length + 2 * SYNCED_RECORD_MAX)) {
      return this.refuse('storage_full', `queue.max_disk_bytes (${this.opts.maxDiskBytes}) reached`)
    }
    if (this.activePrepared) this.frame.addText(RecordType.Synced, String(this.syncedTo))
    const bytes = this.frame.seal()
    let base: number
    // Pending outcome records go first, in the same system call.
    const controlMark = this.control.length
    const controlRecords = this.control.records
    const control = this.sealControl()
    try {
      base = this.activeSize + (control?.length ?? 0)
      this.append(bytes, control)
    } catch (err) {
      this.control.truncate(controlMark, controlRecords) // kept for the next write
      return this.refuse(failureOf(err), (err as Error).message)
    }
    if (control !== undefined) this.control.reset()
    this.frame.reset()
    const table = this.table
    const file = segmentName(this.activeNo)
    let b = 0
    for (let i = 0; i < n; i++) {
      const ev = this.staged[i]!
      const replayed = ev.id !== 0
      if (replayed) {
        this.entryListener(table.insertBySeq(ev, this.stagedSizes[i]!)) // a replayed dead letter keeps its place
      } else {
        ev.id = this.nextSeq++
        if (ev.laneKey === '') ev.laneKey = `A:${ev.id}`
        if (!table.add(ev, this.stagedSizes[i]!)) this.entryListener(table.lastLane!)
        this.keepRaw(ev, this.stagedRaw[i])
      }
      if (table.heldBytes <= this.opts.maxMemoryBytes) continue
      while (b < this.batches.length && this.batches[b]!.to <= i) b++
      const batch = this.batches[b]
      const inBatch = batch !== undefined && batch.from <= i
      const type = inBatch ? RecordType.RawBatch : replayed ? RecordType.Replayed : this.stagedRaw[i] !== undefined ? RecordType.Raw : RecordType.Body
      this.spillAt(ev, file, base + this.stagedAt[i]!, this.stagedLen[i]!, type, inBatch ? i - batch.from : 0)
    }
    this.clearStaged()
    this.collectAfter(bytes.length)
    // Staged events held slots until now; most merged into lanes, so a reader paused for room
    // (staged while a sync was in flight) may go on. Without this it waited for a delivery.
    this.space.wake()
    const r: CommitResult = { kind: 'ok', committed: n }
    this.setHealth(OK)
    this.writeListener(r)
    if (this.activeSize >= this.opts.segmentBytes) this.rotateWanted = true
    if (this.sync !== 'full') this.maintain()
    return r
  }

  /**
   * Encodes the staged events into the frame: one record per event as it arrived (or as an ilert
   * body, serialized now), or one record for a whole JSON array; each event's share of the
   * record's bytes is its live-set size.
   */
  private encodeStaged(): void {
    const n = this.staged.length
    const frame = this.frame
    const sizes = this.stagedSizes
    sizes.length = n
    const ats = this.stagedAt
    const lens = this.stagedLen
    ats.length = n
    lens.length = n
    let b = 0
    for (let i = 0; i < n; ) {
      const batch = this.batches[b]
      const at = frame.length + RECORD_HEADER
      if (batch !== undefined && batch.from === i) {
        const count = batch.to - batch.from
        const size = frame.addText(RecordType.RawBatch, batch.text)
        const share = Math.max(1, Math.floor(size / count))
        for (let j = batch.from; j < batch.to; j++) {
          sizes[j] = share
          ats[j] = at
          lens[j] = size - RECORD_HEADER
        }
        i = batch.to
        b++
        continue
      }
      const raw = this.stagedRaw[i]
      const ev = this.staged[i]!
      const size =
        ev.id !== 0
          ? frame.addText(RecordType.Replayed, JSON.stringify({ s: ev.id, b: ev.body })) // a dead letter back at its place
          : raw !== undefined
            ? frame.addText(RecordType.Raw, raw)
            : frame.addText(RecordType.Body, JSON.stringify(ev.body))
      sizes[i] = size
      ats[i] = at
      lens[i] = size - RECORD_HEADER
      i++
    }
  }

  /** The entry that now holds `ev` keeps the text `ev` arrived as while its body is `ev`'s (checkpoint.ts). */
  private keepRaw(ev: QueuedEvent, raw: string | undefined): void {
    const e = this.table.lastEntry
    if (e === undefined || e.lastSeq !== ev.id) return
    this.table.setRaw(e, raw !== undefined && e.body === ev.body ? raw : undefined)
  }

  /**
   * Over queue.max_memory_bytes: the entry that now holds `ev` keeps only a skeleton and points at
   * `ev`'s record, when that record rebuilds its body (a non-COMMENT merge keeps the newest body,
   * with the labels the skeleton keeps; merged comments do not come from one record).
   */
  private spillAt(ev: QueuedEvent, file: string, at: number, len: number, type: RecordType, item: number): void {
    const e = this.table.lastEntry
    if (e === undefined || e.spill !== undefined || e.lastSeq !== ev.id) return
    if (e.type === 'COMMENT' && e.body !== ev.body) return
    e.spill = { file, at, len, type, item }
    e.body = skeletonOf(e.body)
    this.table.setRaw(e, undefined)
    this.table.spilledBytes += e.bytes
  }

  /**
   * A full collection after every GC_EVERY_BYTES written. Each written event leaves its parsed
   * object and its text as garbage, which the collector let pile up: the 1M-event storm peaked at
   * 195-215 MB RSS, and 464 MB while a 310 MB backlog was spilled under a 32 MiB bound. Collecting
   * every 32 MiB: 158-164 MB for the storm, ingest within the runs' noise (bench/PROFILE.md).
   */
  private collectAfter(written: number): void {
    this.writtenSinceGc += written
    if (this.writtenSinceGc < GC_EVERY_BYTES) return
    this.writtenSinceGc = 0
    Bun.gc(true)
  }

  /** spillAt for an event replayed at start, while the lanes hold more than the bound. */
  private spillReplayed(ev: QueuedEvent, file: string, at: number, len: number, type: RecordType, item: number): void {
    if (this.table.heldBytes > this.opts.maxMemoryBytes) this.spillAt(ev, file, at, len, type, item)
  }

  private clearStaged(): void {
    this.staged.length = 0
    this.stagedRaw.length = 0
    this.stagedSizes.length = 0
    this.stagedAt.length = 0
    this.stagedLen.length = 0
    this.stagedBytes = 0
    this.batches.length = 0
  }

  /** Discards the staged events after a failed write; nothing of them is acknowledged. */
  private refuse(reason: StorageFailure, message: string): CommitResult {
    const lost = this.staged.length
    this.clearStaged()
    this.frame.reset()
    this.space.wake()
    const r: CommitResult = { kind: 'error', reason, message, lost }
    this.setHealth({ kind: 'unavailable', reason, message })
    this.writeListener(r)
    return r
  }

  private startSync(waiters: Waiter[], r: CommitResult): void {
    this.syncing = true
    this.activeSyncs++
    const no = this.activeNo
    const end = this.activeSize // everything written so far: what this sync covers
    const done = (result: CommitResult) => {
      this.syncing = false
      if (result.kind === 'ok' && no === this.activeNo && end > this.syncedTo) this.syncedTo = end
      for (const w of waiters) w(result)
      if (this.closed) return
      this.maintain()
      if (this.nextWaiters.length > 0) {
        const ws = this.nextWaiters
        this.nextWaiters = []
        const next = this.writeGroup()
        if (next.kind === 'error') for (const w of ws) w(next)
        else this.startSync(ws, next)
      } else if (!this.control.empty) this.scheduleControl()
    }
    this.syncFn(this.fd).then(
      () => done(r),
      (err: Error) => {
        // Written but not known to be on disk: not acknowledged (the sender retries; at-least-once).
        this.setHealth({ kind: 'unavailable', reason: 'storage_error', message: err.message })
        done({ kind: 'error', reason: 'storage_error', message: `sync failed: ${err.message}`, lost: r.kind === 'ok' ? r.committed : 0 })
      },
    )
  }

  /**
   * Writes whole frames at the end of the active segment (`before`, then `bytes`: one system
   * call); on failure cuts the segment back to its last whole frame.
   */
  private append(bytes: Uint8Array, before?: Uint8Array): void {
    const first = before?.length ?? 0
    const total = first + bytes.length
    const at = this.activeSize
    let done = 0
    try {
      if (before !== undefined) done = writevSync(this.fd, [before, bytes], at)
      while (done < total) {
        done +=
          done < first
            ? writeSync(this.fd, before!, done, first - done, at + done)
            : writeSync(this.fd, bytes, done - first, total - done, at + done)
      }
    } catch (err) {
      if (done > 0 || this.activeFileSize > at) {
        try {
          ftruncateSync(this.fd, at) // a prepared segment's zeros go too: the rest of it grows as it is written
          this.activeFileSize = at
        } catch {
          // the torn frame is cut at the next start instead
        }
      }
      throw err
    }
    this.activeSize = at + total
    if (this.activeSize > this.activeFileSize) this.activeFileSize = this.activeSize
  }

  private addControl(type: RecordType, text: string): void {
    this.control.addText(type, text)
    this.scheduleControl()
  }

  private scheduleControl(): void {
    if (this.controlTimer !== undefined || this.closed) return
    this.controlTimer = setTimeout(() => {
      this.controlTimer = undefined
      if (!this.syncing) {
        this.flushControl()
        this.maintain()
      }
      // While a sync is in flight the next group (or the end of the sync) writes them.
    }, 5)
    this.controlTimer.unref?.()
  }

  /** Writes pending outcome records; on failure they stay pending and are retried. */
  private flushControl(): void {
    try {
      this.writeControl()
    } catch (err) {
      this.setHealth({ kind: 'unavailable', reason: failureOf(err), message: (err as Error).message })
    }
  }

  private writeControl(): void {
    const mark = this.control.length
    const records = this.control.records
    const bytes = this.sealControl()
    if (bytes === undefined) return
    try {
      this.append(bytes)
    } catch (err) {
      this.control.truncate(mark, records)
      throw err
    }
    this.control.reset()
  }

  /** The pending outcome records as one frame (with its Synced record in a prepared segment), or undefined. */
  private sealControl(): Buffer | undefined {
    if (this.control.empty) return undefined
    if (this.activePrepared) this.control.addText(RecordType.Synced, String(this.syncedTo))
    return this.control.seal()
  }

  /**
   * Writes a checkpoint of the lanes now. Used once at start, after the events that no longer
   * validate went to the dead letters: the segments that still hold them go, so the next start
   * does not find them (and dead-letter them) again. A failure leaves the log as it was.
   */
  checkpointNow(): void {
    if (this.syncing || this.closed) return
    this.flushControl()
    this.compact()
  }

  /** Rotation and compaction, run only while no sync is in flight. */
  private maintain(): void {
    // A segment written as it grows (the first one, or one opened while none was made ahead)
    // gives way to a prepared one as soon as there is one: its syncs cost less.
    if (this.activeSize > 0 && this.preparedWaiting()) this.rotateWanted = true
    if (!this.rotateWanted || this.syncing || this.closed) return
    this.rotateWanted = false
    try {
      this.flushControl()
      if (this.activeSize >= this.opts.segmentBytes || this.wantsCompaction(1) || this.preparedWaiting()) this.rotate()
      if (this.wantsCompaction(1)) this.compact(true)
    } catch (err) {
      this.setHealth({ kind: 'unavailable', reason: failureOf(err), message: (err as Error).message })
    }
  }

  /** The active segment grows as it is written while a prepared one is ready to take its place. */
  private preparedWaiting(): boolean {
    return !this.activePrepared && this.preparer?.isReady === true
  }

  /** True when most of the log is superseded: more than twice the live set plus `segments` segments. */
  private wantsCompaction(segments: number): boolean {
    if (this.stepped !== undefined) return false // one is being written
    const logBytes = this.checkpointBytes + this.sealedBytes + (segments > 1 ? this.activeSize : 0)
    return logBytes > 2 * this.table.bytes + segments * this.opts.segmentBytes
  }

  private rotate(): void {
    if (this.activeSize === 0) return
    this.sealActive()
    closeSync(this.fd)
    this.sealedBytes += this.activeSize
    this.openSegment(this.activeNo + 1)
  }

  /** Syncs the active segment before it is closed; a prepared one loses its unwritten zeros first. */
  private sealActive(): void {
    if (this.activeFileSize > this.activeSize) {
      ftruncateSync(this.fd, this.activeSize)
      this.activeFileSize = this.activeSize
      if (this.sync !== 'off') fsyncSync(this.fd) // the new size too
    } else if (this.sync !== 'off') fdatasyncSync(this.fd)
  }

  /**
   * Opens segment `no` as the active one: the segment made ahead when there is one, else a new
   * empty file. The one after it is made ahead unless the segment just closed had large groups.
   */
  private openSegment(no: number): void {
    const smallGroups = this.activeSyncs === 0 || this.activeSize / this.activeSyncs <= PREPARE_MAX_BYTES_PER_SYNC
    const file = join(this.dir, segmentName(no))
    this.activePrepared = this.preparer?.take(file) === true
    this.fd = openSync(file, this.activePrepared ? 'r+' : 'a', 0o600)
    this.activeNo = no
    this.activeSize = 0
    this.activeFileSize = this.activePrepared ? this.opts.segmentBytes : 0
    this.syncedTo = 0
    this.activeSyncs = 0
    if (this.sync === 'full') fsyncDir(this.dir)
    if (smallGroups) this.preparer?.prepare()
  }

  /**
   * Writes the live lanes as checkpoint `activeNo` (the active segment is empty, just rotated) and
   * deletes every segment and checkpoint it covers. `inSteps`: a large live set is written a few
   * lanes per event-loop turn (wal/stepped-checkpoint.ts) and the segments go once it is whole;
   * a checkpoint still being written that way is finished first.
   */
  private compact(inSteps = false): void {
    this.stepped?.finishNow()
    if (this.activeSize !== 0) this.rotate()
    const started = performance.now()
    const epochOffset = Date.now() - started
    const table = this.table
    const spill = this.spill
    // Where each entry landed, for those whose body is (or is now to be) on disk only.
    const moved: { e: Entry; at: number; len: number; type: RecordType }[] = []
    const over = () => table.heldBytes > this.opts.maxMemoryBytes
    const collect = table.spilledBytes > 0 || over()
    let pinned: Entry | undefined
    // The history log holds every change up to this checkpoint before the segments that also hold them go.
    if (this.historyLog.needsRewrite || this.historyLog.wantsRewrite(table.history.size)) this.historyLog.rewrite(table.history)
    else this.historyLog.sync()
    const header = { v: CHECKPOINT_VERSION, nextSeq: this.nextSeq, segment: this.activeNo, at: Date.now() }
    const bodyOf = (e: Entry) => (e.spill === undefined ? e.body : spill.read(e.spill, e.body))
    // Spilled bodies are re-pointed into the checkpoint as it is written: those compactions stay whole.
    if (inSteps && !collect && table.entries >= (this.opts.compactionSteps?.minEntries ?? STEPPED_MIN_ENTRIES)) {
      return this.compactInSteps(header, epochOffset, bodyOf, started)
    }
    const size = writeCheckpoint(this.dir, {
      header,
      forEachEntry(emit) {
        for (const source of table.sources.values()) {
          for (const lane of source.lanes.values()) {
            pinned = lane.inFlight ? lane.entries[0] : undefined // on the wire: its body must stay
            for (const e of lane.entries) emit(lane.key, e)
          }
        }
      },
      bodyOf,
      ...(collect ? { placed: (e: Entry, at: number, len: number, type: RecordType) => void (e !== pinned && moved.push({ e, at, len, type })) } : {}),
      sends: this.recentSends(),
      digests: this.digests,
      epochOffset,
    })
    // The checkpoint is whole: spilled bodies now point into it (the segments go), and while the
    // lanes hold more than queue.max_memory_bytes, more bodies move there.
    const name = checkpointName(this.activeNo)
    for (const { e, at, len, type } of moved) {
      if (e.spill === undefined) {
        if (!over()) continue
        e.body = skeletonOf(e.body)
        table.setRaw(e, undefined)
        table.spilledBytes += e.bytes
      }
      e.spill = { file: name, at, len, type, item: 0 }
    }
    this.checkpointWritten(this.activeNo, size, this.sealedBytes, started)
  }

  /** Starts writing checkpoint `header.segment` in steps; `checkpointWritten` follows once it is whole. */
  private compactInSteps(header: CheckpointHeader, epochOffset: number, bodyOf: (e: Entry) => IlertEventBody, started: number): void {
    const writer = new CheckpointWriter(this.dir, header, epochOffset)
    // As of now, like the lanes: sends and digests change meanwhile (and are replayed from the log).
    const sends = new Map<string, number[]>()
    for (const [ik, t] of this.recentSends()) sends.set(ik, t.slice())
    const steps = this.opts.compactionSteps
    const limits = { stepMs: steps?.stepMs ?? STEP_MS, maxLanesPerStep: steps?.maxLanesPerStep ?? Infinity }
    const no = header.segment
    const sealed = this.sealedBytes
    const settled = (o: SteppedOutcome) => {
      this.stepped = undefined
      if (this.closed) return
      if (o.kind === 'failed') return this.setHealth({ kind: 'unavailable', reason: failureOf(o.error), message: o.error.message })
      this.otherBytes = Math.max(0, this.otherBytes - o.bytes) // sampled while it was a temporary file
      this.checkpointWritten(no, o.bytes, sealed, started)
    }
    this.stepped = new SteppedCheckpoint(this.table, writer, bodyOf, limits, sends, new Set(this.digests), settled)
  }

  /**
   * Checkpoint `no` is in place: every segment and checkpoint before it goes. `sealed`: bytes of
   * the closed segments it covers (segments closed while it was written in steps stay).
   */
  private checkpointWritten(no: number, size: number, sealed: number, started: number): void {
    const files = listQueueFiles(this.dir)
    // Deleted off the event loop (freeing a segment's blocks took 3 % of a durable storm's CPU);
    // a crash before they are gone is harmless: the next start deletes what the checkpoint covers.
    for (const n of files.segments) if (n < no) this.deleteLater(segmentName(n))
    for (const n of files.checkpoints) if (n < no) this.deleteLater(checkpointName(n))
    this.checkpointNo = no
    this.checkpointBytes = size
    this.sealedBytes -= sealed
    this.opts.events?.compacted?.({ ms: performance.now() - started, bytes: size, entries: this.table.entries })
  }

  private deleteLater(file: string): void {
    this.spill.forget(file)
    unlinkLater(join(this.dir, file))
  }

  /** Would `bytes` more fit under queue.max_disk_bytes, keeping room for a checkpoint? Compacts to make room. */
  private fits(bytes: number): boolean {
    const max = this.opts.maxDiskBytes
    const reserve = this.table.bytes + RESERVE_SLACK
    if (this.diskBytes() + bytes + reserve <= max) return true
    if (this.syncing) return false
    try {
      if (this.stepped !== undefined) {
        this.stepped.finishNow() // a checkpoint being written in steps frees what it covers now
        if (this.diskBytes() + bytes + reserve <= max) return true
      }
      if (this.checkpointBytes + this.sealedBytes + this.activeSize > this.table.bytes + RESERVE_SLACK) this.compact()
    } catch {
      return false
    }
    return this.diskBytes() + bytes + reserve <= max
  }

  private setHealth(h: StoreHealth): void {
    if (h.kind === this.state.kind) return
    this.state = h
    this.opts.events?.health?.(h)
  }

  /** Once a second: the directory's real size, a retry of pending outcome records, room again after a failure. */
  private tick(): void {
    this.sampleDisk()
    if (this.sends.size > 0) this.recentSends() // forgets integration keys with no send inside the window
    if (!this.syncing) {
      this.flushControl()
      this.maintain()
    }
    this.historyLog.flushQuietly()
    if (this.state.kind === 'unavailable' && this.control.empty && this.hasRoom()) this.setHealth(OK)
  }

  private hasRoom(): boolean {
    if (this.opts.maxDiskBytes > 0 && this.diskBytes() + this.table.bytes + RESERVE_SLACK >= this.opts.maxDiskBytes) return false
    try {
      const s = statfsSync(this.dir)
      return s.bavail * s.bsize > 1024 * 1024
    } catch {
      return true
    }
  }

  private sampleDisk(): void {
    try {
      this.otherBytes = Math.max(0, dirBytes(this.dir) - this.logFileBytes())
    } catch {
      // keep the last reading
    }
  }

  private remember(ik: string, t: number): void {
    let list = this.sends.get(ik)
    if (list === undefined) this.sends.set(ik, (list = []))
    // Kept in time order (recentSends relies on it): after a clock step back a send counts as
    // made at the latest time seen, which holds its budget a little longer, never shorter.
    const last = list.length > 0 ? list[list.length - 1]! : t
    list.push(last > t ? last : t)
    if (list.length > 2 * this.opts.rate.perKey) list.splice(0, list.length - this.opts.rate.perKey)
  }

  /**
   * Send times inside the last window (plus margin), per integration key: the older ones are cut
   * off in place (each list is in time order, so a binary search finds where). Filtering every
   * list into a copy once a second took up to 4 ms at 10,000 calls a second with the limits lifted.
   */
  private recentSends(): Map<string, number[]> {
    const since = Date.now() - this.opts.rate.windowMs - this.opts.rate.marginMs
    for (const [ik, list] of this.sends) {
      const from = firstAtOrAfter(list, since)
      if (from === list.length) this.sends.delete(ik)
      else if (from > 0) list.splice(0, from)
    }
    return this.sends
  }

  // ---- recovery ------------------------------------------------------------------------------

  private recover(): LogStore['recovered'] {
    const files = listQueueFiles(this.dir)
    const stats = { entries: 0, events: 0, segments: 0, tornTails: 0, invalid: 0, dropped: 0 }
    for (const name of files.unfinished) unlinkQuietly(join(this.dir, name)) // the log is whole without it
    const newest = files.checkpoints.at(-1)
    // With no checkpoint the log still holds every call this store ever completed, so replaying its
    // Complete records rebuilds what is open in ilert (dispatch/key-history.ts); after a checkpoint
    // the history before it is compacted away: unknown.
    this.table.history.baseline = newest === undefined ? 'closed' : 'unknown'
    if (newest !== undefined) {
      stats.dropped += this.loadCheckpoint(newest, stats)
      for (const n of files.checkpoints) if (n < newest) unlinkQuietly(join(this.dir, checkpointName(n)))
    }
    const tail = files.segments.filter((n) => n >= this.checkpointNo)
    // Segments a checkpoint covers but that a crash left behind before their deletion.
    for (const n of files.segments) if (n < this.checkpointNo) unlinkQuietly(join(this.dir, segmentName(n)))
    for (let i = 0; i < tail.length; i++) {
      const size = this.replaySegment(tail[i]!, i === tail.length - 1, stats)
      this.sealedBytes += size
      stats.segments++
      // Spilling leaves the bodies it parsed as garbage; collected after every segment, a start
      // over a 310 MB backlog with a 32 MiB bound peaked at 225 MB RSS (317 MB collecting once a
      // bound's worth, 770 MB holding every body).
      if (this.table.spilledBytes > 0) Bun.gc(true)
    }
    this.activeNo = Math.max(tail.at(-1) ?? 0, this.checkpointNo) + 1
    stats.entries = this.table.entries
    stats.events = this.table.events
    if (stats.dropped > 0) this.opts.events?.replayDropped?.(stats.dropped)
    if (this.wantsCompaction(1)) this.rotateWanted = true
    return stats
  }

  /**
   * Loads checkpoint `no` one record at a time; beyond queue.max_memory_bytes entries point at
   * their records. Returns how many raw entries no longer validate and nothing kept (left out, as a replay does).
   */
  private loadCheckpoint(no: number, stats: { invalid: number; dropped: number }): number {
    const perfOffset = performance.now() - Date.now()
    const file = checkpointName(no)
    const table = this.table
    const c = readCheckpoint(this.dir, no, this.opts.decodeRaw, (e, at, len, type, raw) => {
      const lane = table.laneFor(e.b.integrationKey, e.k)
      const spill = table.heldBytes + e.n > this.opts.maxMemoryBytes
      const entry: Entry = {
        body: spill ? skeletonOf(e.b) : e.b,
        type: e.b.eventType,
        soleLabel: soleLabelOf(e.b.labels),
        count: e.c,
        acceptedAt: e.t + perfOffset,
        attempts: e.a,
        firstSeq: e.f,
        lastSeq: e.l,
        bytes: e.n,
      }
      if (spill) entry.spill = { file, at, len, type, item: 0 }
      else if (raw !== undefined && table.heldBytes + e.n + raw.length <= this.opts.maxMemoryBytes) entry.raw = raw // counted by append
      table.append(lane, entry)
    }, (raw, seq, count) => this.invalidAtStart(raw, seq, count, stats))
    for (const [ik, times] of c.sends) this.sends.set(ik, [...times])
    for (const ik of c.digests) this.digests.add(ik)
    // What was open in ilert per key when it was written: in the history log (a missing or damaged
    // one leaves it unknown), or in an older checkpoint itself; older still: unknown, as before.
    if (c.history === 'log') {
      const h = loadHistory(this.dir)
      if (h !== undefined) this.table.history.restore(h.baseline, h.keys)
    } else if (c.history !== undefined) this.table.history.restore(c.history.baseline, c.history.keys)
    this.nextSeq = c.header.nextSeq
    this.checkpointNo = c.header.segment
    this.checkpointBytes = c.bytes
    return c.dropped
  }

  /** Applies one segment's records; returns its (possibly cut) size. */
  private replaySegment(no: number, last: boolean, stats: { tornTails: number; invalid: number; dropped: number }): number {
    const name = segmentName(no)
    const file = join(this.dir, name)
    const data = readFileSync(file)
    let offset = 0
    /** Its frames carry Synced records: a zero-filled segment, written in place. */
    let prepared = false
    for (;;) {
      const f = readFrame(data, offset)
      if (f.kind === 'end') return data.length
      if (f.kind === 'bad' && zeroFrom(data, offset)) {
        // The unwritten rest of a zero-filled segment (or zeros a crash left): nothing was written
        // there, so nothing there was acknowledged. Cut off, as a sealed segment would have been.
        truncateSync(file, offset)
        return offset
      }
      if (f.kind === 'bad') {
        // A torn tail is the end of the newest segment: a frame cut short, or a bad checksum on
        // the last frame. In a zero-filled segment frames not yet synced may reach the disk in any
        // order, so a bad frame is torn unless a later intact frame says it had been synced.
        // Anything else is damage: stop, say where.
        // (A bad first frame: the segment is a prepared one when it ends in zeros; JSON text never does.)
        const inPlace = prepared || (offset === 0 && data[data.length - 1] === 0)
        const torn = last && (f.why === 'short' || f.frameEnd >= data.length || (inPlace && !syncedBeyond(data, offset)))
        if (!torn) {
          throw new LogDamagedError(
            `queue.path: ${file} is damaged at offset ${f.offset} (${f.why}), before its end; refusing to start rather than skip acknowledged events. Move the file aside to start without what it holds.`,
          )
        }
        truncateSync(file, f.offset)
        stats.tornTails++
        this.opts.events?.tornTail?.(file, f.offset, f.why)
        return f.offset
      }
      for (const r of f.records) {
        if (r.type === RecordType.Synced) prepared = true
        else this.replayRecord(r.type, r.text, r.size, stats, name, r.at)
      }
      offset = f.next
    }
  }

  /** An event that no longer validates: to the replayInvalid hook, or dropped (counted). */
  private invalidAtStart(text: string, seq: number, count: number, stats: { invalid: number; dropped: number }): void {
    if (this.opts.events?.replayInvalid?.(text, seq, count) === true) stats.invalid += count
    else stats.dropped += count
  }

  private replayRecord(type: number, text: string, size: number, stats: { invalid: number; dropped: number }, file: string, at: number): void {
    const len = size - RECORD_HEADER
    switch (type) {
      case RecordType.Raw:
      case RecordType.Body: {
        const seq = this.nextSeq++
        const body = type === RecordType.Raw ? this.opts.decodeRaw(text) : (JSON.parse(text) as IlertEventBody)
        if (body === undefined) return this.invalidAtStart(text, seq, 1, stats)
        const ev: QueuedEvent = { id: seq, body, laneKey: laneKeyFor(body.alertKey) || `A:${seq}`, acceptedAt: performance.now(), attempts: 0 }
        this.table.add(ev, size)
        if (type === RecordType.Raw) this.keepRaw(ev, text)
        this.spillReplayed(ev, file, at, len, type, 0)
        return
      }
      case RecordType.Replayed: {
        const r = JSON.parse(text) as { s: number; b: IlertEventBody }
        const ev: QueuedEvent = { id: r.s, body: r.b, laneKey: laneKeyFor(r.b.alertKey) || `A:${r.s}`, acceptedAt: performance.now(), attempts: 0 }
        this.table.insertBySeq(ev, size)
        this.spillReplayed(ev, file, at, len, type, 0)
        return
      }
      case RecordType.RawBatch: {
        // The items of one JSON array, each replayed as its own event (in the order received).
        let items: unknown
        try {
          items = JSON.parse(text)
        } catch {
          items = undefined
        }
        if (!Array.isArray(items)) {
          stats.dropped++
          return
        }
        const share = Math.max(1, Math.floor(size / Math.max(1, items.length)))
        for (let j = 0; j < items.length; j++) {
          const seq = this.nextSeq++
          const item = JSON.stringify(items[j])
          const body = this.opts.decodeRaw(item)
          if (body === undefined) {
            this.invalidAtStart(item, seq, 1, stats)
            continue
          }
          const ev: QueuedEvent = { id: seq, body, laneKey: laneKeyFor(body.alertKey) || `A:${seq}`, acceptedAt: performance.now(), attempts: 0 }
          this.table.add(ev, share)
          this.spillReplayed(ev, file, at, len, type, j)
        }
        return
      }
      case RecordType.Complete: {
        const c = JSON.parse(text) as { k: string; i: string; s: number }
        const lane = this.table.laneOf(c.i, c.k)
        if (lane !== undefined) this.table.completeUpTo(lane, c.s)
        return
      }
      case RecordType.Attempt: {
        const a = JSON.parse(text) as { k: string; i: string; a: number; s: number }
        const head = this.table.laneOf(a.i, a.k)?.entries[0]
        if (head !== undefined && head.firstSeq <= a.s && a.s <= head.lastSeq && a.a > head.attempts) head.attempts = a.a
        return
      }
      case RecordType.Sent: {
        const s = JSON.parse(text) as { i: string; t: number }
        this.remember(s.i, s.t)
        return
      }
      case RecordType.Digest: {
        const d = JSON.parse(text) as { i: string; o: number }
        if (d.o === 1) this.digests.add(d.i)
        else this.digests.delete(d.i)
        return
      }
      default:
        throw new LogDamagedError(`queue.path ${this.dir}: unknown record type ${type} (written by a newer mcp-ilert?)`)
    }
  }
}

function failureOf(err: unknown): StorageFailure {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'storage_full' : 'storage_error'
}

/** Index of the first element >= t in an ascending list (its length when there is none). */
function firstAtOrAfter(list: number[], t: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

function unlinkLater(file: string): void {
  unlink(file, () => undefined) // already gone, or gone at the next start
}

