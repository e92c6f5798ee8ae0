/**
 * The responder-facing REST endpoints beyond alerts and the directory, as ilert's published
 * OpenAPI describes them: alert sources (`include=integrationKey` is opt-in), teams, status pages,
 * heartbeat monitors (state HEALTHY, OVERDUE or UNKNOWN) and maintenance windows (list with
 * `state=OPEN|CLOSED`, create, get, update, delete). The maintenance windows are the only mutable
 * part and live in `MaintenanceBook`, reset with the rest of the simulator.
 */
import type { SimContext } from './context'
import { ilertError, json, listParam } from './http'
import { paged } from './rest-org'
import { SERVICES, SOURCES, TEAMS } from './seed-org'

const numericId = (raw: string) => (/^\d+$/.test(raw) ? Number(raw) : NaN)
const send = <T>(r: T[] | Response) => (r instanceof Response ? r : json(r))

export const RESPONDER_CAPS = { sources: [50, 50], teams: [50, 100], statusPages: [25, 50], maintenance: [50, 100], heartbeats: [100, 200] } as const

function sourceJson(s: (typeof SOURCES)[number], ctx: SimContext, withKey: boolean) {
  const p = ctx.org.policy(s.policy)
  return {
    id: s.id,
    name: s.name,
    integrationType: 'API',
    status: 'ALL_ACCEPTED',
    active: true,
    alertCreation: 'ONE_ALERT_PER_EMAIL_SUBJECT',
    escalationPolicy: p ? { id: p.id, name: p.name } : null,
    teams: [],
    ...(withKey ? { integrationKey: s.integrationKey } : {}),
  }
}

export function listAlertSources(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const withKey = listParam(q, 'include').includes('integrationKey')
  return send(paged(SOURCES.map((s) => sourceJson(s, ctx, withKey)), q, RESPONDER_CAPS.sources))
}

export function getAlertSource(ctx: SimContext, req: Request, idParam: string): Response {
  const s = SOURCES.find((x) => x.id === numericId(idParam))
  if (s === undefined) return ilertError(404, `Alert source ${idParam} not found`)
  return json(sourceJson(s, ctx, listParam(new URL(req.url).searchParams, 'include').includes('integrationKey')))
}

const MEMBERS: Record<number, number[]> = { 1: [1, 2, 4], 2: [3, 1] }

export function listTeams(ctx: SimContext, req: Request): Response {
  const teams = TEAMS.map((t) => ({ id: t.id, name: t.name, visibility: 'PUBLIC', members: (MEMBERS[t.id] ?? []).map((id) => ({ user: ctx.org.userJson(ctx.org.user(id)!), role: 'USER' })) }))
  return send(paged(teams, new URL(req.url).searchParams, RESPONDER_CAPS.teams))
}

export function listStatusPages(ctx: SimContext, req: Request): Response {
  const pages = [
    { id: 1, name: 'Shop status', domain: 'status.example.com', subdomain: 'shop-example', visibility: 'PUBLIC', status: 'OPERATIONAL', services: SERVICES.map((s) => ({ id: s.id, name: s.name, status: ctx.org.serviceStatus(s) })) },
    { id: 2, name: 'Internal platform', domain: '', subdomain: 'platform-internal', visibility: 'PRIVATE', status: 'OPERATIONAL', services: SERVICES.filter((s) => s.teams.includes(1)).map((s) => ({ id: s.id, name: s.name, status: ctx.org.serviceStatus(s) })) },
  ].map((p) => ({ ...p, status: worst(p.services.map((s) => s.status)) }))
  return send(paged(pages, new URL(req.url).searchParams, RESPONDER_CAPS.statusPages))
}

const ORDER = ['OPERATIONAL', 'UNDER_MAINTENANCE', 'DEGRADED', 'PARTIAL_OUTAGE', 'MAJOR_OUTAGE']
const worst = (statuses: string[]) => statuses.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'OPERATIONAL')

