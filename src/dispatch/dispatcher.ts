/**
 * The dispatcher: drains the ingest queue in batches into coalescing lanes and sends one ilert call
 * per lane head, governed by a token bucket per integration key and one global bucket, with
 * bounded concurrency (p-queue). Per alert key only one call is on the wire at a time, so order
 * is kept; retries back off per lane, 429s pause only their integration key. Every outcome ends
 * in success or the dead letters: nothing accepted disappears silently.
 */
import PQueue from 'p-queue'
import type { QueuedEvent } from '../pipeline/ilert-event'
import type { EventQueue } from '../queue/event-queue'
import type { DeadLetterStore } from '../queue/dead-letters'
import type { Logger } from '../observability/logger'
import type { Metrics } from '../observability/metrics'
import type { IlertClient } from './ilert-client'
import { bodyForSend } from './coalesce'
import { Fifo } from '../queue/fifo'
import { type Lane, LaneTable, type Source } from './lanes'
import { type BackoffPolicy, backoffDelay, decide, rateLimitDelay, type SendResult } from './retry-policy'
import { createRetryLog, type RetryLog } from './retry-log'
import { TimerHeap } from './timer-heap'
import { WindowTokenBucket } from './token-bucket'

export interface DispatcherOptions {
  batchSize: number
  maxPending: number
  concurrency: number
  perMinute: number
  perKeyPerMinute: number
  windowMs: number
  marginMs: number
  backoff: BackoffPolicy
}

export interface DispatcherStats {
  queued: number
  /** Coalesced calls held, and the events they stand for. */
  pending: number
  pendingEvents: number
  inFlight: number
  deadLetters: number
}

export class Dispatcher {
  private readonly table: LaneTable
  private readonly retryLog: RetryLog
  private readonly global: WindowTokenBucket
  private readonly active = new Fifo<Source>()
  private readonly backoff = new TimerHeap<Lane>()
  private readonly sends: PQueue
  private readonly scratch: QueuedEvent[] = []
  private inFlight = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private pumpScheduled = false
  private idleWaiters: (() => void)[] = []
  private stopped = false
  /** Idle integration keys are forgotten by this timer (see LaneTable.sweep). */
  private readonly sweeper: ReturnType<typeof setInterval>

  constructor(
    private readonly queue: EventQueue,
    private readonly client: IlertClient,
    private readonly deadLetters: DeadLetterStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    this.table = new LaneTable({ perKey: opts.perKeyPerMinute, windowMs: opts.windowMs, marginMs: opts.marginMs })
    this.retryLog = createRetryLog(log)
    this.global = new WindowTokenBucket(opts.perMinute, opts.windowMs, opts.marginMs)
    this.sends = new PQueue({ concurrency: opts.concurrency })
    queue.onData(() => this.schedule())
    this.sweeper = setInterval(() => this.table.sweep(performance.now()), 2000)
    this.sweeper.unref?.()
  }

  stats(): DispatcherStats {
    return { queued: this.queue.size, pending: this.table.entries, pendingEvents: this.table.events, inFlight: this.inFlight, deadLetters: this.deadLetters.size }
  }

  /**
   * Starts (or nudges) the pump; cheap to call often. A microtask, so events are coalesced right
   * after the read that brought them: deferring the pump to the end of the loop turn
   * (setImmediate) let a TCP burst pile up in the ring first and raised RSS under load by half
   * (bench:footprint), for no throughput gain the benchmarks could tell from noise.
   */
  schedule(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    queueMicrotask(this.runPump)
  }

  private readonly runPump = (): void => {
    this.pumpScheduled = false
    this.pump()
  }

  /** Resolves once nothing is queued, pending or in flight, or after `deadlineMs`. */
  async drain(deadlineMs: number): Promise<DispatcherStats> {
    this.schedule()
    if (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadlineMs)
        this.idleWaiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.stats()
  }

  /** Stops timers; what is still held is reported by the caller from stats(). */
  stop(): void {
    this.stopped = true
    clearInterval(this.sweeper)
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
  }

  private isIdle(): boolean {
    return this.queue.size === 0 && this.table.entries === 0 && this.inFlight === 0
  }

  private pump(): void {
    if (this.stopped) return
    const now = performance.now()
    this.ingest()
    let lane: Lane | undefined
    while ((lane = this.backoff.popDue(now)) !== undefined) this.makeReady(lane)
    let wake = this.backoff.peekDue()
    // Round-robin over integration keys; each visit sends at most one call.
    let idleVisits = 0
    while (this.active.length > 0 && this.inFlight < this.opts.concurrency && idleVisits < this.active.length) {
      const globalAt = this.global.availableAt()
      if (globalAt > now) {
        wake = Math.min(wake, globalAt)
        break
      }
      const source = this.active.shift()!
      const blockedUntil = Math.max(source.pausedUntil, source.bucket.availableAt())
      if (blockedUntil > now) {
        this.active.push(source)
        wake = Math.min(wake, blockedUntil)
        idleVisits++
        continue
      }
      idleVisits = 0
      const next = source.ready.shift()!
      next.queued = false
      this.send(next, this.global.takePending(now), source.bucket.takePending(now))
      if (source.ready.length > 0) this.active.push(source)
      else source.active = false
    }
    this.armTimer(wake, now)
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }

