/**
 * comment_on_alert and escalate_alert: two things a responder does to an alert by id that ilert's
 * REST API has no single call for (its published OpenAPI has no alert-comment or escalate path).
 * - A comment is an Events API COMMENT event for the alert's key on the alert's own source (its
 *   integration key read with `include=integrationKey`, which needs a user allowed to see it), sent
 *   through the bridge queue like send_event, signed with the connected user's name.
 * - Escalating assigns the alert to the next level of its escalation policy (the level after the
 *   one its assignee is on call for, per GET /on-calls): that level's schedule, else its first user.
 */
import { Type } from '@sinclair/typebox'
import type { Alert, EscalationPolicy, OnCall, UserRef } from './ilert-types'
import { Id } from './common'
import { AlertOut } from './output-schemas'
import { alertText } from './render'
import { defineTool, fail, ok, restError } from './types'

export const commentOnAlert = defineTool({
  name: 'comment_on_alert',
  description:
    'Add a comment to an ilert alert by its id (it shows in the alert\'s timeline, signed with your name), e.g. findings or next steps. ' +
    'Works on open alerts (PENDING or ACCEPTED). Markdown is kept. The comment is queued and reaches ilert within seconds.',
  input: Type.Object({ id: Id('alert'), comment: Type.String({ minLength: 1, maxLength: 16_000, description: 'The comment text.' }) }, { additionalProperties: false }),
  output: Type.Object({
    queued: Type.Boolean(),
    alert_id: Type.Integer(),
    alert_key: Type.String(),
    creator: Type.String(),
    url: Type.String({ description: 'The alert in the ilert web app.' }),
  }),
  annotations: { title: 'Comment on alert', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    const a = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${args.id}` })
    if (a.kind === 'error') return restError(a)
    const alert = a.value
    if (alert.status === 'RESOLVED') return fail('alert_resolved', `Alert #${alert.id} is resolved; ilert takes comments on open alerts only.`)
    if (!alert.alertKey || !alert.alertSource?.id) return fail('no_alert_key', `Alert #${alert.id} has no alert key or source, so a comment cannot be attached to it.`)
    const src = await ctx.ilert<{ integrationKey?: string }>({ method: 'GET', path: `/alert-sources/${alert.alertSource.id}`, query: { include: ['integrationKey'] } })
    if (src.kind === 'error') return restError(src)
    if (!src.value.integrationKey) return fail('forbidden', `Your ilert user may not read the integration key of alert source #${alert.alertSource.id}, which a comment needs.`)
    const me = await ctx.ilert<UserRef>({ method: 'GET', path: '/users/current' })
    const creator = me.kind === 'ok' ? `${me.value.firstName ?? ''} ${me.value.lastName ?? ''}`.trim() || 'mcp-ilert' : 'mcp-ilert'
    const event = { event_type: 'comment', alert_key: alert.alertKey, integration_key: src.value.integrationKey, summary: `Comment by ${creator}`, comments: [{ creator, content: args.comment }] }
    const out = ctx.ingestor.accept(event, 'mcp')
    if (out.kind === 'full') return fail('queue_full', 'The bridge queue is full right now; nothing was queued. Retry in a few seconds.')
    if (out.kind === 'invalid') return fail(out.reason, `Comment refused: ${out.field} ${out.message}.`)
    const c = await ctx.ingestor.commit('mcp')
    if (c.kind === 'error') return fail(c.reason, `The bridge could not store the comment (${c.reason}); nothing was queued. Retry later.`)
    const url = ctx.link('alert', alert.id)
    return ok({ queued: true, alert_id: alert.id, alert_key: alert.alertKey, creator, url }, `Comment queued for alert #${alert.id} (${alert.alertKey}) as ${creator}; it appears in the alert's log within seconds: ${url}`)
  },
})

export const escalateAlert = defineTool({
  name: 'escalate_alert',
  description:
    'Escalate an open ilert alert to the next level of its escalation policy now: it is assigned to that level\'s on-call schedule (or its first user), who gets paged. ' +
    'Use when the current responder cannot handle it. Fails when the alert is already at the last level.',
  input: Type.Object({ id: Id('alert') }, { additionalProperties: false }),
  output: Type.Object({
    alert: AlertOut,
    url: Type.String({ description: 'The alert in the ilert web app.' }),
    escalated_to_level: Type.Integer({ description: '1-based level of the escalation policy now holding the alert.' }),
    target: Type.Object({ schedule: Type.Optional(Type.String()), user: Type.Optional(Type.String()) }, { description: 'Who it was assigned to: a schedule id or a user id.' }),
  }),
  annotations: { title: 'Escalate alert', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    const a = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${args.id}` })
    if (a.kind === 'error') return restError(a)
    const alert = a.value
    if (alert.status === 'RESOLVED') return fail('alert_resolved', `Alert #${alert.id} is resolved; there is nothing to escalate.`)
    const pid = alert.escalationPolicy?.id
    if (pid === undefined) return fail('no_policy', `Alert #${alert.id} has no escalation policy; use assign_alert to hand it to someone.`)
    const [pol, calls] = await Promise.all([
      ctx.ilert<EscalationPolicy>({ method: 'GET', path: `/escalation-policies/${pid}` }),
      ctx.ilert<OnCall[]>({ method: 'GET', path: '/on-calls', query: { policies: [String(pid)] } }),
    ])
    if (pol.kind === 'error') return restError(pol)
    if (calls.kind === 'error') return restError(calls)
    const rules = pol.value.escalationRules ?? []
    const assignee = alert.assignedTo?.id
    const levels = (calls.value ?? []).filter((o) => o.user?.id === assignee && typeof o.escalationLevel === 'number').map((o) => o.escalationLevel!)
    const current = levels.length ? Math.min(...levels) : 0 // 1-based; 0 = not on any level
    const next = rules[current] // the rule after the current level (0-based index = current)
    if (next === undefined) return fail('last_level', `Alert #${alert.id} is already at the last level (${current}) of escalation policy #${pid} ${pol.value.name ?? ''}.`.trim())
    const target = next.schedules?.[0] !== undefined ? { schedule: String(next.schedules[0].id) } : next.users?.[0] !== undefined ? { user: String(next.users[0].id) } : undefined
    if (target === undefined) return fail('empty_level', `Level ${current + 1} of escalation policy #${pid} names nobody.`)
    const r = await ctx.ilert<Alert>({ method: 'PUT', path: `/alerts/${args.id}/assign`, query: target })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('alert', r.value.id)
    return ok({ alert: r.value, url, escalated_to_level: current + 1, target }, `Escalated to level ${current + 1} of policy #${pid}.\n${alertText(r.value, url)}`)
  },
})
