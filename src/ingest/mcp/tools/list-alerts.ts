/** list_alerts: ilert alerts, newest first, filtered by state, source, policy and report time. */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { Alert } from './ilert-types'
import { paging } from './common'
import { alertLine } from './render'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError } from './types'

export const listAlerts = defineTool({
  name: 'list_alerts',
  description:
    'List ilert alerts, newest first. Filter by states (PENDING = not yet accepted and escalating, ACCEPTED = someone is working on it, RESOLVED), ' +
    'alert source ids, escalation policy ids and a report-time window (ISO-8601 UTC). Use this to triage: e.g. states ["PENDING"] for what still pages people. ' +
    'Results are paged; when next_start_index is set, call again with it for more.',
  input: Type.Object(
    {
      states: Type.Optional(Type.Array(Type.Union([Type.Literal('PENDING'), Type.Literal('ACCEPTED'), Type.Literal('RESOLVED')]), { maxItems: 3 })),
      source_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50, description: 'Alert source ids.' })),
      escalation_policy_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 })),
      from: Type.Optional(Type.String({ format: 'date-time', description: 'Reported at or after (ISO-8601 UTC).' })),
      until: Type.Optional(Type.String({ format: 'date-time', description: 'Reported at or before (ISO-8601 UTC).' })),
      ...paging('alerts'),
    },
    { additionalProperties: false },
  ),
  annotations: READ_ONLY('List alerts'),
  async run(args, ctx) {
    const page = clampPage('alerts', args.start_index, args.max_results ?? 20)
    const r = await ctx.ilert<Alert[]>({
      method: 'GET',
      path: '/alerts',
      query: { ...page, states: args.states, sources: args.source_ids, policies: args.escalation_policy_ids, from: args.from, until: args.until },
    })
    if (r.kind === 'error') return restError(r)
    const alerts = r.value ?? []
    const p = pageInfo(page['start-index'], page['max-results'], alerts.length)
    const text = alerts.length === 0 ? 'No alerts match.' : `${alerts.length} alert(s):\n${alerts.map(alertLine).join('\n')}${pageNote(p)}`
    return ok({ alerts, count: alerts.length, ...p }, text)
  },
})