  /** Moves events from the ingest queue into lanes while the dispatcher has room. */
  private ingest(): void {
    const batch = this.scratch
    while (this.table.entries < this.opts.maxPending && this.queue.size > 0) {
      batch.length = 0
      if (this.queue.takeBatch(this.opts.batchSize, batch) === 0) break
      let merged = 0
      for (let i = 0; i < batch.length; i++) {
        if (this.table.add(batch[i]!)) merged++
        else {
          const lane = this.table.lastLane!
          if (!lane.inFlight && !lane.queued) this.makeReady(lane)
        }
      }
      if (merged > 0) this.metrics.coalesced.inc(merged)
    }
    batch.length = 0
  }

  private makeReady(lane: Lane): void {
    lane.queued = true
    const source = lane.source
    source.ready.push(lane)
    if (!source.active) {
      source.active = true
      this.active.push(source)
    }
  }

  /** Sends the lane's head; `globalSlot` and `keySlot` are its tokens, held until the answer. */
  private send(lane: Lane, globalSlot: number, keySlot: number): void {
    lane.inFlight = true
    this.inFlight++
    const entry = lane.entries[0]!
    const startedAt = performance.now()
    const settle = (): number => {
      const now = performance.now()
      this.global.settle(globalSlot, now)
      lane.source.bucket.settle(keySlot, now)
      return now
    }
    void this.sends.add(() => this.client.sendEvent(bodyForSend(entry))).then(
      (result) => this.complete(lane, result as SendResult, startedAt, settle()),
      (err: Error) => this.complete(lane, { kind: 'error', reason: 'network', message: err.message }, startedAt, settle()),
    )
  }

  private complete(lane: Lane, result: SendResult, startedAt: number, now: number): void {
    // After stop() the store may be closed: a late answer changes nothing, and the event is
    // still in the durable queue, so it is delivered again after restart (at-least-once).
    if (this.stopped) return
    const entry = lane.entries[0]!
    const decision = decide(result)
    this.inFlight--
    lane.inFlight = false
    this.metrics.outRequests.labels(decision.kind).inc()
    let retryAt = 0
    switch (decision.kind) {
      case 'success':
        this.metrics.outSuccess.inc(entry.count)
        this.metrics.latency.observe((now - entry.acceptedAt) / 1000)
        if (result.kind === 'status' && result.correlationId) {
          this.log.debug('Event delivered.', { alertKey: entry.body.alertKey, events: entry.count, correlationId: result.correlationId, ms: Math.round(now - startedAt) })
        }
        this.retryLog.delivered()
        this.queue.complete(entry.ids)
        this.table.completeHead(lane)
        break
      case 'rate_limited': {
        // ilert's window is spent; do not count it as an attempt (ilert reference 1.7).
        const delay = rateLimitDelay(Date.now(), this.opts.windowMs, this.opts.marginMs)
        this.metrics.rateLimited.inc()
        this.metrics.outRetries.labels(decision.reason).inc()
        lane.source.bucket.exhaust(now)
        lane.source.pausedUntil = now + delay
        this.log.warn('ilert answered 429; pausing this integration key until its next window.', { delayMs: Math.round(delay) })
        break
      }
      case 'retry':
        entry.attempts++
        if (entry.attempts >= this.opts.backoff.maxAttempts) {
          this.deadLetter(lane, 'attempts_exhausted', result)
        } else {
          this.metrics.outRetries.labels(decision.reason).inc()
          this.queue.recordAttempts(entry.ids, entry.attempts)
          retryAt = now + backoffDelay(this.opts.backoff, entry.attempts)
          this.retryLog.retry(decision.reason, entry.body.alertKey, entry.attempts, retryAt - now, result)
        }
        break
      case 'fail':
        entry.attempts++
        this.deadLetter(lane, decision.reason, result)
        break
    }
    if (lane.entries.length > 0) {
      if (retryAt > 0) {
        lane.queued = true
        this.backoff.push(retryAt, lane)
      } else this.makeReady(lane)
    }
    this.schedule()
  }

  private deadLetter(lane: Lane, reason: string, result: SendResult): void {
    const entry = lane.entries[0]!
    const lastAnswer =
      result.kind === 'status' ? `HTTP ${result.status}${result.message ? `: ${result.message}` : ''}` : `${result.reason}: ${result.message}`
    const { evicted } = this.deadLetters.add({ reason, lastAnswer, attempts: entry.attempts, count: entry.count, body: entry.body })
    this.metrics.outFailed.labels(reason).inc(entry.count)
    this.log.error('Event not delivered; moved to dead letters.', { reason, lastAnswer, alertKey: entry.body.alertKey, events: entry.count })
    if (evicted) {
      this.metrics.dropped.labels('dead_letter_overflow').inc(evicted.count)
      this.log.error('Dead-letter store full; oldest dead letter discarded.', { id: evicted.id, events: evicted.count })
    }
    this.queue.complete(entry.ids)
    this.table.completeHead(lane)
  }

  private armTimer(at: number, now: number): void {
    if (at === Infinity || at >= this.timerAt) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.pump()
    }, Math.max(1, Math.ceil(at - now)))
  }
}
