/**
 * The small, realistic ilert organization the simulator serves on its REST API, so an MCP agent
 * pointed at the default start has people, on-call rotations, escalation policies, services and
 * status-page incidents to explore. Static data only; on-call shifts are computed from the
 * rotations (oncall.ts), so "who is on call" has an answer at any time.
 *
 * User API keys (not secrets, they only open this simulator):
 *   sim-user-key       → Ava Fischer (ADMIN)
 *   sim-responder-key  → Ben Okafor (RESPONDER)
 */

export const SIM_USER_KEY = 'sim-user-key'
export const SIM_RESPONDER_KEY = 'sim-responder-key'

export type UserRole = 'STAKEHOLDER' | 'GUEST' | 'RESPONDER' | 'USER' | 'ADMIN'

export interface SeedUser {
  id: number
  firstName: string
  lastName: string
  email: string
  timezone: string
  position: string
  department: string
  role: UserRole
  shiftColor: string
}

export interface SeedTeam {
  id: number
  name: string
}

/** A RECURRING schedule with one layer: `users` take turns, each for `shiftHours`, from `epoch`. */
export interface SeedSchedule {
  id: number
  name: string
  timezone: string
  users: number[]
  shiftHours: number
  /** A Monday 09:00 Europe/Berlin (08:00 UTC in winter): rotations hand over there. */
  epoch: number
  teams: number[]
}

export interface SeedRule {
  escalationTimeout: number
  users?: number[]
  schedules?: number[]
}

export interface SeedPolicy {
  id: number
  name: string
  routingKey: string
  rules: SeedRule[]
  teams: number[]
}

export type ServiceStatus = 'OPERATIONAL' | 'UNDER_MAINTENANCE' | 'DEGRADED' | 'PARTIAL_OUTAGE' | 'MAJOR_OUTAGE'

export interface SeedService {
  id: number
  name: string
  description: string
  status: ServiceStatus
  teams: number[]
}

export type IncidentStatus = 'INVESTIGATING' | 'IDENTIFIED' | 'MONITORING' | 'RESOLVED'

export interface SeedIncident {
  summary: string
  status: IncidentStatus
  message: string
  affected: { serviceId: number; impact: ServiceStatus }[]
  /** Minutes before the simulator started. */
  ageMinutes: number
}

/** A demo alert: opened by an event of `source`, `ageMinutes` ago, then optionally accepted/resolved. */
export interface SeedAlert {
  source: number
  alertKey: string
  summary: string
  details: string
  priority: 'HIGH' | 'LOW'
  severity: number
  labels: Record<string, string>
  ageMinutes: number
  then?: 'ACCEPT' | 'RESOLVE'
}

export interface SeedSource {
  id: number
  name: string
  /** The integration key its events carry (simulator-only; real keys come from ilert). */
  integrationKey: string
  policy: number
}

const EPOCH = Date.UTC(2026, 0, 5, 8, 0, 0) // Monday 2026-01-05 09:00 Europe/Berlin

export const TEAMS: SeedTeam[] = [
  { id: 1, name: 'Platform' },
  { id: 2, name: 'Payments' },
]

export const USERS: SeedUser[] = [
  { id: 1, firstName: 'Ava', lastName: 'Fischer', email: 'ava.fischer@example.com', timezone: 'Europe/Berlin', position: 'Head of SRE', department: 'Engineering', role: 'ADMIN', shiftColor: '#6f42c1' },
  { id: 2, firstName: 'Ben', lastName: 'Okafor', email: 'ben.okafor@example.com', timezone: 'Europe/Berlin', position: 'Site Reliability Engineer', department: 'Engineering', role: 'RESPONDER', shiftColor: '#1f77b4' },
  { id: 3, firstName: 'Chloé', lastName: 'Martin', email: 'chloe.martin@example.com', timezone: 'Europe/Paris', position: 'Backend Engineer', department: 'Payments', role: 'RESPONDER', shiftColor: '#2ca02c' },
  { id: 4, firstName: 'Dmitri', lastName: 'Ivanov', email: 'dmitri.ivanov@example.com', timezone: 'Europe/Berlin', position: 'Platform Engineer', department: 'Engineering', role: 'USER', shiftColor: '#ff7f0e' },
  { id: 5, firstName: 'Emma', lastName: 'Schulz', email: 'emma.schulz@example.com', timezone: 'Europe/Berlin', position: 'Customer Support Lead', department: 'Support', role: 'STAKEHOLDER', shiftColor: '#8c564b' },
]

/** API key → user id. */
export const API_KEYS: Record<string, number> = { [SIM_USER_KEY]: 1, [SIM_RESPONDER_KEY]: 2 }