function heartbeats(ctx: SimContext) {
  const now = ctx.config.now()
  const mk = (id: number, name: string, intervalSec: number, lastPingAgoSec: number | null) => ({
    id,
    name,
    intervalSec,
    state: lastPingAgoSec === null ? 'UNKNOWN' : lastPingAgoSec > intervalSec ? 'OVERDUE' : 'HEALTHY',
    lastPingAt: lastPingAgoSec === null ? null : new Date(now - lastPingAgoSec * 1000).toISOString(),
    alertSummary: `${name} missed its heartbeat`,
    alertSource: { id: 101, name: SOURCES[0]!.name },
    teams: [{ id: 1, name: 'Platform' }],
    createdAt: '2025-06-01T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
  })
  return [mk(1, 'nightly-backup', 86_400, 3_600), mk(2, 'billing-export cron', 900, 2_700), mk(3, 'edge-gateway-07', 60, null)]
}

export function listHeartbeatMonitors(ctx: SimContext, req: Request): Response {
  return send(paged(heartbeats(ctx), new URL(req.url).searchParams, RESPONDER_CAPS.heartbeats))
}

export function getHeartbeatMonitor(ctx: SimContext, idParam: string): Response {
  const h = heartbeats(ctx).find((x) => x.id === numericId(idParam))
  return h ? json(h) : ilertError(404, `Heartbeat monitor ${idParam} not found`)
}

export interface SimMaintenanceWindow {
  id: number
  summary: string
  description: string
  start: string
  end: string
  timezone: string
  services: { id: number; name: string }[]
  alertSources: { id: number; name: string }[]
  createdBy: string
}

/** Maintenance windows of the simulated org (mutable, bounded). */
export class MaintenanceBook {
  windows: SimMaintenanceWindow[] = []
  private nextId = 1
  constructor(private readonly now: () => number) {
    this.reset()
  }
  reset() {
    this.windows = []
    this.nextId = 1
    const t = this.now()
    this.add({ summary: 'Email provider migration', description: 'Moving transactional email to the new provider.', start: t - 30 * 60_000, end: t + 90 * 60_000, services: [5], sources: [], createdBy: 'Ava Fischer' })
    this.add({ summary: 'Database minor upgrade', description: 'PostgreSQL 16.4 on db-01..03.', start: t - 3 * 86_400_000, end: t - 3 * 86_400_000 + 3_600_000, services: [], sources: [101], createdBy: 'Dmitri Ivanov' })
  }
  add(w: { summary: string; description: string; start: number; end: number; services: number[]; sources: number[]; createdBy: string }): SimMaintenanceWindow {
    if (this.windows.length >= 1000) this.windows.shift()
    const mw: SimMaintenanceWindow = {
      id: this.nextId++,
      summary: w.summary,
      description: w.description,
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      timezone: 'Europe/Berlin',
      services: w.services.map((id) => ({ id, name: SERVICES.find((s) => s.id === id)?.name ?? '' })),
      alertSources: w.sources.map((id) => ({ id, name: SOURCES.find((s) => s.id === id)?.name ?? '' })),
      createdBy: w.createdBy,
    }
    this.windows.push(mw)
    return mw
  }
}

const books = new WeakMap<SimContext, MaintenanceBook>()
const bookOf = (ctx: SimContext) => {
  let b = books.get(ctx)
  if (b === undefined) books.set(ctx, (b = new MaintenanceBook(ctx.config.now)))
  return b
}
export const resetMaintenance = (ctx: SimContext) => bookOf(ctx).reset()

export function listMaintenanceWindows(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const state = q.get('state')
  if (state !== null && state !== 'OPEN' && state !== 'CLOSED') return ilertError(400, `'state' must be OPEN or CLOSED, got '${state}'`)
  const now = ctx.config.now()
  const list = bookOf(ctx)
    .windows.filter((w) => state === null || (state === 'OPEN') === Date.parse(w.end) > now)
    .sort((a, b) => Date.parse(b.start) - Date.parse(a.start))
  return send(paged(list, q, RESPONDER_CAPS.maintenance))
}

