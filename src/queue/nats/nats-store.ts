/**
 * The shared EventStore (queue.backend: nats): several bridges on one JetStream stream.
 *
 * Ingest on any instance: `commit` publishes the staged events (each with a Nats-Msg-Id, so a
 * retried publish is stored once) to their partition's subject and resolves after JetStream's
 * acknowledgements; only then is anything acknowledged. The events do not enter this instance's
 * lanes on publish: each partition has one owner (leases.ts), whose ordered consumer reads the
 * partition in stream order into its lanes, so the owner coalesces, orders and rate-governs every
 * integration key of its partitions alone. A delivered call (or one stored as a dead letter) is
 * removed from the stream by purging its lane's subject up to the call's last sequence; what the
 * stream still holds is exactly what ilert still has to receive, and a new owner rebuilds it by
 * reading the partition from its start. Every send is fenced by `mayDeliver` (the lease), and
 * each send's time is written to the KV bucket so the next owner of an integration key starts
 * with the budget ilert has already counted.
 */
import PQueue from 'p-queue'
import type { NatsConnection } from '@nats-io/nats-core'
import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import type { Lane, LaneTable, RateShape } from '../../dispatch/lanes'
import { LaneTable as Table } from '../../dispatch/lanes'
import { type IlertEventBody, laneKeyFor, type QueuedEvent } from '../../pipeline/ilert-event'
import type { CommitResult, EventStore, OfferResult, StoreHealth } from '../event-store'
import { SpaceWaiters } from '../space-waiters'
import { Leases } from './leases'
import type { NatsMetrics } from './metrics'
import { eventSubject, laneToken, partitionOf, partitionSubject, sourceToken } from './subjects'

export interface NatsStoreOptions {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  /** The leases bucket (p.<n>, m.<instance>) and the send history (s.<source>). */
  kv: KV
  stream: string
  partitions: number
  leaseMs: number
  instance: string
  capacity: number
  /**
   * queue.max_memory_bytes: bytes of bodies the owned partitions' lanes may hold. Beyond it (or
   * beyond capacity) a reader stops taking messages; they wait in the stream, which is the bound.
   */
  maxMemoryBytes: number
  publishTimeoutMs: number
  rate: RateShape
  metrics: NatsMetrics
  log: { debug(m: string, f?: object): void; info(m: string, f?: object): void; warn(m: string, f?: object): void; error(m: string, f?: object): void }
}

const ACCEPTED: OfferResult = { kind: 'accepted' }
const FULL: OfferResult = { kind: 'full', reason: 'queue_full' }
const OK: StoreHealth = { kind: 'ok' }
const NOTHING: CommitResult = { kind: 'ok', committed: 0 }
const NO_SENDS: ReadonlyMap<string, readonly number[]> = new Map()

interface Staged {
  subject: string
  data: string
}

/** How often the readers are checked against the stream, and how old a stranded message must be. */
const RECONCILE_EVERY_S = 5
const STRANDED_MS = 10_000
/** Publishes awaiting JetStream's acknowledgement at once, per instance. */
const MAX_PUBLISHES_IN_FLIGHT = 1024

/** One owned partition's consumer; a new one per acquisition (generation check on every message). */
interface Reader {
  p: number
  messages: ConsumerMessages | undefined
  closed: boolean
  /** The consumer's delivery sequence of the last message taken (checked against heartbeats). */
  delivered: number
  /** Waiting for room (capacity or max_memory_bytes): behind on purpose, not stalled. */
  paused: boolean
}

/** The client's consumer notifications this store reads (heartbeat, heartbeats_missed, ...). */
type ConsumerStatus = { type: string; lastConsumerSequence?: number; count?: number }

interface SourceInfo {
  partition: number
  token: string
  /** The send history of this key was loaded from KV for the current ownership. */
  historyLoaded: boolean
  loading: boolean
}

