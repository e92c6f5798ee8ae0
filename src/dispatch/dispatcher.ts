/**
 * The dispatcher: sends one ilert call per lane head of the store's coalescing lanes, governed by a
 * token bucket per integration key and one global bucket, with bounded concurrency (the pump
 * starts a call only while fewer than dispatch.concurrency are on the wire). Per
 * alert key only one call is on the wire at a time, so order is kept; retries back off per lane,
 * 429s pause only their integration key. Every outcome ends in success or the dead letters, and
 * is reported to the store (which logs it): nothing accepted disappears silently. A store that
 * cannot write (a full disk) never stops delivery: outcome records wait in the store, and a dead
 * letter that cannot be stored keeps its call in the lane and is retried.
 *
 * Storms (issue 15, README "Storms"): within an integration key's budget the ready lanes are
 * served by priority class (dispatch/priority.ts), a RESOLVE cancels its unsent ALERT when this
 * bridge has no open ALERT for that key (LaneTable.cancelPairs, dispatch/key-history.ts), and a
 * backlog too long to drain opens a digest alert for the source (dispatch/storm-digest.ts).
 */
import type { EventStore } from '../queue/event-store'
import type { DeadLetterStore } from '../queue/dead-letters'
import type { Logger } from '../observability/logger'
import type { Metrics } from '../observability/metrics'
import type { IlertClient } from './ilert-client'
import { bodyForSend, type Entry } from './coalesce'
import { Fifo } from '../queue/fifo'
import { type Lane, LaneTable, type Source } from './lanes'
import { type BackoffPolicy, backoffDelay, decide, rateLimitDelay, type SendResult } from './retry-policy'
import { IlertHealth } from './ilert-health'
import { createRetryLog, type RetryLog } from './retry-log'
import { classOf, DIGEST_CLASS, moreUrgentInFlight } from './priority'
import { type DigestAction, digestAction, digestBody, DIGEST_ALERT_KEY, drainMs, type StormOptions, type StormState } from './storm-digest'
import { maskKey } from '../queue/dead-letters'
import { TimerHeap } from './timer-heap'
import { WindowTokenBucket } from './token-bucket'

export interface DispatcherOptions {
  concurrency: number
  perMinute: number
  perKeyPerMinute: number
  windowMs: number
  marginMs: number
  backoff: BackoffPolicy
  /** Transient failures in a row that mean ilert is down (default 3). */
  outageThreshold?: number
  /** First and longest wait between probes while ilert is down (default 1 s and 30 s). */
  probeMinMs?: number
  probeMaxMs?: number
  /** dispatch.cancel_pairs (default off here; the config's default is on). */
  cancelPairs?: boolean
  /** dispatch.storm: the digest (default off here). */
  storm?: { enabled: boolean; maxDelayMs: number; groupBy: readonly string[] }
  /** Display name per integration key (dispatch.storm.source_names); others show the masked key. */
  sourceNames?: ReadonlyMap<string, string>
}

/** How long a dead letter that could not be stored waits before the next try. */
const DEAD_LETTER_RETRY_MS = 5_000

function lastAnswerOf(result: SendResult): string {
  return result.kind === 'status' ? `HTTP ${result.status}${result.message ? `: ${result.message}` : ''}` : `${result.reason}: ${result.message}`
}

export interface DispatcherStats {
  /** Coalesced calls held, and the events they stand for. */
  pending: number
  pendingEvents: number
  inFlight: number
  deadLetters: number
}

/** A source's storm state with its own digest lane; `open`: a digest is (or may be) open in ilert. */
function newStormState(source: Source, open: boolean): StormState {
  const lane: Lane = { key: DIGEST_ALERT_KEY, source, entries: [], tail: undefined, inFlight: false, queued: false, cls: DIGEST_CLASS, digest: true, checkpointed: Infinity }
  return { open, lastAt: -Infinity, lastSentAt: -Infinity, lastCalls: open ? -1 : 0, lane }
}

/** What each queued digest call does (for mcp_storm_digests_total). */
const digestActions = new WeakMap<Entry, DigestAction>()

export class Dispatcher {
  private readonly table: LaneTable
  private readonly retryLog: RetryLog
  private readonly global: WindowTokenBucket
  private readonly active = new Fifo<Source>()
  private readonly backoff = new TimerHeap<Lane>()
  private inFlight = 0
  private readonly health: IlertHealth
  /** Calls whose dead letter could not be stored yet (a full disk): retried, never sent again. */
  private readonly deadPending = new WeakMap<Entry, { reason: string; lastAnswer: string }>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private pumpScheduled = false
  private idleWaiters: (() => void)[] = []
  private stopped = false
  /** Idle integration keys are forgotten by this timer (see LaneTable.sweep). */
  private readonly sweeper: ReturnType<typeof setInterval>
  private readonly storm: StormOptions
  private readonly stormTimer: ReturnType<typeof setInterval> | undefined
  /** Digest calls queued or in flight (they keep drain() waiting like any call). */
  private digestsPending = 0
  /** Backlog (calls) of one source beyond which its digest opens; Infinity with the digest off. */
  private stormCalls = Infinity
  private stormCheckQueued = false

