/**
 * The directory part of ilert's REST API over the seeded org: users (list, current, by id,
 * search by email), schedules (list, by id, user-on-call with 204 when nobody is, shifts),
 * escalation policies, services and on-calls. Paging follows ilert's per-endpoint caps (ilert-api
 * reference 2.4); asking for more is a hard 400, never a silent clamp.
 */
import type { SimContext } from './context'
import { ilertError, intParam, json, listParam } from './http'
import { onCalls, shiftAt, shiftsBetween, type Shift } from './oncall'
import type { RestCaller } from './rest-auth'
import { idSet, timeParam } from './rest-alerts'
import { POLICIES, SCHEDULES, SERVICES, USERS, type SeedSchedule } from './seed-org'

export const CAPS = {
  users: [50, 100],
  schedules: [20, 20],
  policies: [50, 50],
  services: [10, 100],
  onCalls: [50, 250],
  incidents: [10, 100],
} as const satisfies Record<string, readonly [number, number]>

const THREE_MONTHS = 92 * 24 * 3_600_000

/** `items` paged by start-index/max-results with the endpoint's default and cap; 400 above the cap. */
export function paged<T>(items: readonly T[], q: URLSearchParams, [def, cap]: readonly [number, number]): T[] | Response {
  const start = intParam(q, 'start-index', 0)
  if (start instanceof Response) return start
  const max = intParam(q, 'max-results', def, cap)
  if (max instanceof Response) return max
  return items.slice(start, start + max)
}

const send = <T>(r: T[] | Response) => (r instanceof Response ? r : json(r))
const numericId = (raw: string) => (/^\d+$/.test(raw) ? Number(raw) : NaN)

export function listUsers(ctx: SimContext, req: Request): Response {
  return send(paged(USERS.map(ctx.org.userJson), new URL(req.url).searchParams, CAPS.users))
}

export function getUser(ctx: SimContext, idParam: string, caller: RestCaller): Response {
  if (idParam === 'current') return caller.kind === 'user' ? json(ctx.org.userJson(caller.user)) : ilertError(401, 'Missing Authorization header')
  const u = ctx.org.user(numericId(idParam))
  return u ? json(ctx.org.userJson(u)) : ilertError(404, `User ${idParam} not found`)
}

export async function searchUserByEmail(ctx: SimContext, req: Request): Promise<Response> {
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return ilertError(400, 'Request body is not valid JSON')
  }
  const email = (body as { email?: unknown } | null)?.email
  if (typeof email !== 'string' || email.trim() === '') return ilertError(400, 'Body must be {"email": "<address>"}')
  const u = ctx.org.userByEmail(email)
  return u ? json(ctx.org.userJson(u)) : ilertError(404, 'No user with this email address')
}

function shiftJson(ctx: SimContext, sh: Shift) {
  const u = ctx.org.user(sh.userId)
  return { user: u ? ctx.org.userJson(u) : null, start: new Date(sh.start).toISOString(), end: new Date(sh.end).toISOString() }
}

function scheduleJson(ctx: SimContext, s: SeedSchedule, include: string[]) {
  const now = ctx.config.now()
  const cur = shiftAt(s, now)
  return {
    id: s.id,
    name: s.name,
    timezone: s.timezone,
    type: 'RECURRING',
    showGaps: false,
    defaultShiftDuration: `PT${s.shiftHours}H`,
    teams: s.teams.map((id) => ({ id, name: id === 1 ? 'Platform' : 'Payments' })),
    ...(include.includes('currentShift') ? { currentShift: shiftJson(ctx, cur) } : {}),
    ...(include.includes('nextShift') ? { nextShift: shiftJson(ctx, shiftAt(s, cur.end)) } : {}),
    ...(include.includes('scheduleLayers')
      ? { scheduleLayers: [{ name: 'Rotation', startsOn: new Date(s.epoch).toISOString(), users: s.users.map((id) => ({ id })), rotation: `PT${s.shiftHours}H` }] }
      : {}),
  }
}

