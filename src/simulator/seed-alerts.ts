/**
 * Opens the seeded org's demo alerts (seed-org.ts DEMO_ALERTS) the way ilert would: as events
 * from the org's alert sources, backdated, then accepted or resolved. They go through
 * AlertState.apply, so they carry escalation policy, assignee and log entries like any alert.
 */
import { DEMO_ALERTS, SOURCES } from './seed-org'
import type { AlertState } from './state'
import type { StatsBook } from './stats'

export function seedDemoAlerts(state: AlertState, stats: StatsBook, now: number): void {
  for (const seed of DEMO_ALERTS) {
    const source = SOURCES.find((s) => s.id === seed.source)!
    const rec = stats.key(source.integrationKey)
    rec.source = { id: source.id, name: source.name }
    const t = now - seed.ageMinutes * 60_000
    const base = { integrationKey: source.integrationKey, alertKey: seed.alertKey }
    state.apply(
      { ...base, eventType: 'ALERT', summary: seed.summary, details: seed.details, priority: seed.priority, severity: seed.severity, labels: seed.labels },
      rec,
      t,
    )
    if (seed.then !== undefined) state.apply({ ...base, eventType: seed.then, summary: seed.summary }, rec, t + 7 * 60_000)
  }
}