export class NatsStore implements EventStore {
  readonly kind = 'durable'
  readonly groupCommit = true
  readonly table: LaneTable
  readonly capacity: number
  readonly leases: Leases
  private staged: Staged[] = []
  private publishing = 0
  private state: StoreHealth = OK
  private connected = true
  private readonly readers = new Map<number, Reader>()
  private readonly sources = new Map<string, SourceInfo>()
  /** Send times per integration key (epoch ms), newest last; written to KV after each send. */
  private readonly sends = new Map<string, number[]>()
  private readonly sendWrites = new Map<string, 'busy' | 'again'>()
  /** Purges that failed (NATS away), retried: subject → highest sequence to remove. */
  private readonly purgeRetry = new Map<string, number>()
  private readonly space = new SpaceWaiters()
  private entryListener: (lane: Lane) => void = () => undefined
  private writeListener: (r: CommitResult) => void = () => undefined
  private pubSeq = 0
  /**
   * Publishes awaiting JetStream's acknowledgement, bounded: a group commit of tens of thousands
   * of events published at once made the last ones wait past publish_timeout_seconds, and the
   * retries that followed collapsed ingest (every event refused, storage_error). Beyond the bound
   * a commit waits its turn, so its ack waits, which is the backpressure the senders see.
   */
  private readonly publishes = new PQueue({ concurrency: MAX_PUBLISHES_IN_FLIGHT })
  private readonly boot = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  private readonly retryTimer: ReturnType<typeof setInterval>
  private closed = false

  constructor(private readonly o: NatsStoreOptions) {
    this.capacity = o.capacity
    this.table = new Table(o.rate)
    // A cancelled pair (ALERT and its RESOLVE, neither sent) leaves the stream like a delivered call.
    this.table.onCancel((lane, alert, resolve) => {
      const s = this.sourceInfo(alert.body.integrationKey)
      this.purge(eventSubject(this.o.stream, s.partition, s.token, laneToken(lane.key)), resolve.id)
    })
    this.leases = new Leases(o.kv, o.instance, o.partitions, o.leaseMs, {
      acquired: (p) => {
        // Another instance may have delivered for this partition's keys meanwhile: what is open in
        // ilert is unknown again, so no pair of theirs is cancelled on a stale belief.
        this.table.history.forget()
        o.metrics.leaseChanges.labels('acquired').inc()
        o.metrics.owned.set(this.leases.owned().length)
        o.log.info('Took a partition lease.', { partition: p })
        this.startReader(p)
      },
      lost: (p, why) => {
        o.metrics.leaseChanges.labels(why === 'taken' ? 'lost' : 'released').inc()
        o.metrics.owned.set(this.leases.owned().length)
        if (why === 'taken') o.log.warn('Lost a partition lease to another instance; dropping its pending calls (the new owner delivers them).', { partition: p })
        else o.log.info('Released a partition lease (another instance takes it).', { partition: p })
        this.dropPartition(p)
      },
      renewed: (p) => this.wakePartition(p),
      error: (op, err) => this.jsError(op, err),
    })
    // A partition moves only once its calls on the wire are answered and its send times are in KV.
    this.leases.canRelease = (p) => !this.hasInFlight(p) && this.sendWrites.size === 0
    let tick = 0
    this.retryTimer = setInterval(() => {
      void this.retryPurges()
      if (++tick % RECONCILE_EVERY_S === 0) void this.reconcile()
    }, 1000)
    this.retryTimer.unref?.()
    void this.watchStatus()
  }

  /** Joins the fleet: takes a fair share of the partitions (resolves after the first round). */
  start(): Promise<void> {
    return this.leases.start()
  }

  // ---- ingest side ---------------------------------------------------------------------------

  freeSlots(): number {
    return this.capacity - this.table.entries - this.staged.length - this.publishing
  }

  offer(event: QueuedEvent, _raw: string | undefined): OfferResult {
    if (this.table.entries + this.staged.length + this.publishing >= this.capacity) return FULL
    const ik = event.body.integrationKey
    const s = this.sourceInfo(ik)
    this.staged.push({ subject: eventSubject(this.o.stream, s.partition, s.token, laneToken(event.laneKey)), data: JSON.stringify(event.body) })
    return ACCEPTED
  }

  stagedCount(): number {
    return this.staged.length
  }

  /** Each event is its own message (its own dedup id), so a batch body is not kept whole here. */
  keepBatchText(_from: number, _text: string): void {}