type Body = { summary?: unknown; description?: unknown; start?: unknown; end?: unknown; services?: unknown; alertSources?: unknown }

function parseWindow(ctx: SimContext, body: Body, base?: SimMaintenanceWindow) {
  const start = body.start === undefined && base ? Date.parse(base.start) : typeof body.start === 'string' ? Date.parse(body.start) : NaN
  const end = body.end === undefined && base ? Date.parse(base.end) : typeof body.end === 'string' ? Date.parse(body.end) : NaN
  if (Number.isNaN(start) || Number.isNaN(end)) return ilertError(400, "'start' and 'end' must be ISO-8601 date-times")
  if (end <= start) return ilertError(400, "'end' must be after 'start'")
  const summary = typeof body.summary === 'string' ? body.summary : (base?.summary ?? '')
  if (summary.trim() === '') return ilertError(400, "'summary' is required")
  const ids = (v: unknown, fallback: { id: number }[] | undefined) => (Array.isArray(v) ? v.map((x) => Number((x as { id?: unknown })?.id)) : (fallback ?? []).map((x) => x.id))
  const services = ids(body.services, base?.services)
  const sources = ids(body.alertSources, base?.alertSources)
  if (services.some((id) => !SERVICES.some((s) => s.id === id))) return ilertError(400, 'unknown service id in services')
  if (sources.some((id) => !SOURCES.some((s) => s.id === id))) return ilertError(400, 'unknown alert source id in alertSources')
  if (services.length + sources.length === 0) return ilertError(400, 'a maintenance window needs at least one service or alert source')
  return { summary, description: typeof body.description === 'string' ? body.description : (base?.description ?? ''), start, end, services, sources }
}

async function readBody(req: Request): Promise<Body | Response> {
  try {
    const b = await req.json()
    return typeof b === 'object' && b !== null ? (b as Body) : ilertError(400, 'Body must be a JSON object')
  } catch {
    return ilertError(400, 'Request body is not valid JSON')
  }
}

export async function createMaintenanceWindow(ctx: SimContext, req: Request, createdBy: string): Promise<Response> {
  const body = await readBody(req)
  if (body instanceof Response) return body
  const w = parseWindow(ctx, body)
  if (w instanceof Response) return w
  return json(bookOf(ctx).add({ ...w, createdBy }))
}

export function getMaintenanceWindow(ctx: SimContext, idParam: string): Response {
  const w = bookOf(ctx).windows.find((x) => x.id === numericId(idParam))
  return w ? json(w) : ilertError(404, `Maintenance window ${idParam} not found`)
}

export async function updateMaintenanceWindow(ctx: SimContext, req: Request, idParam: string): Promise<Response> {
  const w = bookOf(ctx).windows.find((x) => x.id === numericId(idParam))
  if (w === undefined) return ilertError(404, `Maintenance window ${idParam} not found`)
  const body = await readBody(req)
  if (body instanceof Response) return body
  const p = parseWindow(ctx, body, w)
  if (p instanceof Response) return p
  Object.assign(w, {
    summary: p.summary,
    description: p.description,
    start: new Date(p.start).toISOString(),
    end: new Date(p.end).toISOString(),
    services: p.services.map((id) => ({ id, name: SERVICES.find((s) => s.id === id)?.name ?? '' })),
    alertSources: p.sources.map((id) => ({ id, name: SOURCES.find((s) => s.id === id)?.name ?? '' })),
  })
  return json(w)
}

export function deleteMaintenanceWindow(ctx: SimContext, idParam: string): Response {
  const book = bookOf(ctx)
  const i = book.windows.findIndex((x) => x.id === numericId(idParam))
  if (i === -1) return ilertError(404, `Maintenance window ${idParam} not found`)
  book.windows.splice(i, 1)
  return new Response(null, { status: 204 })
}
