/** who_is_on_call: who holds on-call duty, per escalation level, now or at a given time. */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { OnCall } from './ilert-types'
import { OnCallOut } from './output-schemas'
import { onCallLine } from './render'
import { defineTool, ok, READ_ONLY, restError } from './types'

export const whoIsOnCall = defineTool({
  name: 'who_is_on_call',
  description:
    'Who is on call in ilert, now or at a given time: one row per escalation level (and schedule) with the user and their shift. ' +
    'Filter by escalation_policy_id (who an alert on that policy pages, level 1 first) or schedule_id; with neither, every policy and schedule. ' +
    'Use list_escalation_policies or list_schedules for ids.',
  input: Type.Object(
    {
      escalation_policy_id: Type.Optional(Type.Integer({ minimum: 1 })),
      schedule_id: Type.Optional(Type.Integer({ minimum: 1 })),
      at: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601 UTC time to ask about (default now), e.g. 2026-03-01T22:00:00Z.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    at: Type.String({ description: 'The time asked about (ISO-8601 UTC): the argument, else the server time.' }),
    server_time: Type.String(),
    on_calls: Type.Array(OnCallOut),
    count: Type.Integer(),
  }),
  annotations: READ_ONLY('Who is on call'),
  async run(args, ctx) {
    const r = await ctx.ilert<OnCall[]>({
      method: 'GET',
      path: '/on-calls',
      query: { ...clampPage('onCalls', 0, 250), policies: args.escalation_policy_id, schedules: args.schedule_id, from: args.at, until: args.at, expand: 'user' },
    })
    if (r.kind === 'error') return restError(r)
    const rows = (r.value ?? []).slice().sort((a, b) => (a.escalationPolicy?.id ?? 1e9) - (b.escalationPolicy?.id ?? 1e9) || (a.escalationLevel ?? 99) - (b.escalationLevel ?? 99))
    const serverTime = new Date(ctx.now()).toISOString()
    const when = args.at ?? serverTime
    const label = args.at ?? `now, ${serverTime}`
    return ok(
      { at: when, server_time: serverTime, on_calls: rows, count: rows.length },
      rows.length ? `On call (${label}):\n${rows.map(onCallLine).join('\n')}` : `Nobody is on call (${label}) for that filter.`,
    )
  },
})
