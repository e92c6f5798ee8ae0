/**
 * Status-page incidents (ilert's "incidents", not alerts): list_incidents, get_incident,
 * create_incident and update_incident. ilert's PUT is a full replace, so update_incident reads
 * the incident, builds the whole body explicitly from it plus the changes, and sends it with
 * If-Match so a concurrent edit is refused (412) rather than overwritten.
 */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { Incident } from './ilert-types'
import { Id, paging } from './common'
import { IncidentOut, listOf } from './output-schemas'
import { incidentLine, incidentText } from './render'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError } from './types'

const Status = Type.Union(['INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED'].map((s) => Type.Literal(s)), {
  description: 'INVESTIGATING → IDENTIFIED → MONITORING → RESOLVED.',
})
const Impact = Type.Union(['OPERATIONAL', 'UNDER_MAINTENANCE', 'DEGRADED', 'PARTIAL_OUTAGE', 'MAJOR_OUTAGE'].map((s) => Type.Literal(s)))
const Affected = Type.Array(Type.Object({ service_id: Id('service'), impact: Impact }, { additionalProperties: false }), {
  maxItems: 50,
  description: 'Services this incident affects and how (use list_services for ids).',
})

const IncidentResult = Type.Object({ incident: IncidentOut, url: Type.String({ description: 'The incident in the ilert web app.' }) })

type AffectedIn = { service_id: number; impact: string }[]
const toIlert = (a: AffectedIn) => a.map((x) => ({ impact: x.impact, service: { id: x.service_id } }))

export const listIncidents = defineTool({
  name: 'list_incidents',
  description: 'List status-page incidents (public or private status communication, not alerts), newest first, optionally by state or affected service ids.',
  input: Type.Object(
    { states: Type.Optional(Type.Array(Status, { maxItems: 4 })), service_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })), ...paging('incidents') },
    { additionalProperties: false },
  ),
  output: listOf('incidents', IncidentOut),
  annotations: READ_ONLY('List incidents'),
  async run(args, ctx) {
    const page = clampPage('incidents', args.start_index, args.max_results)
    const r = await ctx.ilert<Incident[]>({ method: 'GET', path: '/incidents', query: { ...page, states: args.states, services: args.service_ids } })
    if (r.kind === 'error') return restError(r)
    const items = (r.value ?? []).map((i) => ({ ...i, url: ctx.link('incident', i.id) }))
    const p = pageInfo(page['start-index'], page['max-results'], items.length, ctx.now())
    return ok({ incidents: items, count: items.length, ...p }, items.length ? `${items.map((i) => incidentLine(i, i.url)).join('\n')}${pageNote(p)}` : `No incidents match (server time ${p.server_time}).`)
  },
})

export const getIncident = defineTool({
  name: 'get_incident',
  description: 'Get one status-page incident: status, message, affected services and timestamps.',
  input: Type.Object({ id: Id('incident') }, { additionalProperties: false }),
  output: IncidentResult,
  annotations: READ_ONLY('Get incident'),
  async run(args, ctx) {
    const r = await ctx.ilert<Incident>({ method: 'GET', path: `/incidents/${args.id}` })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('incident', r.value.id)
    return ok({ incident: r.value, url }, incidentText(r.value, url))
  },
})

export const createIncident = defineTool({
  name: 'create_incident',
  description:
    'Create a PUBLIC status-page incident: a post that tells customers or stakeholders about a problem on the status pages of the affected services. ' +
    'It is not for internal coordination: to get people working on an alert use add_alert_responder, assign_alert, escalate_alert or comment_on_alert. ' +
    'With send_notification true, subscribers are notified. Confirm wording with the user first: this is public communication.',
  input: Type.Object(
    {
      summary: Type.String({ minLength: 1, maxLength: 255, description: 'Headline, e.g. "Card payments failing for some customers".' }),
      status: Type.Optional(Status),
      message: Type.Optional(Type.String({ maxLength: 10_000, description: 'Update text shown with the incident.' })),
      affected_services: Type.Optional(Affected),
      send_notification: Type.Optional(Type.Boolean({ description: 'Notify subscribers (default false).' })),
    },
    { additionalProperties: false },
  ),
  output: IncidentResult,
  annotations: { title: 'Create incident', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    const body = {
      summary: args.summary,
      status: args.status ?? 'INVESTIGATING',
      message: args.message ?? '',
      sendNotification: args.send_notification ?? false,
      affectedServices: toIlert(args.affected_services ?? []),
    }
    const r = await ctx.ilert<Incident>({ method: 'POST', path: '/incidents', body })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('incident', r.value.id)
    return ok({ incident: r.value, url }, `Created.\n${incidentText(r.value, url)}`)
  },
})

export const updateIncident = defineTool({
  name: 'update_incident',
  description:
    'Update a status-page incident: change its status (e.g. to MONITORING or RESOLVED), summary, message or affected services. ' +
    'Fields you leave out keep their current values. Replaces the incident as a whole in ilert, so it is marked destructive.',
  input: Type.Object(
    {
      id: Id('incident'),
      status: Type.Optional(Status),
      summary: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      message: Type.Optional(Type.String({ maxLength: 10_000 })),
      affected_services: Type.Optional(Affected),
      send_notification: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: IncidentResult,
  annotations: { title: 'Update incident', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const cur = await ctx.ilert<Incident>({ method: 'GET', path: `/incidents/${args.id}` })
    if (cur.kind === 'error') return restError(cur)
    const i = cur.value
    const body = {
      summary: args.summary ?? i.summary ?? '',
      status: args.status ?? i.status ?? 'INVESTIGATING',
      message: args.message ?? i.message ?? '',
      sendNotification: args.send_notification ?? false,
      affectedServices: args.affected_services
        ? toIlert(args.affected_services)
        : (i.affectedServices ?? []).filter((a) => a.service?.id !== undefined).map((a) => ({ impact: a.impact, service: { id: a.service!.id } })),
    }
    const r = await ctx.ilert<Incident>({ method: 'PUT', path: `/incidents/${args.id}`, body, ...(cur.etag ? { headers: { 'if-match': cur.etag } } : {}) })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('incident', r.value.id)
    return ok({ incident: r.value, url }, `Updated.\n${incidentText(r.value, url)}`)
  },
})
