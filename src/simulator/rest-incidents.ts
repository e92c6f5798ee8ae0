/**
 * Status-page incidents of ilert's REST API (not alerts): GET /incidents (states, services,
 * paging 10/100), POST /incidents (201), GET /incidents/{id} with an ETag, and PUT
 * /incidents/{id} as ilert's full replace, refused with 412 when If-Match names an older version.
 * An unresolved incident's impacts drive its services' status (org.ts).
 */
import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { SimContext } from './context'
import { ilertError, json, listParam } from './http'
import type { SimIncident } from './org'
import { CAPS, paged } from './rest-org'

const Status = Type.Union(['INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED'].map((s) => Type.Literal(s)))
const Impact = Type.Union(['OPERATIONAL', 'UNDER_MAINTENANCE', 'DEGRADED', 'PARTIAL_OUTAGE', 'MAJOR_OUTAGE'].map((s) => Type.Literal(s)))
const IncidentBody = TypeCompiler.Compile(
  Type.Object({
    summary: Type.String({ minLength: 1 }),
    status: Status,
    message: Type.Optional(Type.String()),
    sendNotification: Type.Optional(Type.Boolean()),
    affectedServices: Type.Optional(Type.Array(Type.Object({ impact: Impact, service: Type.Object({ id: Type.Integer() }) }))),
  }),
)
type Body = { summary: string; status: SimIncident['status']; message?: string; sendNotification?: boolean; affectedServices?: { impact: SimIncident['affectedServices'][number]['impact']; service: { id: number } }[] }

const etag = (i: SimIncident) => `"incident-${i.id}-v${i.version}"`
const withEtag = (ctx: SimContext, i: SimIncident, status = 200) => {
  const res = json(ctx.org.incidentJson(i), status)
  res.headers.set('etag', etag(i))
  return res
}

async function readBody(ctx: SimContext, req: Request): Promise<Body | Response> {
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return ilertError(400, 'Request body is not valid JSON')
  }
  if (!IncidentBody.Check(body)) {
    const e = IncidentBody.Errors(body).First()
    return ilertError(400, `Invalid incident: ${e ? `${e.path || '/'} ${e.message}` : 'bad body'}`)
  }
  for (const a of body.affectedServices ?? []) if (!ctx.org.service(a.service.id)) return ilertError(404, `Service ${a.service.id} not found`)
  return body as Body
}

export function listIncidents(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const states = new Set(listParam(q, 'states'))
  const services = new Set(listParam(q, 'services').map(Number))
  const items = ctx.org.incidents
    .filter((i) => (states.size === 0 || states.has(i.status)) && (services.size === 0 || i.affectedServices.some((a) => services.has(a.service.id))))
    .slice()
    .reverse()
  const page = paged(items, q, CAPS.incidents)
  return page instanceof Response ? page : json(page.map(ctx.org.incidentJson))
}

export function getIncident(ctx: SimContext, idParam: string): Response {
  const i = ctx.org.incident(Number(idParam))
  return i ? withEtag(ctx, i) : ilertError(404, `Incident ${idParam} not found`)
}

export async function createIncident(ctx: SimContext, req: Request): Promise<Response> {
  const b = await readBody(ctx, req)
  if (b instanceof Response) return b
  const affected = (b.affectedServices ?? []).map((a) => ({ serviceId: a.service.id, impact: a.impact }))
  return withEtag(ctx, ctx.org.addIncident(b.summary, b.status, b.message ?? '', b.sendNotification ?? false, affected), 201)
}

export async function updateIncident(ctx: SimContext, req: Request, idParam: string): Promise<Response> {
  const i = ctx.org.incident(Number(idParam))
  if (!i) return ilertError(404, `Incident ${idParam} not found`)
  const match = req.headers.get('if-match')
  if (match !== null && match !== etag(i)) return ilertError(412, 'The incident changed since it was read (If-Match does not match); read it again')
  const b = await readBody(ctx, req)
  if (b instanceof Response) return b
  const now = new Date(ctx.config.now()).toISOString()
  i.summary = b.summary
  i.message = b.message ?? ''
  i.sendNotification = b.sendNotification ?? false
  i.affectedServices = (b.affectedServices ?? []).map((a) => ({ impact: a.impact, service: { id: a.service.id, name: ctx.org.service(a.service.id)!.name } }))
  if (b.status === 'RESOLVED' && i.status !== 'RESOLVED') i.resolvedOn = now
  if (b.status !== 'RESOLVED') i.resolvedOn = null
  i.status = b.status
  i.updatedAt = now
  i.version++
  return withEtag(ctx, i)
}