  constructor(
    private readonly store: EventStore,
    private readonly client: IlertClient,
    private readonly deadLetters: DeadLetterStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    this.table = store.table
    this.health = new IlertHealth({ threshold: opts.outageThreshold ?? 3, minProbeMs: opts.probeMinMs ?? 1000, maxProbeMs: opts.probeMaxMs ?? 30_000 })
    this.retryLog = createRetryLog(log)
    this.global = new WindowTokenBucket(opts.perMinute, opts.windowMs, opts.marginMs)
    store.onEntry(this.onEntry)
    this.resume()
    this.sweeper = setInterval(() => this.table.sweep(performance.now()), 2000)
    this.sweeper.unref?.()
    this.storm = { enabled: false, maxDelayMs: 300_000, groupBy: [], ...opts.storm, perKey: opts.perKeyPerMinute, windowMs: opts.windowMs, marginMs: opts.marginMs }
    // The store has recovered: from now on a RESOLVE may cancel its unsent ALERT.
    this.table.cancelPairs = opts.cancelPairs ?? false
    this.table.onCancel((lane, alert) => {
      this.log.debug('ALERT and RESOLVE cancel out: neither is sent.', { alertKey: alert.body.alertKey ?? lane.key, events: alert.count + 1 })
    })
    if (this.storm.enabled) {
      this.stormCalls = (this.storm.maxDelayMs / (opts.windowMs + opts.marginMs)) * opts.perKeyPerMinute
      // Checked ten times a window (at most once a second): the digest goes out in the storm's first window.
      this.stormTimer = setInterval(() => this.checkStorms(), Math.max(20, Math.min(1000, opts.windowMs / 10)))
      this.stormTimer.unref?.()
    }
    for (const ik of store.recoveredDigests?.() ?? []) this.reopenDigest(ik)
  }

  /**
   * A storm digest that was open in ilert when the bridge stopped: taken up again, so it is
   * updated while the storm lasts and resolved once it is over (or at once, with the digest now
   * off). Without this it would stay open in ilert for good.
   */
  private reopenDigest(ik: string): void {
    const source = this.table.sourceFor(ik)
    source.storm = newStormState(source, true)
    this.log.info('A storm digest was open in ilert when the bridge last stopped; it is resolved once the storm is over.', { source: this.sourceName(ik) })
    if (!this.storm.enabled) this.queueDigest(ik, source, 'resolve', performance.now())
  }

  /** The alert source's name in the digest and the metrics: its configured name, or the masked integration key. */
  sourceName(ik: string): string {
    return this.opts.sourceNames?.get(ik) ?? maskKey(ik)
  }

  /** Backlog and projected drain time per integration key with calls waiting (mcp_source_* gauges). */
  backlogs(): { ik: string; calls: number; drainSeconds: number }[] {
    const out: { ik: string; calls: number; drainSeconds: number }[] = []
    for (const [ik, source] of this.table.sources) if (source.calls > 0) out.push({ ik, calls: source.calls, drainSeconds: drainMs(source.calls, this.storm) / 1000 })
    return out
  }

  /** Opens, updates or resolves each source's digest as its backlog demands. */
  private checkStorms(): void {
    if (this.stopped) return
    const now = performance.now()
    for (const [ik, source] of this.table.sources) {
      const action = digestAction(source, this.storm, now)
      if (action !== undefined) this.queueDigest(ik, source, action, now)
      else {
        const st = source.storm
        // A resolved digest is forgotten a window later (so the source can be swept when idle).
        if (st !== undefined && !st.open && st.lane.entries.length === 0 && now - st.lastSentAt >= this.opts.windowMs) source.storm = undefined
      }
    }
  }