  commit(): CommitResult | Promise<CommitResult> {
    const batch = this.staged
    if (batch.length === 0) return NOTHING
    this.staged = []
    this.publishing += batch.length
    const started = performance.now()
    const timeout = this.o.publishTimeoutMs
    const one = async (s: Staged): Promise<void> => {
      const msgID = `${this.o.instance}:${this.boot}:${++this.pubSeq}`
      try {
        await this.o.js.publish(s.subject, s.data, { msgID, timeout })
      } catch (err) {
        // A lost acknowledgement: publish again with the same id (stored once either way).
        if (!/timeout|TIMEOUT/.test((err as Error).message)) throw err
        await this.o.js.publish(s.subject, s.data, { msgID, timeout })
      }
    }
    return Promise.all(batch.map((s) => this.publishes.add(() => one(s)))).then(
      () => {
        this.publishing -= batch.length
        this.o.metrics.publishSeconds.observe((performance.now() - started) / 1000)
        this.setHealth(OK)
        const r: CommitResult = { kind: 'ok', committed: batch.length }
        this.writeListener(r)
        return r
      },
      (err: Error) => {
        this.publishing -= batch.length
        const full = /maximum (bytes|messages)|insufficient resources|storage/i.test(err.message)
        const reason = full ? 'storage_full' : 'storage_error'
        this.jsError('publish', err)
        this.setHealth({ kind: 'unavailable', reason, message: err.message })
        const r: CommitResult = { kind: 'error', reason, message: `JetStream refused the publish: ${err.message}`, lost: batch.length }
        this.writeListener(r)
        return r
      },
    )
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
    if (!this.connected) return { kind: 'unavailable', reason: 'storage_error', message: 'JetStream unreachable' }
    return this.state
  }

  diskBytes(): number {
    return 0
  }

  // ---- delivery side -------------------------------------------------------------------------

  /** The lease fence: true only while this instance holds the lane's partition and knows its key's send history. */
  mayDeliver(lane: Lane): boolean {
    const head = lane.entries[0]
    if (head === undefined) return false
    const ik = head.body.integrationKey
    const s = this.sourceInfo(ik)
    if (!this.readers.has(s.partition)) {
      // Left over from a partition we no longer own: its calls belong to the new owner.
      if (!lane.inFlight) while (lane.entries.length > 0) this.table.completeHead(lane)
      return false
    }
    if (!this.leases.holds(s.partition)) return false
    if (!s.historyLoaded) {
      this.loadHistory(ik, s)
      return false
    }
    return true
  }

  completeHead(lane: Lane): void {
    const head = lane.entries[0]
    if (head !== undefined) {
      const ik = head.body.integrationKey
      const s = this.sourceInfo(ik)
      if (lane.key.startsWith('A:')) void this.removeOne(head.lastSeq)
      else this.purge(eventSubject(this.o.stream, s.partition, s.token, laneToken(lane.key)), head.lastSeq)
    }
    this.table.completeHead(lane)
    this.space.wake()
  }

  recordAttempt(_lane: Lane): void {
    // Attempts live in the owner's lane; a new owner starts counting again (at-least-once).
  }

  noteSent(integrationKey: string): void {
    const now = Date.now()
    let list = this.sends.get(integrationKey)
    if (list === undefined) this.sends.set(integrationKey, (list = []))
    list.push(now)
    const since = now - this.o.rate.windowMs - this.o.rate.marginMs
    while (list.length > 0 && list[0]! < since) list.shift()
    this.writeSends(integrationKey)
  }

