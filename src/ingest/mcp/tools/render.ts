/**
 * Text renderings of ilert objects for tool results: one compact line per object in lists, a
 * few labelled lines for a single object. Models read these (many clients show the model only
 * the text block), so every rendering keeps what the next call needs: the `#id` of each object
 * and of the users, policies, schedules, sources and services it names, the alert's labels and
 * key, and its web-app link. No secrets are ever part of these objects.
 */
import type { Alert, EscalationPolicy, Incident, LogEntry, OnCall, Ref, Schedule, Service, Shift, UserRef } from './ilert-types'

export const name = (u: UserRef | null | undefined): string =>
  u ? [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email || `user #${u.id}` : 'nobody'

/** A user with the id assign_alert and add_alert_responder take: `#3 Chloe Martin`. */
export const who = (u: UserRef | null | undefined): string => (u ? `#${u.id} ${name(u)}` : 'nobody')

/** A named reference with its id: `#102 Payments monitoring`. */
export const ref = (r: Ref | null | undefined): string => (r ? `#${r.id}${r.name ? ` ${r.name}` : ''}` : 'none')

const labelsOf = (a: Alert) => Object.entries(a.labels ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)

export function alertLine(a: Alert, url?: string): string {
  const parts = [`#${a.id} [${a.status ?? '?'}] ${a.priority ?? ''} "${a.summary ?? ''}"`]
  if (a.alertSource) parts.push(`source ${ref(a.alertSource)}`)
  if (a.escalationPolicy) parts.push(`policy ${ref(a.escalationPolicy)}`)
  parts.push(`assigned ${who(a.assignedTo)}`)
  if (a.responders?.length) parts.push(`responders ${a.responders.map((r) => who(r.user)).join(', ')}`)
  const labels = labelsOf(a)
  if (labels.length) parts.push(`labels ${labels.join(', ')}`)
  if (a.alertKey) parts.push(`key ${a.alertKey}`)
  if (a.reportTime) parts.push(`reported ${a.reportTime}`)
  if (url) parts.push(url)
  return parts.join(' · ')
}

export function alertText(a: Alert, url?: string): string {
  const lines = [
    `Alert #${a.id}: ${a.summary ?? ''}`,
    `Status: ${a.status ?? '?'}   Priority: ${a.priority ?? '?'}${a.resolvedOn ? `   Resolved: ${a.resolvedOn}` : ''}`,
    `Reported: ${a.reportTime ?? '?'}   Alert key: ${a.alertKey ?? '-'}`,
    `Source: ${ref(a.alertSource)}   Escalation policy: ${ref(a.escalationPolicy)}`,
    `Assigned to: ${who(a.assignedTo)}`,
  ]
  if (a.responders?.length) lines.push(`Responders: ${a.responders.map((r) => `${who(r.user)}${r.status ? ` (${r.status})` : ''}`).join(', ')}`)
  const labels = labelsOf(a)
  if (labels.length) lines.push(`Labels: ${labels.join(', ')}`)
  if (a.links?.length) lines.push(`Links: ${a.links.map((l) => l.href).join(', ')}`)
  if (url) lines.push(`Open in ilert: ${url}`)
  if (a.details) lines.push('', a.details)
  return lines.join('\n')
}

export const userLine = (u: UserRef) => `#${u.id} ${name(u)} <${u.email ?? '?'}>${u.role ? ` (${u.role})` : ''}${u.timezone ? ` · ${u.timezone}` : ''}`

export const logLine = (e: LogEntry) => `${e.timestamp ?? '?'} ${e.logEntryType ?? ''}: ${e.text ?? ''}`

export function onCallLine(o: OnCall): string {
  const level = o.escalationLevel ? `Level ${o.escalationLevel}` : 'Schedule'
  const where = [o.escalationPolicy ? `policy ${ref(o.escalationPolicy)}` : '', o.schedule ? `schedule ${ref(o.schedule)}` : ''].filter(Boolean).join(', ')
  const span = o.start !== undefined && o.start === o.end ? '' : ` from ${o.start ?? '?'} until ${o.end ?? '?'}`
  return `${level}${where ? ` (${where})` : ''}: user ${who(o.user)}${o.user?.email ? ` <${o.user.email}>` : ''}${span}`
}

const shift = (s: Shift | null | undefined) => (s ? `${who(s.user)} (${s.start ?? '?'} → ${s.end ?? '?'})` : 'nobody')

export const scheduleLine = (s: Schedule) =>
  `#${s.id} ${s.name ?? ''} (${s.type ?? '?'}, ${s.timezone ?? '?'}) · on call now: ${shift(s.currentShift)} · next: ${shift(s.nextShift)}`

export function policyLine(p: EscalationPolicy): string {
  const levels = (p.escalationRules ?? []).map((r, i) => {
    const names = [...(r.schedules ?? []).map((s) => `schedule ${ref(s)}`), ...(r.users ?? []).map((u) => `user ${who(u)}`)].join(' + ') || 'nobody'
    return `L${i + 1} ${names}${r.escalationTimeout !== undefined ? ` (${r.escalationTimeout} min)` : ''}`
  })
  return `#${p.id} ${p.name ?? ''}${p.routingKey ? ` [routing key ${p.routingKey}]` : ''}: ${levels.join(' → ') || 'no levels'}`
}

export const serviceLine = (s: Service, url?: string) => `#${s.id} ${s.name ?? ''} [${s.status ?? '?'}]${s.description ? ` · ${s.description}` : ''}${url ? ` · ${url}` : ''}`

const affected = (i: Incident) => (i.affectedServices ?? []).map((a) => `service ${ref(a.service)} (${a.impact ?? '?'})`).join(', ') || 'no services'

export const incidentLine = (i: Incident, url?: string) =>
  `#${i.id} [${i.status ?? '?'}] "${i.summary ?? ''}" · affects ${affected(i)} · updated ${i.updatedAt ?? i.createdAt ?? '?'}${url ? ` · ${url}` : ''}`

export function incidentText(i: Incident, url?: string): string {
  return [
    `Incident #${i.id}: ${i.summary ?? ''}`,
    `Status: ${i.status ?? '?'}   Created: ${i.createdAt ?? '?'}   Updated: ${i.updatedAt ?? '?'}${i.resolvedOn ? `   Resolved: ${i.resolvedOn}` : ''}`,
    `Affects: ${affected(i)}`,
    ...(url ? [`Open in ilert: ${url}`] : []),
    ...(i.message ? ['', i.message] : []),
  ].join('\n')
}
