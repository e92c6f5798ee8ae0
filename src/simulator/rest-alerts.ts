/**
 * The alert reads of ilert's REST API: GET /api/alerts (bare JSON array, newest first, `states`,
 * `sources`, `policies`, `responders` (assignee or responder) and `from`/`until` filters, `start-index`/`max-results` paging with a hard
 * 400 above 100, as ilert), GET /api/alerts/count and GET /api/alerts/{id}. Authentication
 * (rest-auth.ts) wraps these in simulator.ts; the writes live in rest-alert-actions.ts.
 */
import type { SimContext } from './context'
import { ilertError, intParam, json, listParam } from './http'
import { ALERT_STATUSES, type AlertStatus, type SimAlert } from './state'

const MAX_RESULTS_DEFAULT = 50
const MAX_RESULTS_CAP = 100

/** Parses `states`; a Response (400) when a value is not an alert status. */
function statesFilter(q: URLSearchParams): Set<AlertStatus> | undefined | Response {
  const states = listParam(q, 'states')
  if (states.length === 0) return undefined
  for (const s of states) {
    if (!(ALERT_STATUSES as readonly string[]).includes(s)) {
      return ilertError(400, `'states' must be one of ${ALERT_STATUSES.join(', ')}, got '${s}'`)
    }
  }
  return new Set(states as AlertStatus[])
}

/** Numeric ids of a repeatable parameter; a 400 Response when one is not an integer. */
/** A repeatable or comma-separated id list parameter; a 400 Response when an id is not numeric. */
export function idSet(q: URLSearchParams, name: string): Set<number> | undefined | Response {
  const values = listParam(q, name)
  if (values.length === 0) return undefined
  const ids = values.map(Number)
  if (ids.some((n) => !Number.isInteger(n))) return ilertError(400, `'${name}' must be numeric ids`)
  return new Set(ids)
}

/** An ISO time parameter as epoch ms; a 400 Response when unparseable. */
export function timeParam(q: URLSearchParams, name: string): number | undefined | Response {
  const raw = q.get(name)
  if (raw === null || raw === '') return undefined
  const t = Date.parse(raw)
  return Number.isNaN(t) ? ilertError(400, `'${name}' must be an ISO-8601 date-time, got '${raw}'`) : t
}

type AlertFilter = (a: SimAlert) => boolean

function alertFilter(q: URLSearchParams): AlertFilter | undefined | Response {
  const states = statesFilter(q)
  if (states instanceof Response) return states
  const sources = idSet(q, 'sources')
  if (sources instanceof Response) return sources
  const policies = idSet(q, 'policies')
  if (policies instanceof Response) return policies
  const responders = idSet(q, 'responders')
  if (responders instanceof Response) return responders
  const from = timeParam(q, 'from')
  if (from instanceof Response) return from
  const until = timeParam(q, 'until')
  if (until instanceof Response) return until
  if (!states && !sources && !policies && !responders && from === undefined && until === undefined) return undefined
  return (a) =>
    (!states || states.has(a.status)) &&
    (!sources || sources.has(a.alertSource.id)) &&
    (!policies || (a.escalationPolicy !== null && policies.has(a.escalationPolicy.id))) &&
    (!responders || (a.assignedTo !== null && responders.has(a.assignedTo.id)) || a.responders.some((r) => responders.has(r.user.id))) &&
    (from === undefined || Date.parse(a.reportTime) >= from) &&
    (until === undefined || Date.parse(a.reportTime) <= until)
}

export function listAlerts(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const filter = alertFilter(q)
  if (filter instanceof Response) return filter
  const start = intParam(q, 'start-index', 0)
  if (start instanceof Response) return start
  const max = intParam(q, 'max-results', MAX_RESULTS_DEFAULT, MAX_RESULTS_CAP)
  if (max instanceof Response) return max
  const alerts = ctx.state.alerts
  const page: SimAlert[] = []
  let skipped = 0
  for (let i = alerts.length - 1; i >= 0 && page.length < max; i--) {
    const a = alerts.at(i)
    if (a === undefined || (filter !== undefined && !filter(a))) continue
    if (skipped++ < start) continue
    page.push(a)
  }
  return json(page)
}

export function countAlerts(ctx: SimContext, req: Request): Response {
  const filter = alertFilter(new URL(req.url).searchParams)
  if (filter instanceof Response) return filter
  const alerts = ctx.state.alerts
  if (filter === undefined) return json({ count: alerts.length })
  let count = 0
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts.at(i)
    if (a !== undefined && filter(a)) count++
  }
  return json({ count })
}

export function getAlert(ctx: SimContext, idParam: string): Response {
  const id = Number(idParam)
  const alert = Number.isInteger(id) ? ctx.state.byId(id) : undefined
  return alert === undefined ? ilertError(404, `Alert ${idParam} not found`) : json(alert)
}