  recoveredSends(): ReadonlyMap<string, readonly number[]> {
    return NO_SENDS
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.retryTimer)
    for (const r of this.readers.values()) this.stopReader(r)
    await this.leases.stop().catch(() => undefined)
    await this.retryPurges()
  }

  // ---- partitions ----------------------------------------------------------------------------

  private sourceInfo(ik: string): SourceInfo {
    let s = this.sources.get(ik)
    if (s === undefined) {
      s = { partition: partitionOf(ik, this.o.partitions), token: sourceToken(ik), historyLoaded: false, loading: false }
      this.sources.set(ik, s)
    }
    return s
  }

  /** True while this instance holds a call of partition `p` (pending or on the wire). */
  private holdsCalls(p: number): boolean {
    return this.someLane(p, (lane) => lane.entries.length > 0)
  }

  private hasInFlight(p: number): boolean {
    return this.someLane(p, (lane) => lane.inFlight)
  }

  private someLane(p: number, test: (lane: Lane) => boolean): boolean {
    for (const [ik, source] of this.table.sources) {
      if (this.sourceInfo(ik).partition !== p) continue
      for (const lane of source.lanes.values()) if (test(lane)) return true
    }
    return false
  }

  /**
   * Anti-entropy for the readers: a partition this instance reads, holding no call of it, whose
   * oldest stored message is older than STRANDED_MS, has a message the reader never handed over
   * (delivered messages are purged within a second). It is read again from its start. This
   * catches any way the client can lose a delivery, beside the two the consumer watch sees.
   */
  private async reconcile(): Promise<void> {
    if (this.closed || !this.connected || this.purgeRetry.size > 0) return
    for (const [p, reader] of [...this.readers]) {
      if (reader.messages === undefined || reader.paused || !this.leases.holds(p) || this.holdsCalls(p)) continue
      let first: { seq: number; time: Date } | null
      try {
        // STREAM.MSG.GET takes next_by_subj since NATS 2.9; the client types it for direct gets only.
        const query = { seq: 1, next_by_subj: partitionSubject(this.o.stream, p) } as unknown as { seq: number }
        first = await this.o.jsm.streams.getMessage(this.o.stream, query)
      } catch {
        continue // none stored (404) or NATS busy: checked again next round
      }
      if (first === null || Date.now() - first.time.getTime() < STRANDED_MS) continue
      if (this.readers.get(p) !== reader || this.holdsCalls(p) || this.closed) continue
      this.o.metrics.errors.labels('reader_stalled').inc()
      this.o.log.warn('A partition reader stopped receiving; reading the partition again.', { partition: p, reason: 'stranded_message', seq: first.seq })
      this.restartReader(p, reader)
    }
  }


  /** Reads partition `p` from its start (what is left is what ilert still has to receive). */
  private startReader(p: number): void {
    const reader: Reader = { p, messages: undefined, closed: false, delivered: 0, paused: false }
    this.readers.set(p, reader)
    void (async () => {
      try {
        const consumer = await this.o.js.consumers.get(this.o.stream, { filter_subjects: partitionSubject(this.o.stream, p) })
        if (reader.closed) return
        this.o.log.debug('Reading a partition.', { partition: p })
        // expires 5 s (heartbeat every 2.5 s): after a NATS restart the client finds its ordered
        // consumer gone and recreates it after `expires`; the 30 s default stalled delivery for minutes.
        const messages = await consumer.consume({ max_messages: 512, expires: 5000 })
        reader.messages = messages
        void this.watchConsumer(p, reader, messages)
        if (reader.closed) {
          void messages.close()
          return
        }
        for await (const m of messages) {
          if (reader.closed) break
          reader.delivered = m.info.deliverySequence
          let body: IlertEventBody
          try {
            body = JSON.parse(m.string()) as IlertEventBody
          } catch {
            this.o.metrics.errors.labels('bad_message').inc()
            continue
          }
          const seq = m.seq
          const ev: QueuedEvent = { id: seq, body, laneKey: laneKeyFor(body.alertKey) || `A:${seq}`, acceptedAt: performance.now(), attempts: 0 }
          // Re-read after a restart of the reader: what the call on the wire carries is not added twice.
          const lane = this.table.laneOf(body.integrationKey, ev.laneKey)
          if (lane !== undefined && lane.inFlight && lane.entries[0] !== undefined && seq <= lane.entries[0].lastSeq) continue
          if (!this.table.add(ev, m.data.length)) this.entryListener(this.table.lastLane!)
          while (this.lanesFull() && !reader.closed) {
            reader.paused = true
            await new Promise<void>((resolve) => this.space.add(resolve))
          }
          reader.paused = false
        }
      } catch (err) {
        if (!reader.closed) {
          this.jsError('consume', err as Error)
          // Try again from the start of the partition (lanes merge nothing twice: they are rebuilt).
          if (this.readers.get(p) === reader) {
            this.dropLanes(p)
            setTimeout(() => {
              if (this.readers.get(p) === reader && !this.closed) this.startReader(p)
            }, 1000)
          }
        }
      }
    })()
  }

  /**
   * Watches what the JetStream client reports about a partition's consumer. Two states are
   * stalls the client does not leave on its own (seen across NATS restarts and lease moves): the
   * server's idle heartbeat says it delivered more messages than this reader has taken (twice in
   * a row, no progress between), or heartbeats stop arriving. Either way the partition is read
   * again from its start on a new consumer, as a new owner would (`mcp_nats_errors_total{op="reader_stalled"}`).
   */
  private async watchConsumer(p: number, reader: Reader, messages: { status(): AsyncIterable<ConsumerStatus> }): Promise<void> {
    let gapAt = -1
    try {
      for await (const s of messages.status()) {
        if (reader.closed) return
        if (s.type === 'next' || s.type === 'debug') continue
        this.o.log.debug('JetStream consumer status.', { partition: p, ...s })
        if (reader.paused) {
          gapAt = -1 // behind on purpose (waiting for room), and no pull is out
          continue
        }
        let stalled = false
        if (s.type === 'heartbeat' && typeof s.lastConsumerSequence === 'number') {
          if (s.lastConsumerSequence > reader.delivered) {
            stalled = gapAt === reader.delivered
            gapAt = reader.delivered
          } else gapAt = -1
        } else if (s.type === 'heartbeats_missed' && typeof s.count === 'number' && s.count >= 3) stalled = true
        if (stalled && this.readers.get(p) === reader && !this.closed) {
          this.o.metrics.errors.labels('reader_stalled').inc()
          this.o.log.warn('A partition reader stopped receiving; reading the partition again.', { partition: p, reason: s.type })
          this.restartReader(p, reader)
          return
        }
      }
    } catch {
      // the consumer closed
    }
  }

  /** The owned lanes hold queue.capacity calls or queue.max_memory_bytes of bodies. */
  private lanesFull(): boolean {
    return this.table.entries >= this.capacity || this.table.bytes >= this.o.maxMemoryBytes
  }

  private restartReader(p: number, r: Reader): void {
    this.stopReader(r)
    this.dropLanes(p)
    this.startReader(p)
  }

  /**
   * After a reconnect every owned partition is read again from its start on a new consumer. The
   * client's own recovery of an ordered consumer lost across a NATS restart can leave it recreated
   * but silent (messages stored, none delivered) for minutes; rebuilding the lanes from the stream
   * is what a new owner would do, and a call on the wire keeps its head (nothing is sent twice).
   */
  private restartReaders(): void {
    if (this.closed) return
    for (const [p, r] of [...this.readers]) this.restartReader(p, r)
  }

  private stopReader(r: Reader): void {
    r.closed = true
    void r.messages?.close().catch(() => undefined)
  }

  private dropPartition(p: number): void {
    const r = this.readers.get(p)
    if (r !== undefined) {
      this.stopReader(r)
      this.readers.delete(p)
    }
    this.dropLanes(p)
    for (const s of this.sources.values()) if (s.partition === p) s.historyLoaded = false
  }

  /** Forgets the partition's calls here (they stay in the stream); a call on the wire keeps its head. */
  private dropLanes(p: number): void {
    const t = this.table
    for (const [ik, source] of t.sources) {
      if (this.sourceInfo(ik).partition !== p) continue
      for (const lane of [...source.lanes.values()]) {
        if (!lane.inFlight) {
          while (lane.entries.length > 0) t.completeHead(lane)
          continue
        }
        while (lane.entries.length > 1) {
          const e = lane.entries.pop()!
          t.entries--
          t.events -= e.count
          t.bytes -= e.bytes
        }
        lane.tail = lane.entries[0]
      }
    }
    this.space.wake()
  }

  /** The lease is confirmed again after a lapse: lanes skipped meanwhile become ready. */
  private wakePartition(p: number): void {
    for (const [ik, source] of this.table.sources) {
      if (this.sourceInfo(ik).partition !== p) continue
      for (const lane of source.lanes.values()) if (lane.entries.length > 0) this.entryListener(lane)
    }
  }

  // ---- send history --------------------------------------------------------------------------

  private loadHistory(ik: string, s: SourceInfo): void {
    if (s.loading) return
    s.loading = true
    void this.o.kv.get(`s.${s.token}`).then(
      (e) => {
        s.loading = false
        if (e !== null && e.operation === 'PUT') {
          const times = JSON.parse(e.string()) as number[]
          const now = performance.now()
          const offset = now - Date.now()
          const horizon = now - this.o.rate.windowMs - this.o.rate.marginMs
          const bucket = this.table.sourceFor(ik).bucket
          const own = new Set(this.sends.get(ik) ?? [])
          for (const t of times) {
            const at = t + offset
            if (at > horizon && at <= now && !own.has(t)) bucket.tryTake(at)
          }
          const mine = this.sends.get(ik) ?? []
          this.sends.set(ik, [...new Set([...times, ...mine])].sort((a, b) => a - b))
        }
        s.historyLoaded = true
        const source = this.table.sources.get(ik)
        if (source) for (const lane of source.lanes.values()) if (lane.entries.length > 0) this.entryListener(lane)
      },
      (err: Error) => {
        s.loading = false
        this.jsError('history_read', err)
        setTimeout(() => {
          const source = this.table.sources.get(ik)
          if (source) for (const lane of source.lanes.values()) if (lane.entries.length > 0) this.entryListener(lane)
        }, 500).unref?.()
      },
    )
  }

  /** One write in flight per key; a send meanwhile writes again after it (newest list wins). */
  private writeSends(ik: string): void {
    if (this.sendWrites.has(ik)) {
      this.sendWrites.set(ik, 'again')
      return
    }
    this.sendWrites.set(ik, 'busy')
    const token = this.sourceInfo(ik).token
    void this.o.kv.put(`s.${token}`, JSON.stringify(this.sends.get(ik) ?? [])).then(
      () => {
        const again = this.sendWrites.get(ik) === 'again'
        this.sendWrites.delete(ik)
        if (again) this.writeSends(ik)
      },
      (err: Error) => {
        this.sendWrites.delete(ik)
        this.jsError('history_write', err)
      },
    )
  }

  // ---- acknowledging to JetStream ------------------------------------------------------------

  /** Set by open: resolves once the dead letters written so far are stored (so removal never comes first). */
  beforeRemove: () => Promise<void> = () => Promise.resolve()

  private purge(subject: string, seq: number): void {
    void this.beforeRemove()
      .then(() => this.o.jsm.streams.purge(this.o.stream, { filter: subject, seq: seq + 1 }))
      .catch((err: Error) => {
      this.jsError('purge', err)
      this.purgeRetry.set(subject, Math.max(this.purgeRetry.get(subject) ?? 0, seq))
    })
  }

  private async removeOne(seq: number): Promise<void> {
    try {
      await this.beforeRemove()
      await this.o.jsm.streams.deleteMessage(this.o.stream, seq, false)
    } catch (err) {
      if (/no message found|not found/i.test((err as Error).message)) return
      this.jsError('delete', err as Error)
      this.purgeRetry.set(`#${seq}`, seq)
    }
  }

  private async retryPurges(): Promise<void> {
    if (this.purgeRetry.size === 0) return
    const todo = [...this.purgeRetry]
    this.purgeRetry.clear()
    await Promise.all(todo.map(([subject, seq]) => (subject.startsWith('#') ? this.removeOne(seq) : Promise.resolve(this.purge(subject, seq)))))
  }

  // ---- health --------------------------------------------------------------------------------

  private async watchStatus(): Promise<void> {
    for await (const s of this.o.nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false
        this.o.metrics.errors.labels('disconnect').inc()
        this.o.log.error('NATS connection lost; refusing new events until it is back.', {})
      } else if (s.type === 'reconnect') {
        this.connected = true
        this.setHealth(OK)
        this.o.log.info('NATS connection back; accepting events.', {})
        this.restartReaders()
      }
    }
  }

  private setHealth(h: StoreHealth): void {
    this.state = h
  }

  private jsError(op: string, err: Error): void {
    this.o.metrics.errors.labels(op).inc()
    this.o.log.warn('JetStream operation failed.', { op, error: err.message })
  }
}
