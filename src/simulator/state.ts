/**
 * What ilert does with an accepted event: the alert state machine and the alert source's event log.
 * ALERT opens a new alert unless an open (PENDING/ACCEPTED) alert with the same alertKey exists on
 * that source, in which case it is appended to it; ACCEPT/RESOLVE/COMMENT act on the open alert with
 * the key, or are recorded as NO_OPEN_ALERT_WITH_KEY (ilert still answers 202). alertKey comparison
 * is case-insensitive, as ilert documents. Open alerts are found in O(1) through a Map keyed
 * `integrationKey + '\0' + alertKey.toLowerCase()`.
 * REST actions (accept/resolve by id) change the same alerts; `AlertHooks` let the REST side
 * decorate new alerts (escalation policy, assignee) and keep per-alert log entries.
 */
import { BoundedLog } from './bounded-log'
import type { IlertEvent as IlertEventBody, IlertEventType } from '../ilert/event-schema'
import type { KeyRecord } from './stats'

export type AlertStatus = 'PENDING' | 'ACCEPTED' | 'RESOLVED'
export const ALERT_STATUSES: readonly AlertStatus[] = ['PENDING', 'ACCEPTED', 'RESOLVED']

/** A user as embedded in alerts (assignedTo, responders); ilert embeds User objects. */
export interface SimUserRef {
  id: number
  firstName: string
  lastName: string
  email: string
}

/** An alert with ilert's Alert field names (the subset an event can set, plus eventCount). */
export interface SimAlert {
  id: number
  summary: string
  details: string | null
  reportTime: string
  resolvedOn: string | null
  status: AlertStatus
  alertSource: { id: number; name: string }
  priority: 'HIGH' | 'LOW'
  severity: number | null
  alertKey: string
  images: NonNullable<IlertEventBody['images']>
  links: NonNullable<IlertEventBody['links']>
  labels: Record<string, string>
  customDetails: Record<string, unknown> | null
  eventCount: number
  escalationPolicy: { id: number; name: string } | null
  assignedTo: SimUserRef | null
  responders: { user: SimUserRef; status: 'PENDING' | 'ACCEPTED' }[]
}

/** Called by AlertState so the REST side can decorate alerts and log what happened to them. */
export interface AlertHooks {
  onCreate(alert: SimAlert, now: number): void
  onEvent(alert: SimAlert, outcome: EventOutcome, eventType: IlertEventType, now: number): void
}

export type EventOutcome =
  | 'ALERT_CREATED'
  | 'ALERT_APPENDED'
  | 'ALERT_ACCEPTED'
  | 'ALERT_RESOLVED'
  | 'COMMENT_ADDED'
  | 'NO_OPEN_ALERT_WITH_KEY'

/** One accepted (202) event; the integration key is masked in both places it appears. */
export interface EventLogEntry {
  receivedAt: number
  integrationKey: string
  eventType: IlertEventType
  alertKey: string | null
  summary: string | null
  alertId: number | null
  outcome: EventOutcome
  body: Record<string, unknown>
}

/** Where an alert sits in the open map; a symbol, so JSON responses never show it. */
const OPEN_KEY: unique symbol = Symbol('openKey')
type StoredAlert = SimAlert & { [OPEN_KEY]: string }

export class AlertState {
  readonly alerts: BoundedLog<StoredAlert>
  readonly log: BoundedLog<EventLogEntry>
  private readonly open = new Map<string, StoredAlert>()
  private nextId = 1
  hooks: AlertHooks | undefined

  constructor(maxAlerts: number, maxLog: number) {
    this.alerts = new BoundedLog(maxAlerts)
    this.log = new BoundedLog(maxLog)
  }

  /** REST accept by id: PENDING → ACCEPTED (ACCEPTED stays). Undefined when the alert is unknown. */
  acceptById(id: number): SimAlert | undefined {
    const a = this.byId(id)
    if (a !== undefined && a.status === 'PENDING') a.status = 'ACCEPTED'
    return a
  }

