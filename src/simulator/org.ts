/**
 * The simulator's organization at run time: the seeded people and rotations (seed-org.ts) plus
 * what changes (status-page incidents, alert log entries), rendered with ilert's field names.
 * It also decorates alerts as ilert does: a new alert gets its source's escalation policy and is
 * assigned to whoever that policy's first level pages at that moment.
 */
import { firstResponder } from './oncall'
import {
  DEFAULT_POLICY_ID,
  INCIDENTS,
  POLICIES,
  SCHEDULES,
  SERVICES,
  SOURCES,
  TEAMS,
  USERS,
  type IncidentStatus,
  type SeedPolicy,
  type SeedSchedule,
  type SeedService,
  type SeedUser,
  type ServiceStatus,
} from './seed-org'
import type { AlertHooks, EventOutcome, SimAlert, SimUserRef } from './state'

export interface SimIncident {
  id: number
  summary: string
  status: IncidentStatus
  message: string
  sendNotification: boolean
  createdAt: string
  updatedAt: string
  resolvedOn: string | null
  affectedServices: { impact: ServiceStatus; service: { id: number; name: string } }[]
  subscribed: boolean
  affectedTeams: { id: number; name: string }[]
  /** Bumped on every change; the ETag PUT's If-Match is compared with. */
  version: number
}

export interface LogEntry {
  id: number
  timestamp: string
  logEntryType: string
  text: string
  alertId: number
}

const MAX_LOG_ENTRIES_PER_ALERT = 100
const SEVERITY: Record<ServiceStatus, number> = { OPERATIONAL: 0, UNDER_MAINTENANCE: 1, DEGRADED: 2, PARTIAL_OUTAGE: 3, MAJOR_OUTAGE: 4 }

export const userRef = (u: SeedUser): SimUserRef => ({ id: u.id, firstName: u.firstName, lastName: u.lastName, email: u.email })
export const fullName = (u: { firstName: string; lastName: string }) => `${u.firstName} ${u.lastName}`
const teamRefs = (ids: number[]) => TEAMS.filter((t) => ids.includes(t.id))
const iso = (t: number) => new Date(t).toISOString()

export class SimOrg {
  incidents: SimIncident[] = []
  private nextIncidentId = 1
  private nextLogId = 1
  private readonly logs = new WeakMap<SimAlert, LogEntry[]>()

  constructor(private readonly now: () => number) {
    this.reset()
  }

  reset(): void {
    this.incidents = []
    this.nextIncidentId = 1
    const now = this.now()
    for (const seed of INCIDENTS) {
      const t = now - seed.ageMinutes * 60_000
      const inc = this.addIncident(seed.summary, seed.status, seed.message, false, seed.affected, t)
      if (seed.status === 'RESOLVED') inc.resolvedOn = iso(t + 45 * 60_000)
    }
  }

  user = (id: number): SeedUser | undefined => USERS.find((u) => u.id === id)
  userByEmail = (email: string): SeedUser | undefined => USERS.find((u) => u.email.toLowerCase() === email.trim().toLowerCase())
  schedule = (id: number): SeedSchedule | undefined => SCHEDULES.find((s) => s.id === id)
  policy = (id: number): SeedPolicy | undefined => POLICIES.find((p) => p.id === id)
  service = (id: number): SeedService | undefined => SERVICES.find((s) => s.id === id)
  incident = (id: number): SimIncident | undefined => this.incidents.find((i) => i.id === id)

  addIncident(summary: string, status: IncidentStatus, message: string, sendNotification: boolean, affected: { serviceId: number; impact: ServiceStatus }[], t = this.now()): SimIncident {
    const inc: SimIncident = {
      id: this.nextIncidentId++,
      summary,
      status,
      message,
      sendNotification,
      createdAt: iso(t),
      updatedAt: iso(t),
      resolvedOn: status === 'RESOLVED' ? iso(t) : null,
      affectedServices: affected.map((a) => ({ impact: a.impact, service: { id: a.serviceId, name: this.service(a.serviceId)?.name ?? '' } })),
      subscribed: false,
      affectedTeams: [],
      version: 1,
    }
    this.incidents.push(inc)
    return inc
  }