export const SCHEDULES: SeedSchedule[] = [
  { id: 1, name: 'Platform primary', timezone: 'Europe/Berlin', users: [2, 4, 3], shiftHours: 168, epoch: EPOCH, teams: [1] },
  { id: 2, name: 'Platform secondary', timezone: 'Europe/Berlin', users: [4, 3, 2], shiftHours: 168, epoch: EPOCH, teams: [1] },
  { id: 3, name: 'Payments on-call', timezone: 'Europe/Paris', users: [3, 1], shiftHours: 24, epoch: EPOCH, teams: [2] },
]

export const POLICIES: SeedPolicy[] = [
  {
    id: 1,
    name: 'Platform default',
    routingKey: 'platform',
    rules: [{ escalationTimeout: 15, schedules: [1] }, { escalationTimeout: 15, schedules: [2] }, { escalationTimeout: 30, users: [1] }],
    teams: [1],
  },
  { id: 2, name: 'Payments critical', routingKey: 'payments', rules: [{ escalationTimeout: 10, schedules: [3] }, { escalationTimeout: 20, users: [1, 2] }], teams: [2] },
]

export const SERVICES: SeedService[] = [
  { id: 1, name: 'Checkout API', description: 'Cart, checkout and order placement.', status: 'OPERATIONAL', teams: [1, 2] },
  { id: 2, name: 'Payment gateway', description: 'Card and wallet payments via our PSPs.', status: 'OPERATIONAL', teams: [2] },
  { id: 3, name: 'Product search', description: 'Search and catalogue browsing.', status: 'OPERATIONAL', teams: [1] },
  { id: 4, name: 'Customer web app', description: 'shop.example.com storefront.', status: 'OPERATIONAL', teams: [1] },
  { id: 5, name: 'Email delivery', description: 'Order confirmations and shipping notices.', status: 'UNDER_MAINTENANCE', teams: [1] },
]

export const INCIDENTS: SeedIncident[] = [
  {
    summary: 'Elevated payment failures for card payments',
    status: 'IDENTIFIED',
    message: 'A subset of card payments fail at our payment provider. We are routing traffic to the secondary provider.',
    affected: [{ serviceId: 2, impact: 'DEGRADED' }],
    ageMinutes: 55,
  },
  {
    summary: 'Slow product search results',
    status: 'RESOLVED',
    message: 'Search latency is back to normal after an index rebuild.',
    affected: [{ serviceId: 3, impact: 'PARTIAL_OUTAGE' }],
    ageMinutes: 60 * 26,
  },
]

export const SOURCES: SeedSource[] = [
  { id: 101, name: 'Prometheus (production)', integrationKey: 'il1api-sim-prometheus', policy: 1 },
  { id: 102, name: 'Payments monitoring', integrationKey: 'il1api-sim-payments', policy: 2 },
]

/** Policy for alerts from sources the org does not know (e.g. the bridge's own key). */
export const DEFAULT_POLICY_ID = 1

export const DEMO_ALERTS: SeedAlert[] = [
  {
    source: 101,
    alertKey: 'db-02-disk',
    summary: 'Disk usage 91% on db-02 (/var/lib/postgresql)',
    details: 'Filesystem /var/lib/postgresql on db-02 is 91% full; 40 GB left, growing 3 GB/h.',
    priority: 'HIGH',
    severity: 2,
    labels: { host: 'db-02', env: 'production' },
    ageMinutes: 95,
    then: 'ACCEPT',
  },
  {
    source: 102,
    alertKey: 'psp-card-failures',
    summary: 'Card payment failure rate 7.4% (threshold 5%)',
    details: 'Failures are concentrated on one PSP; see the status-page incident.',
    priority: 'HIGH',
    severity: 1,
    labels: { service: 'payment-gateway', env: 'production' },
    ageMinutes: 58,
  },
  {
    source: 101,
    alertKey: 'checkout-p99',
    summary: 'Checkout API p99 latency above 2 s',
    details: 'p99 2.4 s over the last 10 minutes (SLO 1.5 s).',
    priority: 'HIGH',
    severity: 2,
    labels: { service: 'checkout-api', env: 'production' },
    ageMinutes: 12,
  },
  {
    source: 101,
    alertKey: 'tls-shop-expiry',
    summary: 'TLS certificate for shop.example.com expires in 7 days',
    details: 'Renewal job failed twice; certificate valid until next week.',
    priority: 'LOW',
    severity: 4,
    labels: { host: 'shop.example.com' },
    ageMinutes: 60 * 20,
    then: 'RESOLVE',
  },
]
