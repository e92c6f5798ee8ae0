/**
 * Read-only lookups a responder needs to name things in the next call: alert sources (the ids
 * list_alerts filters by), teams with their members, status pages with their services, and heartbeat
 * monitors with their state (HEALTHY, OVERDUE = a ping is late, UNKNOWN = never pinged). Every item
 * keeps its id in the text, so the model can pass it on.
 */
import { Type } from '@sinclair/typebox'
import { clampPage, type PagedEndpoint } from '../../../ilert/pagination'
import { Id, paging } from './common'
import { AlertSourceOut, HeartbeatOut, listOf, StatusPageOut, TeamOut } from './output-schemas'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError, type ToolContext, type ToolOutcome } from './types'

type Item = Record<string, any>

async function list(ctx: ToolContext, endpoint: PagedEndpoint, path: string, key: string, args: { start_index?: number; max_results?: number }, line: (t: Item) => string): Promise<ToolOutcome> {
  const page = clampPage(endpoint, args.start_index, args.max_results)
  const r = await ctx.ilert<Item[]>({ method: 'GET', path, query: page })
  if (r.kind === 'error') return restError(r)
  const items = r.value ?? []
  const p = pageInfo(page['start-index'], page['max-results'], items.length, ctx.now())
  return ok({ [key]: items, count: items.length, ...p }, items.length ? `${items.map(line).join('\n')}${pageNote(p)}` : `No ${key.replace(/_/g, ' ')} (server time ${p.server_time}).`)
}

const names = (xs: Item[] | undefined, f: (x: Item) => string) => (xs ?? []).map(f).join(', ') || 'none'

const sourceLine = (s: Item) => `#${s.id} ${s.name ?? ''} [${s.status ?? '?'}${s.active === false ? ', inactive' : ''}] · ${s.integrationType ?? '?'} · escalation policy ${s.escalationPolicy ? `#${s.escalationPolicy.id} ${s.escalationPolicy.name ?? ''}` : 'none'}`
const teamLine = (t: Item) => `#${t.id} ${t.name ?? ''} · members: ${names(t.members, (m) => `#${m.user?.id} ${m.user?.firstName ?? ''} ${m.user?.lastName ?? ''}`.trim())}`
const pageLine = (p: Item) => `#${p.id} ${p.name ?? ''} [${p.status ?? '?'}, ${p.visibility ?? '?'}]${p.domain ? ` · ${p.domain}` : ''} · services: ${names(p.services, (s) => `#${s.id} ${s.name ?? ''} (${s.status ?? '?'})`)}`
export const heartbeatLine = (h: Item) =>
  `#${h.id} ${h.name ?? ''} [${h.state ?? '?'}] · every ${h.intervalSec ?? '?'} s · last ping ${h.lastPingAt ?? 'never'} · alert source ${h.alertSource ? `#${h.alertSource.id}` : 'none'}`

export const listAlertSources = defineTool({
  name: 'list_alert_sources',
  description: 'List ilert alert sources (the integrations alerts come from, e.g. Prometheus) with id, type, status and escalation policy. Use the ids with list_alerts source_ids.',
  input: Type.Object({ ...paging('alertSources') }, { additionalProperties: false }),
  output: listOf('alert_sources', AlertSourceOut),
  annotations: READ_ONLY('List alert sources'),
  run: (args, ctx) => list(ctx, 'alertSources', '/alert-sources', 'alert_sources', args, sourceLine),
})

export const listTeams = defineTool({
  name: 'list_teams',
  description: 'List ilert teams with their members (user ids and names), e.g. to find who to add as responders for a team.',
  input: Type.Object({ ...paging('teams') }, { additionalProperties: false }),
  output: listOf('teams', TeamOut),
  annotations: READ_ONLY('List teams'),
  run: (args, ctx) => list(ctx, 'teams', '/teams', 'teams', args, teamLine),
})

export const listStatusPages = defineTool({
  name: 'list_status_pages',
  description: 'List ilert status pages (public or private) with their overall status and the services each shows. Status-page incidents are listed by list_incidents.',
  input: Type.Object({ ...paging('statusPages') }, { additionalProperties: false }),
  output: listOf('status_pages', StatusPageOut),
  annotations: READ_ONLY('List status pages'),
  run: (args, ctx) => list(ctx, 'statusPages', '/status-pages', 'status_pages', args, pageLine),
})

export const listHeartbeatMonitors = defineTool({
  name: 'list_heartbeat_monitors',
  description: 'List ilert heartbeat monitors (cron jobs, backups, devices that must ping regularly) with their state: HEALTHY, OVERDUE (a ping is late: the job may have died) or UNKNOWN (never pinged).',
  input: Type.Object({ ...paging('heartbeatMonitors') }, { additionalProperties: false }),
  output: listOf('heartbeat_monitors', HeartbeatOut),
  annotations: READ_ONLY('List heartbeat monitors'),
  run: (args, ctx) => list(ctx, 'heartbeatMonitors', '/heartbeat-monitors', 'heartbeat_monitors', args, heartbeatLine),
})

export const getHeartbeatMonitor = defineTool({
  name: 'get_heartbeat_monitor',
  description: 'Get one ilert heartbeat monitor by id: its state, interval, last ping and the alert source it opens alerts on.',
  input: Type.Object({ id: Id('heartbeat monitor') }, { additionalProperties: false }),
  output: Type.Object({ heartbeat_monitor: HeartbeatOut }),
  annotations: READ_ONLY('Get heartbeat monitor'),
  async run(args, ctx) {
    const r = await ctx.ilert<Item>({ method: 'GET', path: `/heartbeat-monitors/${args.id}` })
    if (r.kind === 'error') return restError(r)
    return ok({ heartbeat_monitor: r.value }, heartbeatLine(r.value))
  },
})
