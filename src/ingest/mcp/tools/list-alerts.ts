/** list_alerts: ilert alerts, newest first, filtered by state, source, policy and report time (absolute or relative). */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { Alert } from './ilert-types'
import { paging, Since, sinceToIso } from './common'
import { AlertOut, listOf } from './output-schemas'
import { alertLine } from './render'
import { defineTool, fail, ok, pageInfo, pageNote, READ_ONLY, restError, type ToolContext } from './types'

export const AlertState = Type.Union([Type.Literal('PENDING'), Type.Literal('ACCEPTED'), Type.Literal('RESOLVED')])

/** Alerts with their web-app link, as list results carry them. */
export const withUrls = (ctx: ToolContext, alerts: Alert[]) => alerts.map((a) => ({ ...a, url: ctx.link('alert', a.id) }))

export const listAlerts = defineTool({
  name: 'list_alerts',
  description:
    'List ilert alerts, newest first. Filter by states (PENDING = not yet accepted and escalating, ACCEPTED = someone is working on it, RESOLVED), ' +
    'alert source ids, escalation policy ids and report time: since (relative, e.g. "1h") or from/until (ISO-8601 UTC). Use this to triage: e.g. states ["PENDING"] for what still pages people. ' +
    'Each alert comes with its labels, source, assignee and web-app url; server_time says when the list was read. Results are paged; when next_start_index is set, call again with it for more.',
  input: Type.Object(
    {
      states: Type.Optional(Type.Array(AlertState, { maxItems: 3 })),
      source_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50, description: 'Alert source ids.' })),
      escalation_policy_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
      since: Type.Optional(Since),
      from: Type.Optional(Type.String({ format: 'date-time', description: 'Reported at or after (ISO-8601 UTC).' })),
      until: Type.Optional(Type.String({ format: 'date-time', description: 'Reported at or before (ISO-8601 UTC).' })),
      ...paging('alerts'),
    },
    { additionalProperties: false },
  ),
  output: listOf('alerts', AlertOut),
  annotations: READ_ONLY('List alerts'),
  async run(args, ctx) {
    if (args.since !== undefined && args.from !== undefined) return fail('invalid_arguments', 'Give since or from, not both.')
    const now = ctx.now()
    const from = args.since !== undefined ? sinceToIso(args.since, now) : args.from
    const page = clampPage('alerts', args.start_index, args.max_results ?? 20)
    const r = await ctx.ilert<Alert[]>({
      method: 'GET',
      path: '/alerts',
      query: { ...page, states: args.states, sources: args.source_ids, policies: args.escalation_policy_ids, from, until: args.until },
    })
    if (r.kind === 'error') return restError(r)
    const alerts = withUrls(ctx, r.value ?? [])
    const p = pageInfo(page['start-index'], page['max-results'], alerts.length, now)
    const text = alerts.length === 0 ? `No alerts match (server time ${p.server_time}).` : `${alerts.length} alert(s):\n${alerts.map((a) => alertLine(a, a.url)).join('\n')}${pageNote(p)}`
    return ok({ alerts, count: alerts.length, ...p }, text)
  },
})