  /** A service's status: the worst impact of its unresolved incidents, else its own. */
  serviceStatus(s: SeedService): ServiceStatus {
    let worst = s.status
    for (const inc of this.incidents) {
      if (inc.status === 'RESOLVED') continue
      for (const a of inc.affectedServices) if (a.service.id === s.id && SEVERITY[a.impact] > SEVERITY[worst]) worst = a.impact
    }
    return worst
  }

  userJson = (u: SeedUser) => ({
    ...u,
    avatarUrl: null,
    language: 'en',
    region: 'DE',
    mutedUntil: null,
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
  })

  policyJson = (p: SeedPolicy) => ({
    id: p.id,
    name: p.name,
    routingKey: p.routingKey,
    repeating: false,
    frequency: 1,
    delayMin: 0,
    teams: teamRefs(p.teams),
    escalationRules: p.rules.map((r) => ({
      escalationTimeout: r.escalationTimeout,
      users: (r.users ?? []).map((id) => this.user(id)).filter((u) => u !== undefined).map(userRef),
      schedules: (r.schedules ?? []).map((id) => this.schedule(id)).filter((s) => s !== undefined).map((s) => ({ id: s.id, name: s.name })),
    })),
  })

  serviceJson = (s: SeedService) => ({
    id: s.id,
    name: s.name,
    status: this.serviceStatus(s),
    description: s.description,
    oneOpenIncidentOnly: false,
    showUptimeHistory: true,
    teams: teamRefs(s.teams),
    subscribed: false,
  })

  incidentJson = (i: SimIncident) => {
    const { version: _v, ...rest } = i
    return rest
  }

  /** Log entries of an alert, oldest first. */
  logEntries(alert: SimAlert): LogEntry[] {
    return this.logs.get(alert) ?? []
  }

  log(alert: SimAlert, logEntryType: string, text: string, t = this.now()): void {
    let list = this.logs.get(alert)
    if (list === undefined) this.logs.set(alert, (list = []))
    if (list.length >= MAX_LOG_ENTRIES_PER_ALERT) list.splice(1, 1) // keep the creation entry
    list.push({ id: this.nextLogId++, timestamp: iso(t), logEntryType, text, alertId: alert.id })
  }

  /** Hooks for AlertState: decorate new alerts and log what events did to them. */
  readonly hooks: AlertHooks = {
    onCreate: (alert, now) => {
      const source = SOURCES.find((s) => s.id === alert.alertSource.id && s.name === alert.alertSource.name)
      const policy = this.policy(source?.policy ?? DEFAULT_POLICY_ID)
      if (policy === undefined) return
      alert.escalationPolicy = { id: policy.id, name: policy.name }
      const uid = firstResponder(policy, now)
      const user = uid === undefined ? undefined : this.user(uid)
      if (user !== undefined) alert.assignedTo = userRef(user)
    },
    onEvent: (alert, outcome, _type, now) => {
      const text = EVENT_TEXT[outcome]
      if (text !== undefined) this.log(alert, outcome === 'ALERT_CREATED' || outcome === 'ALERT_APPENDED' ? 'AlertReceivedLogEntry' : 'AlertSourceResponseLogEntry', text, now)
      if (outcome === 'ALERT_CREATED' && alert.assignedTo !== null) {
        this.log(alert, 'AlertAssignedBySystemLogEntry', `Alert assigned to ${fullName(alert.assignedTo)} by escalation policy ${alert.escalationPolicy?.name ?? ''}`.trim(), now)
      }
    },
  }
}

const EVENT_TEXT: Partial<Record<EventOutcome, string>> = {
  ALERT_CREATED: 'Alert created by event from alert source',
  ALERT_APPENDED: 'Event appended to alert',
  ALERT_ACCEPTED: 'Alert accepted by alert source event',
  ALERT_RESOLVED: 'Alert resolved by alert source event',
  COMMENT_ADDED: 'Comment added by alert source event',
}