  private queueDigest(ik: string, source: Source, action: DigestAction, now: number): void {
    const st = (source.storm ??= newStormState(source, false))
    st.open = action !== 'resolve'
    st.lastAt = now
    st.lastCalls = source.calls
    const body = digestBody(ik, this.sourceName(ik), source, this.storm, action)
    const entry: Entry = { body, type: body.eventType, soleLabel: null, count: 1, acceptedAt: now, attempts: 0, firstSeq: 0, lastSeq: 0, bytes: 0 }
    const lane = st.lane
    // A digest not yet on the wire is replaced by the newer one.
    const tail = lane.tail
    if (tail !== undefined && !(lane.inFlight && lane.entries.length === 1)) lane.entries[lane.entries.length - 1] = entry
    else {
      lane.entries.push(entry)
      this.digestsPending++
    }
    lane.tail = entry
    digestActions.set(entry, action)
    this.log.info(action === 'resolve' ? 'Alert storm over; resolving the storm digest.' : 'Alert storm: sending the storm digest.', {
      source: this.sourceName(ik),
      action,
      waitingCalls: source.calls,
      projectedDrainSeconds: Math.round(drainMs(source.calls, this.storm) / 1000),
    })
    if (!lane.inFlight && !lane.queued) this.makeReady(lane)
    this.schedule()
  }

  /** A lane got a new entry: an idle lane becomes ready. */
  private readonly onEntry = (lane: Lane): void => {
    if (!lane.inFlight && !lane.queued) this.makeReady(lane)
    // One comparison per new call: a source crossing the storm threshold gets its digest before
    // the pump spends the window (a microtask queued ahead of the pump's).
    if (lane.source.calls > this.stormCalls && lane.source.storm === undefined && !this.stormCheckQueued) {
      this.stormCheckQueued = true
      queueMicrotask(this.checkStormsNow)
    }
    this.schedule()
  }

  private readonly checkStormsNow = (): void => {
    this.stormCheckQueued = false
    this.checkStorms()
  }

  /**
   * What a restart recovered: every lane with pending calls becomes ready, and each integration
   * key's bucket starts with the sends the last run made inside the current window, so a restart
   * does not spend a fresh budget ilert has already counted.
   */
  private resume(): void {
    const now = performance.now()
    const perfOffset = now - Date.now()
    const horizon = now - this.opts.windowMs - this.opts.marginMs
    for (const [ik, times] of this.store.recoveredSends()) {
      const recent = times.map((t) => t + perfOffset).filter((t) => t > horizon && t <= now)
      if (recent.length === 0) continue
      const bucket = this.table.sourceFor(ik).bucket
      for (const t of recent) bucket.tryTake(t)
      for (const t of recent.slice(-this.opts.perMinute)) this.global.tryTake(t)
    }
    for (const [ik, source] of this.table.sources) {
      for (const lane of source.lanes.values()) {
        if (lane.entries.length === 0) continue
        // Its head may have reached ilert before the restart: never cancel against it.
        this.table.history.set(ik, lane.key, 'unknown')
        if (!lane.queued) this.makeReady(lane)
      }
    }
  }

  stats(): DispatcherStats {
    return { pending: this.table.entries, pendingEvents: this.table.events, inFlight: this.inFlight, deadLetters: this.deadLetters.size }
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
    if (this.stormTimer) clearInterval(this.stormTimer)
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
  }

  private isIdle(): boolean {
    return this.table.entries === 0 && this.inFlight === 0 && this.digestsPending === 0
  }

