/**
 * The storm digest (issue 15.3). When an alert source's backlog would take longer than
 * dispatch.storm.max_delay_seconds to drain at its rate limit, the responder should hear about it
 * in the first minute, not hours later one alert at a time: the bridge sends one digest alert for
 * that source (its own alert key), with what is waiting (counts by priority and by the configured
 * labels, the top alert keys, the projected drain time), updates it at most once a window while
 * the storm lasts, and resolves it once the backlog is back under the threshold. Its calls go out
 * first (priority class 0) and come out of the source's own budget.
 *
 * This module decides what to send; the dispatcher owns the digest lane and sends it.
 */
import type { IlertEventBody } from '../pipeline/ilert-event'
import type { Lane, Source } from './lanes'

export const DIGEST_ALERT_KEY = 'mcp-ilert-storm-digest'
const TOP = 10

export interface StormOptions {
  enabled: boolean
  maxDelayMs: number
  groupBy: readonly string[]
  perKey: number
  windowMs: number
  marginMs: number
}

export interface StormState {
  /** True from the digest ALERT until its RESOLVE is queued. */
  open: boolean
  /** performance.now() of the last digest queued (ALERT, update or RESOLVE); -Infinity: none. */
  lastAt: number
  /** performance.now() the last digest call left for ilert; -Infinity: none yet. */
  lastSentAt: number
  /** Backlog (calls) the last digest reported. */
  lastCalls: number
  /** The dispatcher-owned lane carrying the digest calls. */
  lane: Lane
}

export type DigestAction = 'alert' | 'update' | 'resolve'

/** Milliseconds a backlog of `calls` needs at the source's rate limit (each token back after window + margin). */
export function drainMs(calls: number, o: Pick<StormOptions, 'perKey' | 'windowMs' | 'marginMs'>): number {
  return (calls / o.perKey) * (o.windowMs + o.marginMs)
}

/**
 * What the source's digest should do now: undefined (nothing), or the action. Updates and
 * re-openings wait a whole window after the last digest call, so a storm costs the source at most
 * one digest call per window.
 */
export function digestAction(source: Source, o: StormOptions, now: number): DigestAction | undefined {
  const st = source.storm
  const over = drainMs(source.calls, o) > o.maxDelayMs
  // A window since the last digest call left, and none waiting or on the wire.
  const quiet = st === undefined || (st.lane.entries.length === 0 && now - st.lastSentAt >= o.windowMs)
  if (over) {
    if (st === undefined || !st.open) return quiet ? 'alert' : undefined
    return quiet && st.lastCalls !== source.calls ? 'update' : undefined
  }
  return st?.open ? 'resolve' : undefined
}

/** The digest call for `source` (ALERT with what is waiting, or its RESOLVE). */
export function digestBody(ik: string, name: string, source: Source, o: StormOptions, action: DigestAction): IlertEventBody {
  if (action === 'resolve') {
    return { integrationKey: ik, eventType: 'RESOLVE', alertKey: DIGEST_ALERT_KEY, summary: `Alert storm over for ${name}: ${source.calls.toLocaleString('en-US')} calls waiting` }
  }
  const byPriority: Record<string, number> = { HIGH: 0, LOW: 0, default: 0 }
  const byType: Record<string, number> = {}
  const byLabel: Record<string, Map<string, number>> = {}
  for (const l of o.groupBy) byLabel[l] = new Map()
  const top: { alert_key: string; events: number }[] = []
  let events = 0
  let alerts = 0
  for (const lane of source.lanes.values()) {
    let laneEvents = 0
    let alertKey: string | undefined
    let hasAlert = false
    for (const e of lane.entries) {
      laneEvents += e.count
      byType[e.type] = (byType[e.type] ?? 0) + 1
      alertKey ??= e.body.alertKey
      if (e.type !== 'ALERT') continue
      hasAlert = true
      byPriority[e.body.priority ?? 'default']!++
      const labels = e.body.labels
      if (labels !== undefined) for (const l of o.groupBy) if (labels[l] !== undefined) byLabel[l]!.set(labels[l]!, (byLabel[l]!.get(labels[l]!) ?? 0) + 1)
    }
    if (hasAlert) alerts++
    events += laneEvents
    pushTop(top, { alert_key: alertKey ?? lane.key, events: laneEvents })
  }
  const drainSeconds = Math.round(drainMs(source.calls, o) / 1000)
  const labels: Record<string, Record<string, number>> = {}
  for (const l of o.groupBy) labels[l] = Object.fromEntries([...byLabel[l]!.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP))
  return {
    integrationKey: ik,
    eventType: 'ALERT',
    alertKey: DIGEST_ALERT_KEY,
    priority: 'HIGH',
    summary: `Alert storm: ${alerts.toLocaleString('en-US')} alerts waiting for ${name}`,
    details:
      `mcp-ilert holds ${source.calls.toLocaleString('en-US')} calls (${events.toLocaleString('en-US')} events) for this alert source, ` +
      `more than its rate limit of ${o.perKey} calls per ${o.windowMs / 1000} s can deliver within ${Math.round(o.maxDelayMs / 1000)} s. ` +
      `They go out in priority order (new HIGH alerts first); projected drain time ${formatDuration(drainSeconds)}. ` +
      `This alert is updated at most once a window and resolved when the backlog is back under the threshold.`,
    customDetails: {
      waiting_alerts: alerts,
      waiting_calls: source.calls,
      waiting_events: events,
      waiting_alert_keys: source.lanes.size,
      projected_drain_seconds: drainSeconds,
      by_priority: byPriority,
      by_event_type: byType,
      ...(o.groupBy.length > 0 ? { by_label: labels } : {}),
      top_alert_keys: top,
    },
  }
}

/** Keeps the TOP entries with the most events, largest first. */
function pushTop(top: { alert_key: string; events: number }[], item: { alert_key: string; events: number }): void {
  if (top.length === TOP && top[TOP - 1]!.events >= item.events) return
  let i = top.length
  while (i > 0 && top[i - 1]!.events < item.events) i--
  top.splice(i, 0, item)
  if (top.length > TOP) top.pop()
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
