/**
 * What a user can do to an alert through ilert's REST API: PUT /alerts/{id}/accept, /resolve,
 * /assign?user=|policy=|schedule= (exactly one), POST /alerts/{id}/responders `{user:{id}}`
 * (201; 404 unknown user; 405 already a responder, as the spec lists) and GET
 * /alerts/{id}/log-entries (paged). Each action is logged on the alert under the caller's name.
 */
import type { SimContext } from './context'
import { ilertError, intParam, json } from './http'
import { shiftAt, firstResponder } from './oncall'
import { fullName, userRef } from './org'
import type { RestCaller } from './rest-auth'
import type { SimAlert } from './state'

const LOG_MAX_RESULTS_DEFAULT = 50
const LOG_MAX_RESULTS_CAP = 100

const who = (c: RestCaller) => (c.kind === 'user' ? fullName(c.user) : 'an API client')

function alertOr404(ctx: SimContext, idParam: string): SimAlert | Response {
  const id = Number(idParam)
  const alert = Number.isInteger(id) ? ctx.state.byId(id) : undefined
  return alert ?? ilertError(404, `Alert ${idParam} not found`)
}

export function acceptAlert(ctx: SimContext, idParam: string, caller: RestCaller): Response {
  const a = alertOr404(ctx, idParam)
  if (a instanceof Response) return a
  if (a.status === 'RESOLVED') return ilertError(400, `Alert ${a.id} is resolved; a resolved alert cannot be accepted`)
  if (a.status === 'PENDING') {
    ctx.state.acceptById(a.id)
    if (caller.kind === 'user') a.assignedTo = userRef(caller.user)
    ctx.org.log(a, 'UserResponseLogEntry', `Alert accepted by ${who(caller)}`)
  }
  return json(a)
}

export function resolveAlert(ctx: SimContext, idParam: string, caller: RestCaller): Response {
  const a = alertOr404(ctx, idParam)
  if (a instanceof Response) return a
  if (a.status !== 'RESOLVED') {
    ctx.state.resolveById(a.id, ctx.config.now())
    ctx.org.log(a, 'UserResponseLogEntry', `Alert resolved by ${who(caller)}`)
  }
  return json(a)
}

export function assignAlert(ctx: SimContext, req: Request, idParam: string, caller: RestCaller): Response {
  const a = alertOr404(ctx, idParam)
  if (a instanceof Response) return a
  const q = new URL(req.url).searchParams
  const given = (['user', 'policy', 'schedule'] as const).filter((k) => q.get(k) !== null && q.get(k) !== '')
  if (given.length !== 1) return ilertError(400, "Give exactly one of 'user', 'policy' or 'schedule'")
  if (a.status === 'RESOLVED') return ilertError(400, `Alert ${a.id} is resolved and cannot be reassigned`)
  const kind = given[0]!
  const id = Number(q.get(kind))
  const now = ctx.config.now()
  let userId: number | undefined
  let via = ''
  if (kind === 'user') userId = id
  else if (kind === 'policy') {
    const p = Number.isInteger(id) ? ctx.org.policy(id) : undefined
    if (p === undefined) return ilertError(404, `Escalation policy ${q.get(kind)} not found`)
    a.escalationPolicy = { id: p.id, name: p.name }
    userId = firstResponder(p, now)
    via = ` via escalation policy ${p.name}`
  } else {
    const s = Number.isInteger(id) ? ctx.org.schedule(id) : undefined
    if (s === undefined) return ilertError(404, `Schedule ${q.get(kind)} not found`)
    userId = shiftAt(s, now).userId
    via = ` via schedule ${s.name}`
  }
  const user = userId === undefined ? undefined : ctx.org.user(userId)
  if (user === undefined) return ilertError(404, `User ${q.get(kind)} not found`)
  a.assignedTo = userRef(user)
  if (a.status === 'ACCEPTED') a.status = 'PENDING' // a new assignee has to accept again
  ctx.org.log(a, 'AlertAssignedByUserLogEntry', `Alert assigned to ${fullName(user)}${via} by ${who(caller)}`)
  return json(a)
}

export async function addResponder(ctx: SimContext, req: Request, idParam: string, caller: RestCaller): Promise<Response> {
  const a = alertOr404(ctx, idParam)
  if (a instanceof Response) return a
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return ilertError(400, 'Request body is not valid JSON')
  }
  const uid = (body as { user?: { id?: unknown } } | null)?.user?.id
  if (typeof uid !== 'number' || !Number.isInteger(uid)) return ilertError(400, "Body must be {\"user\": {\"id\": <user id>}}")
  const user = ctx.org.user(uid)
  if (user === undefined) return ilertError(404, `User ${uid} not found`)
  if (a.responders.some((r) => r.user.id === uid) || a.assignedTo?.id === uid) return ilertError(405, `${fullName(user)} is already a responder on alert ${a.id}`)
  a.responders.push({ user: userRef(user), status: 'PENDING' })
  ctx.org.log(a, 'AlertAssignedByUserLogEntry', `${fullName(user)} added as responder by ${who(caller)}`)
  return json(a, 201)
}

export function logEntries(ctx: SimContext, req: Request, idParam: string): Response {
  const a = alertOr404(ctx, idParam)
  if (a instanceof Response) return a
  const q = new URL(req.url).searchParams
  const start = intParam(q, 'start-index', 0)
  if (start instanceof Response) return start
  const max = intParam(q, 'max-results', LOG_MAX_RESULTS_DEFAULT, LOG_MAX_RESULTS_CAP)
  if (max instanceof Response) return max
  return json(ctx.org.logEntries(a).slice(start, start + max))
}