  private pump(): void {
    if (this.stopped) return
    const now = performance.now()
    let lane: Lane | undefined
    while ((lane = this.backoff.popDue(now)) !== undefined) {
      const head = lane.entries[0]
      const dead = head && this.deadPending.get(head)
      if (dead === undefined) this.makeReady(lane)
      else {
        const again = this.deadLetter(lane, dead.reason, dead.lastAnswer, now)
        if (again > 0) this.backoff.push(again, lane)
        else if (lane.entries.length > 0) this.makeReady(lane)
      }
    }
    let wake = this.backoff.peekDue()
    // While ilert is down only one probe call is out at a time.
    let budget = this.opts.concurrency - this.inFlight
    const probing = this.health.down
    if (probing) {
      if (this.health.probeDue(now)) budget = Math.min(budget, 1)
      else {
        budget = 0
        if (this.health.probe === undefined && this.active.length > 0) wake = Math.min(wake, this.health.probeAt)
      }
    }
    // Round-robin over integration keys; each visit sends at most one call.
    let idleVisits = 0
    while (this.active.length > 0 && budget > 0 && idleVisits < this.active.length) {
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
      if (moreUrgentInFlight(source.flying, source.ready.topClass())) {
        // A more urgent call of this source is on the wire: ilert must receive it first (its answer pumps again).
        this.active.push(source)
        idleVisits++
        continue
      }
      idleVisits = 0
      const next = source.ready.shift()!
      next.queued = false
      // Its only call was cancelled (an ALERT and its RESOLVE) while it waited; or the store's
      // fence (a lost partition lease) holds it: skip the lane (the store wakes it when it may send).
      if (next.entries.length === 0 || (this.store.mayDeliver !== undefined && !this.store.mayDeliver(next))) {
        if (source.ready.length > 0) this.active.push(source)
        else source.active = false
        continue
      }
      const cls = this.classify(next)
      if (cls !== next.cls) {
        // Its head changed class while it waited (a merge changed its priority): requeue it there.
        source.ready.push(next, cls)
        next.queued = true
        this.active.push(source)
        continue
      }
      if (this.store.materialize !== undefined && !this.store.materialize(next.entries[0]!)) {
        // Its body is on disk only and could not be read (an I/O error): it waits and is tried again.
        this.log.error('Could not read a queued call back from queue.path; it stays queued and is tried again.', { alertKey: next.entries[0]!.body.alertKey ?? next.key })
        next.queued = true
        this.backoff.push(now + DEAD_LETTER_RETRY_MS, next)
        wake = Math.min(wake, now + DEAD_LETTER_RETRY_MS) // else nothing wakes the pump for it when all is quiet
        if (source.ready.length > 0) this.active.push(source)
        else source.active = false
        continue
      }
      budget--
      if (probing) this.health.probe = next.entries[0]
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

  /** The lane's priority class (dispatch/priority.ts) from its head and what ilert holds for its key. */
  private classify(lane: Lane): number {
    if (lane.digest) return DIGEST_CLASS
    const head = lane.entries[0]!
    return classOf(head, head.type === 'ALERT' ? this.table.history.state(head.body.integrationKey, lane.key) : 'unknown')
  }

  private makeReady(lane: Lane): void {
    lane.queued = true
    const source = lane.source
    source.ready.push(lane, lane.entries.length > 0 ? this.classify(lane) : DIGEST_CLASS)
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
    entry.sent = true
    lane.source.flying[lane.cls]!++
    const startedAt = performance.now()
    if (lane.digest && lane.source.storm) lane.source.storm.lastSentAt = startedAt
    this.store.noteSent(entry.body.integrationKey)
    if (lane.digest && entry.type === 'ALERT') this.store.noteDigest?.(entry.body.integrationKey, true)
    const settle = (): number => {
      const now = performance.now()
      this.global.settle(globalSlot, now)
      lane.source.bucket.settle(keySlot, now)
      return now
    }
    // Straight to the client: the pump already holds calls on the wire to dispatch.concurrency. A
    // p-queue here was a second, redundant bound that dispatched five DOM events per call (7 % of
    // the CPU at 10,000 calls/s).
    void this.client.sendEvent(bodyForSend(entry)).then(
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
    lane.source.flying[lane.cls]!--
    this.inFlight--
    lane.inFlight = false
    this.metrics.outRequests.labels(decision.kind).inc()
    let retryAt = 0
    if (decision.kind !== 'retry') {
      const downMs = this.health.answered(now)
      if (downMs > 0) {
        this.metrics.ilertUp.set(1)
        this.log.warn('ilert answers again; delivery resumed at the governed rate.', { downSeconds: Math.round(downMs / 1000), pendingCalls: this.table.entries })
      }
    }
    if (lane.digest) {
      this.completeDigest(lane, entry, decision.kind, result, now)
      this.schedule()
      return
    }
    switch (decision.kind) {
      case 'success':
        this.table.history.delivered(entry.body.integrationKey, lane.key, entry.type)
        this.metrics.outSuccess.inc(entry.count)
        this.metrics.latency.observe((now - entry.acceptedAt) / 1000)
        if (result.kind === 'status' && result.correlationId) {
          this.log.debug('Event delivered.', { alertKey: entry.body.alertKey, events: entry.count, correlationId: result.correlationId, ms: Math.round(now - startedAt) })
        }
        this.retryLog.delivered()
        this.noteDelivered(lane, entry)
        this.store.completeHead(lane)
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
      case 'retry': {
        const verdict = this.health.failure(entry, now)
        this.metrics.outRetries.labels(decision.reason).inc()
        if (verdict.kind === 'outage') {
          // Not this event's fault: no attempt; it waits in its lane while one probe at a time asks ilert.
          if (verdict.began) this.beginOutage(verdict.refund, decision.reason, lastAnswerOf(result))
          break
        }
        entry.attempts++
        if (entry.attempts >= this.opts.backoff.maxAttempts) {
          retryAt = this.deadLetter(lane, 'attempts_exhausted', lastAnswerOf(result), now)
        } else {
          this.store.recordAttempt(lane)
          retryAt = now + backoffDelay(this.opts.backoff, entry.attempts)
          this.retryLog.retry(decision.reason, entry.body.alertKey, entry.attempts, retryAt - now, result)
        }
        break
      }
      case 'fail':
        entry.attempts++
        retryAt = this.deadLetter(lane, decision.reason, lastAnswerOf(result), now)
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

  /** Dead letters of this alert key from before this call are now superseded (never fatal: a full disk only loses the mark). */
  private noteDelivered(lane: Lane, entry: Entry): void {
    try {
      this.deadLetters.noteDelivered(entry.body.integrationKey, lane.key, entry.lastSeq)
    } catch (err) {
      this.log.warn('Could not mark older dead letters of this alert key as superseded.', { alertKey: entry.body.alertKey, error: (err as Error).message })
    }
  }

  /**
   * A digest call's outcome. It is not in the store: delivered or not, it leaves its lane (a newer
   * digest replaces a lost one at the next update), except while ilert is down or rate-limits,
   * when it waits like any call.
   */
  private completeDigest(lane: Lane, entry: Entry, kind: ReturnType<typeof decide>['kind'], result: SendResult, now: number): void {
    let keep = false
    if (kind === 'success') {
      const action = digestActions.get(entry) ?? 'alert'
      this.metrics.stormDigests.labels(action).inc()
      if (action === 'resolve') this.store.noteDigest?.(entry.body.integrationKey, false)
    }
    else if (kind === 'rate_limited') {
      const delay = rateLimitDelay(Date.now(), this.opts.windowMs, this.opts.marginMs)
      this.metrics.rateLimited.inc()
      lane.source.bucket.exhaust(now)
      lane.source.pausedUntil = now + delay
      keep = true
    } else if (kind === 'retry') {
      const verdict = this.health.failure(entry, now)
      if (verdict.kind === 'outage') {
        if (verdict.began) this.beginOutage(verdict.refund, 'digest', lastAnswerOf(result))
        keep = true
      }
    }
    if (!keep) {
      if (kind !== 'success') this.log.warn('Storm digest not delivered; the next update sends a new one.', { answer: lastAnswerOf(result) })
      lane.entries.shift()
      this.digestsPending--
      if (lane.entries.length === 0) lane.tail = undefined
    }
    const st = lane.source.storm
    if (lane.entries.length > 0) this.makeReady(lane)
    else if (st !== undefined && !st.open && now - st.lastSentAt >= this.opts.windowMs) lane.source.storm = undefined
  }

  /** ilert is down: the attempts the streak that showed it counted are given back. */
  private beginOutage(refund: Entry[], reason: string, lastAnswer: string): void {
    for (const e of refund) if (e.attempts > 0) e.attempts--
    this.metrics.ilertUp.set(0)
    this.metrics.ilertOutages.inc()
    this.log.error('ilert is not answering; delivery paused (attempts are not used up), probing with one call at a time until it answers.', {
      reason,
      lastAnswer,
      pendingCalls: this.table.entries,
    })
  }

  /**
   * Stores the lane's head as a dead letter and completes it; returns 0. When the dead letter
   * cannot be stored (a full disk, a locked database), the call stays at the head of its lane
   * and the store is tried again later: returns that time.
   */
  private deadLetter(lane: Lane, reason: string, lastAnswer: string, now: number): number {
    const entry = lane.entries[0]!
    let evicted
    try {
      evicted = this.deadLetters.add({ reason, lastAnswer, attempts: entry.attempts, count: entry.count, laneKey: lane.key, seq: entry.lastSeq, body: entry.body }).evicted
    } catch (err) {
      // Held like a call on the wire: nothing merges into it, and it is never sent again.
      lane.inFlight = true
      this.deadPending.set(entry, { reason, lastAnswer })
      this.log.error('Could not store a dead letter; the event stays queued and storing it is retried.', { reason, alertKey: entry.body.alertKey, error: (err as Error).message })
      return now + DEAD_LETTER_RETRY_MS
    }
    this.deadPending.delete(entry)
    lane.inFlight = false
    // ilert may or may not hold it (a timeout): this key's history is unknown from now on.
    this.table.history.set(entry.body.integrationKey, lane.key, 'unknown')
    this.metrics.outFailed.labels(reason).inc(entry.count)
    this.log.error('Event not delivered; moved to dead letters.', { reason, lastAnswer, alertKey: entry.body.alertKey, events: entry.count })
    if (evicted) {
      this.metrics.dropped.labels('dead_letter_overflow').inc(evicted.count)
      this.log.error('Dead-letter store full; oldest dead letter discarded.', { id: evicted.id, events: evicted.count })
    }
    this.store.completeHead(lane)
    return 0
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