  /** REST resolve by id: the alert leaves the open map, so the next ALERT with its key opens a new one. */
  resolveById(id: number, now: number): SimAlert | undefined {
    const a = this.byId(id) as StoredAlert | undefined
    if (a === undefined || a.status === 'RESOLVED') return a
    a.status = 'RESOLVED'
    a.resolvedOn = new Date(now).toISOString()
    if (this.open.get(a[OPEN_KEY]) === a) this.open.delete(a[OPEN_KEY])
    return a
  }

  /** Applies a validated event and records it in the event log. Masks `ev.integrationKey` in place. */
  apply(ev: IlertEventBody, rec: KeyRecord, now: number): EventLogEntry {
    const key = ev.alertKey
    const mapKey = key === undefined ? undefined : ev.integrationKey + '\u0000' + key.toLowerCase()
    let alert = mapKey === undefined ? undefined : this.open.get(mapKey)
    let outcome: EventOutcome
    if (ev.eventType === 'ALERT') {
      if (alert === undefined) {
        alert = this.create(ev, rec, now)
        this.open.set(alert[OPEN_KEY], alert)
        outcome = 'ALERT_CREATED'
      } else {
        if (ev.summary !== undefined) alert.summary = ev.summary
        if (ev.details !== undefined) alert.details = ev.details
        if (ev.priority !== undefined) alert.priority = ev.priority
        if (ev.severity !== undefined) alert.severity = ev.severity
        alert.eventCount++
        outcome = 'ALERT_APPENDED'
      }
    } else if (alert === undefined || mapKey === undefined) {
      outcome = 'NO_OPEN_ALERT_WITH_KEY'
    } else {
      alert.eventCount++
      if (ev.eventType === 'ACCEPT') {
        alert.status = 'ACCEPTED'
        outcome = 'ALERT_ACCEPTED'
      } else if (ev.eventType === 'RESOLVE') {
        alert.status = 'RESOLVED'
        alert.resolvedOn = new Date(now).toISOString()
        this.open.delete(mapKey)
        outcome = 'ALERT_RESOLVED'
      } else outcome = 'COMMENT_ADDED'
    }
    if (alert !== undefined && this.hooks !== undefined) this.hooks.onEvent(alert, outcome, ev.eventType, now)
    // The parsed body is ours: mask its key in place instead of copying it (one object less per event).
    const masked = rec.masked
    ev.integrationKey = masked
    const entry: EventLogEntry = {
      receivedAt: now,
      integrationKey: masked,
      eventType: ev.eventType,
      alertKey: key ?? alert?.alertKey ?? null,
      summary: ev.summary ?? null,
      alertId: alert?.id ?? null,
      outcome,
      body: ev,
    }
    this.log.push(entry)
    return entry
  }

  private create(ev: IlertEventBody, rec: KeyRecord, now: number): StoredAlert {
    const alertKey = ev.alertKey ?? crypto.randomUUID()
    const alert: StoredAlert = {
      id: this.nextId++,
      summary: ev.summary ?? '',
      details: ev.details ?? null,
      reportTime: new Date(now).toISOString(),
      resolvedOn: null,
      status: 'PENDING',
      alertSource: rec.source,
      priority: ev.priority ?? 'HIGH',
      severity: ev.severity ?? null,
      alertKey,
      images: ev.images ?? [],
      links: ev.links ?? [],
      labels: ev.labels ?? {},
      customDetails: ev.customDetails ?? null,
      eventCount: 1,
      escalationPolicy: null,
      assignedTo: null,
      responders: [],
      [OPEN_KEY]: ev.integrationKey + '\u0000' + alertKey.toLowerCase(),
    }
    this.hooks?.onCreate(alert, now)
    const dropped = this.alerts.push(alert)
    if (dropped !== undefined && this.open.get(dropped[OPEN_KEY]) === dropped) this.open.delete(dropped[OPEN_KEY])
    return alert
  }

  /** The alert with this id, if still kept. Ids are consecutive, so this is O(1). */
  byId(id: number): SimAlert | undefined {
    const oldest = this.alerts.at(0)
    return oldest === undefined ? undefined : this.alerts.at(id - oldest.id)
  }

  clear(): void {
    this.alerts.clear()
    this.log.clear()
    this.open.clear()
    this.nextId = 1
  }
}
