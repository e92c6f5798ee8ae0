/**
 * Text renderings of ilert objects for tool results: one compact line per object in lists, a
 * few labelled lines for a single object. Models read these; clients that ignore structured
 * content show them to people. No secrets are ever part of these objects.
 */
import type { Alert, EscalationPolicy, Incident, LogEntry, OnCall, Ref, Schedule, Service, Shift, UserRef } from './ilert-types'

export const name = (u: UserRef | null | undefined): string =>
  u ? [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email || `user #${u.id}` : 'nobody'

const refName = (r: Ref | null | undefined, kind: string) => (r ? (r.name ?? `${kind} #${r.id}`) : 'none')

export function alertLine(a: Alert): string {
  const parts = [`#${a.id} [${a.status ?? '?'}] ${a.priority ?? ''} "${a.summary ?? ''}"`]
  if (a.alertSource) parts.push(`source: ${refName(a.alertSource, 'source')}`)
  parts.push(`assigned: ${name(a.assignedTo)}`)
  if (a.reportTime) parts.push(`reported ${a.reportTime}`)
  if (a.alertKey) parts.push(`key: ${a.alertKey}`)
  return parts.join(' · ')
}

export function alertText(a: Alert): string {
  const lines = [
    `Alert #${a.id}: ${a.summary ?? ''}`,
    `Status: ${a.status ?? '?'}   Priority: ${a.priority ?? '?'}${a.resolvedOn ? `   Resolved: ${a.resolvedOn}` : ''}`,
    `Reported: ${a.reportTime ?? '?'}   Alert key: ${a.alertKey ?? '-'}`,
    `Source: ${refName(a.alertSource, 'source')}   Escalation policy: ${refName(a.escalationPolicy, 'policy')}`,
    `Assigned to: ${name(a.assignedTo)}`,
  ]
  if (a.responders?.length) lines.push(`Responders: ${a.responders.map((r) => `${name(r.user)}${r.status ? ` (${r.status})` : ''}`).join(', ')}`)
  if (a.labels && Object.keys(a.labels).length) lines.push(`Labels: ${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`)
  if (a.links?.length) lines.push(`Links: ${a.links.map((l) => l.href).join(', ')}`)
  if (a.details) lines.push('', a.details)
  return lines.join('\n')
}

export const userLine = (u: UserRef) => `#${u.id} ${name(u)} <${u.email ?? '?'}>${u.role ? ` (${u.role})` : ''}${u.timezone ? ` · ${u.timezone}` : ''}`

export const logLine = (e: LogEntry) => `${e.timestamp ?? '?'} ${e.logEntryType ?? ''}: ${e.text ?? ''}`

export function onCallLine(o: OnCall): string {
  const level = o.escalationLevel ? `Level ${o.escalationLevel}` : 'Schedule'
  const where = [o.escalationPolicy ? `policy ${refName(o.escalationPolicy, 'policy')}` : '', o.schedule ? `schedule ${refName(o.schedule, 'schedule')}` : ''].filter(Boolean).join(', ')
  const span = o.start !== undefined && o.start === o.end ? '' : ` from ${o.start ?? '?'} until ${o.end ?? '?'}`
  return `${level}${where ? ` (${where})` : ''}: ${name(o.user)}${o.user?.email ? ` <${o.user.email}>` : ''}${span}`
}

const shift = (s: Shift | null | undefined) => (s ? `${name(s.user)} (${s.start ?? '?'} → ${s.end ?? '?'})` : 'nobody')

export const scheduleLine = (s: Schedule) =>
  `#${s.id} ${s.name ?? ''} (${s.type ?? '?'}, ${s.timezone ?? '?'}) · on call now: ${shift(s.currentShift)} · next: ${shift(s.nextShift)}`

export function policyLine(p: EscalationPolicy): string {
  const levels = (p.escalationRules ?? []).map((r, i) => {
    const who = [...(r.schedules ?? []).map((s) => `schedule ${refName(s, 'schedule')}`), ...(r.users ?? []).map(name)].join(' + ') || 'nobody'
    return `L${i + 1} ${who}${r.escalationTimeout !== undefined ? ` (${r.escalationTimeout} min)` : ''}`
  })
  return `#${p.id} ${p.name ?? ''}${p.routingKey ? ` [routing key ${p.routingKey}]` : ''}: ${levels.join(' → ') || 'no levels'}`
}

export const serviceLine = (s: Service) => `#${s.id} ${s.name ?? ''} [${s.status ?? '?'}]${s.description ? ` · ${s.description}` : ''}`

const affected = (i: Incident) => (i.affectedServices ?? []).map((a) => `${refName(a.service, 'service')} (${a.impact ?? '?'})`).join(', ') || 'no services'

export const incidentLine = (i: Incident) => `#${i.id} [${i.status ?? '?'}] "${i.summary ?? ''}" · affects ${affected(i)} · updated ${i.updatedAt ?? i.createdAt ?? '?'}`

export function incidentText(i: Incident): string {
  return [
    `Incident #${i.id}: ${i.summary ?? ''}`,
    `Status: ${i.status ?? '?'}   Created: ${i.createdAt ?? '?'}   Updated: ${i.updatedAt ?? '?'}${i.resolvedOn ? `   Resolved: ${i.resolvedOn}` : ''}`,
    `Affects: ${affected(i)}`,
    ...(i.message ? ['', i.message] : []),
  ].join('\n')
}
