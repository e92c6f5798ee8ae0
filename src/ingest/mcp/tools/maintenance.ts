/**
 * Maintenance windows: list (OPEN = ongoing or upcoming, CLOSED = past), create, and end. While a
 * window runs, ilert opens no alerts for its services and alert sources, so creating one silences
 * paging for them: the descriptions tell the model to confirm. Ending one early sets its end to now
 * (it stays in the history); a window that has not started yet is deleted instead.
 */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import { Id, paging } from './common'
import { listOf, WindowOut } from './output-schemas'
import { defineTool, fail, ok, pageInfo, pageNote, READ_ONLY, restError } from './types'

type Window = { id: number; summary?: string; description?: string; start?: string; end?: string; services?: { id: number; name?: string }[]; alertSources?: { id: number; name?: string }[]; createdBy?: string }

const refs = (xs: { id: number; name?: string }[] | undefined) => (xs ?? []).map((x) => `#${x.id} ${x.name ?? ''}`.trim()).join(', ')
export const windowLine = (w: Window) =>
  `#${w.id} "${w.summary ?? ''}" ${w.start ?? '?'} → ${w.end ?? '?'}${w.services?.length ? ` · services ${refs(w.services)}` : ''}${w.alertSources?.length ? ` · alert sources ${refs(w.alertSources)}` : ''}${w.createdBy ? ` · by ${w.createdBy}` : ''}`

export const listMaintenanceWindows = defineTool({
  name: 'list_maintenance_windows',
  description: 'List ilert maintenance windows: state OPEN (ongoing or upcoming) or CLOSED (past); without state, all. Shows which services and alert sources each one silences.',
  input: Type.Object({ state: Type.Optional(Type.Union([Type.Literal('OPEN'), Type.Literal('CLOSED')])), ...paging('maintenanceWindows') }, { additionalProperties: false }),
  output: listOf('maintenance_windows', WindowOut),
  annotations: READ_ONLY('List maintenance windows'),
  async run(args, ctx) {
    const page = clampPage('maintenanceWindows', args.start_index, args.max_results)
    const r = await ctx.ilert<Window[]>({ method: 'GET', path: '/maintenance-windows', query: { ...page, state: args.state } })
    if (r.kind === 'error') return restError(r)
    const items = r.value ?? []
    const p = pageInfo(page['start-index'], page['max-results'], items.length, ctx.now())
    return ok({ maintenance_windows: items, count: items.length, ...p }, items.length ? `${items.map(windowLine).join('\n')}${pageNote(p)}` : `No maintenance windows (server time ${p.server_time}).`)
  },
})

export const createMaintenanceWindow = defineTool({
  name: 'create_maintenance_window',
  description:
    'Create an ilert maintenance window: while it runs, ilert opens NO alerts for the given services and alert sources, so nobody is paged for them. ' +
    'Confirm the scope and times with the user first. Give end or duration_minutes; start defaults to now.',
  input: Type.Object(
    {
      summary: Type.String({ minLength: 1, maxLength: 255, description: 'What the maintenance is, e.g. "PostgreSQL upgrade on db-02".' }),
      description: Type.Optional(Type.String({ maxLength: 4000 })),
      start: Type.Optional(Type.String({ format: 'date-time', description: 'Start (ISO-8601); default now.' })),
      end: Type.Optional(Type.String({ format: 'date-time', description: 'End (ISO-8601).' })),
      duration_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 * 24 * 31, description: 'Length from start, instead of end.' })),
      service_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
      alert_source_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ maintenance_window: WindowOut }),
  annotations: { title: 'Create maintenance window', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    if ((args.end === undefined) === (args.duration_minutes === undefined)) return fail('invalid_arguments', 'Give exactly one of end and duration_minutes.')
    if (!args.service_ids?.length && !args.alert_source_ids?.length) return fail('invalid_arguments', 'Give service_ids or alert_source_ids (list_services, list_alert_sources): a window silences those.')
    const start = args.start !== undefined ? Date.parse(args.start) : Date.now()
    const end = args.end !== undefined ? Date.parse(args.end) : start + args.duration_minutes! * 60_000
    const body = {
      summary: args.summary,
      description: args.description ?? '',
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      timezone: 'UTC',
      services: (args.service_ids ?? []).map((id) => ({ id })),
      alertSources: (args.alert_source_ids ?? []).map((id) => ({ id })),
    }
    const r = await ctx.ilert<Window>({ method: 'POST', path: '/maintenance-windows', body })
    if (r.kind === 'error') return restError(r)
    return ok({ maintenance_window: r.value }, `Created maintenance window ${windowLine(r.value)}`)
  },
})

export const endMaintenanceWindow = defineTool({
  name: 'end_maintenance_window',
  description: 'End an ilert maintenance window now, so alerts for its services and sources page again. A window that has not started yet is cancelled (deleted).',
  input: Type.Object({ id: Id('maintenance window') }, { additionalProperties: false }),
  output: Type.Object({ maintenance_window: WindowOut, ended: Type.Boolean(), cancelled: Type.Optional(Type.Boolean()) }),
  annotations: { title: 'End maintenance window', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const got = await ctx.ilert<Window>({ method: 'GET', path: `/maintenance-windows/${args.id}` })
    if (got.kind === 'error') return restError(got)
    const w = got.value
    const now = Date.now()
    if (w.end !== undefined && Date.parse(w.end) <= now) return ok({ maintenance_window: w, ended: false }, `Already over: ${windowLine(w)}`)
    if (w.start !== undefined && Date.parse(w.start) > now) {
      const del = await ctx.ilert<unknown>({ method: 'DELETE', path: `/maintenance-windows/${args.id}` })
      if (del.kind === 'error') return restError(del)
      return ok({ maintenance_window: w, ended: true, cancelled: true }, `Cancelled (it had not started): ${windowLine(w)}`)
    }
    const r = await ctx.ilert<Window>({ method: 'PUT', path: `/maintenance-windows/${args.id}`, body: { ...w, end: new Date(now).toISOString() } })
    if (r.kind === 'error') return restError(r)
    return ok({ maintenance_window: r.value, ended: true, cancelled: false }, `Ended: ${windowLine(r.value)}`)
  },
})