export function listSchedules(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const include = listParam(q, 'include')
  return send(paged(SCHEDULES.map((s) => scheduleJson(ctx, s, include)), q, CAPS.schedules))
}

export function getSchedule(ctx: SimContext, req: Request, idParam: string): Response {
  const s = ctx.org.schedule(numericId(idParam))
  return s ? json(scheduleJson(ctx, s, listParam(new URL(req.url).searchParams, 'include'))) : ilertError(404, `Schedule ${idParam} not found`)
}

export function userOnCall(ctx: SimContext, idParam: string): Response {
  const s = ctx.org.schedule(numericId(idParam))
  if (!s) return ilertError(404, `Schedule ${idParam} not found`)
  const sh = shiftAt(s, ctx.config.now())
  return ctx.org.user(sh.userId) ? json(shiftJson(ctx, sh)) : new Response(null, { status: 204 })
}

export function scheduleShifts(ctx: SimContext, req: Request, idParam: string): Response {
  const s = ctx.org.schedule(numericId(idParam))
  if (!s) return ilertError(404, `Schedule ${idParam} not found`)
  const q = new URL(req.url).searchParams
  const from = timeParam(q, 'from')
  if (from instanceof Response) return from
  const until = timeParam(q, 'until')
  if (until instanceof Response) return until
  const f = from ?? ctx.config.now()
  const u = until ?? f + THREE_MONTHS
  if (u < f || u - f > THREE_MONTHS) return ilertError(400, "'until' must be after 'from' and at most 3 months later")
  return json(shiftsBetween(s, f, u).map((sh) => shiftJson(ctx, sh)))
}

export function listPolicies(ctx: SimContext, req: Request): Response {
  return send(paged(POLICIES.map(ctx.org.policyJson), new URL(req.url).searchParams, CAPS.policies))
}

export function getPolicy(ctx: SimContext, idParam: string): Response {
  const p = ctx.org.policy(numericId(idParam))
  return p ? json(ctx.org.policyJson(p)) : ilertError(404, `Escalation policy ${idParam} not found`)
}

export function listServices(ctx: SimContext, req: Request): Response {
  return send(paged(SERVICES.map(ctx.org.serviceJson), new URL(req.url).searchParams, CAPS.services))
}

export function getService(ctx: SimContext, idParam: string): Response {
  const s = ctx.org.service(numericId(idParam))
  return s ? json(ctx.org.serviceJson(s)) : ilertError(404, `Service ${idParam} not found`)
}

/** GET /on-calls: `policies`, `schedules`, `users`, `from`/`until` (default now, span ≤ 3 months), `expand` accepted. */
export function listOnCalls(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const policies = idSet(q, 'policies')
  if (policies instanceof Response) return policies
  const schedules = idSet(q, 'schedules')
  if (schedules instanceof Response) return schedules
  const users = idSet(q, 'users')
  if (users instanceof Response) return users
  const from = timeParam(q, 'from')
  if (from instanceof Response) return from
  const until = timeParam(q, 'until')
  if (until instanceof Response) return until
  const now = ctx.config.now()
  const f = from ?? now
  const u = until ?? (from ?? now)
  if (u < f) return ilertError(400, "'until' must be after 'from'")
  if (u - f > THREE_MONTHS) return ilertError(400, "'from' to 'until' may not exceed 3 months")
  const rows = onCalls({ policies, schedules, users, from: f, until: u }).map((r) => {
    const user = ctx.org.user(r.userId)
    return {
      user: user ? ctx.org.userJson(user) : null,
      escalationPolicy: r.policy ? { id: r.policy.id, name: r.policy.name } : null,
      schedule: r.schedule ? { id: r.schedule.id, name: r.schedule.name } : null,
      start: new Date(r.start).toISOString(),
      end: new Date(r.end).toISOString(),
      escalationLevel: r.escalationLevel,
    }
  })
  return send(paged(rows, q, CAPS.onCalls))
}
