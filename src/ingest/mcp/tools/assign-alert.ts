/**
 * assign_alert: hand an alert to a user, or to whoever an escalation policy or on-call schedule
 * currently pages. It replaces the current assignee, so it is marked destructive.
 */
import { Type } from '@sinclair/typebox'
import type { Alert } from './ilert-types'
import { Id } from './common'
import { AlertResult } from './alert-actions'
import { alertText } from './render'
import { defineTool, fail, ok, restError } from './types'

export const assignAlert = defineTool({
  name: 'assign_alert',
  description:
    'Assign an ilert alert to exactly one of: a user (user_id), an escalation policy (escalation_policy_id: its current first level takes it) ' +
    'or an on-call schedule (schedule_id: whoever is on call now takes it). Replaces the current assignee. Use find_user_by_email, list_users, ' +
    'list_escalation_policies or list_schedules to find the id.',
  input: Type.Object(
    {
      id: Id('alert'),
      user_id: Type.Optional(Type.Integer({ minimum: 1 })),
      escalation_policy_id: Type.Optional(Type.Integer({ minimum: 1 })),
      schedule_id: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
  output: AlertResult,
  annotations: { title: 'Assign alert', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const targets = { user: args.user_id, policy: args.escalation_policy_id, schedule: args.schedule_id }
    const given = Object.entries(targets).filter(([, v]) => v !== undefined)
    if (given.length !== 1) return fail('invalid_arguments', 'Give exactly one of user_id, escalation_policy_id or schedule_id.')
    const r = await ctx.ilert<Alert>({ method: 'PUT', path: `/alerts/${args.id}/assign`, query: Object.fromEntries(given) })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('alert', r.value.id)
    return ok({ alert: r.value, url }, `Assigned.\n${alertText(r.value, url)}`)
  },
})
