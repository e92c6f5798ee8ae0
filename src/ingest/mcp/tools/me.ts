/**
 * get_current_user and list_my_alerts: who the connected credential is in ilert, and the alerts
 * assigned to that person or where they are a responder (ilert's `responders` filter), so "what is
 * on my plate?" is one call.
 */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { Alert, UserRef } from './ilert-types'
import { paging, Since, sinceToIso } from './common'
import { withUrls, AlertState } from './list-alerts'
import { AlertOut, listOf, UserRefOut } from './output-schemas'
import { alertLine, userLine } from './render'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError } from './types'

export const getCurrentUser = defineTool({
  name: 'get_current_user',
  description: 'Who am I in ilert: the user behind the connected API key (id, name, email, role, time zone). Use the id for "my" alerts or to assign to myself.',
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ user: UserRefOut }),
  annotations: READ_ONLY('Current user'),
  async run(_args, ctx) {
    const r = await ctx.ilert<UserRef>({ method: 'GET', path: '/users/current' })
    if (r.kind === 'error') return restError(r)
    return ok({ user: r.value }, `You are ${userLine(r.value)}`)
  },
})

export const listMyAlerts = defineTool({
  name: 'list_my_alerts',
  description:
    'List the alerts on the connected user\'s plate: assigned to them or with them as a responder, newest first. Default states PENDING and ACCEPTED (open); pass states to change that.',
  input: Type.Object(
    { states: Type.Optional(Type.Array(AlertState, { maxItems: 3 })), since: Type.Optional(Since), ...paging('alerts') },
    { additionalProperties: false },
  ),
  output: listOf('alerts', AlertOut, { user: UserRefOut }),
  annotations: READ_ONLY('List my alerts'),
  async run(args, ctx) {
    const me = await ctx.ilert<UserRef>({ method: 'GET', path: '/users/current' })
    if (me.kind === 'error') return restError(me)
    const page = clampPage('alerts', args.start_index, args.max_results ?? 20)
    const now = ctx.now()
    const from = args.since !== undefined ? sinceToIso(args.since, now) : undefined
    const r = await ctx.ilert<Alert[]>({ method: 'GET', path: '/alerts', query: { ...page, responders: [String(me.value.id)], states: args.states ?? ['PENDING', 'ACCEPTED'], from } })
    if (r.kind === 'error') return restError(r)
    const alerts = withUrls(ctx, r.value ?? [])
    const p = pageInfo(page['start-index'], page['max-results'], alerts.length, now)
    const who = `#${me.value.id} ${me.value.firstName ?? ''} ${me.value.lastName ?? ''}`.trim()
    return ok({ user: me.value, alerts, count: alerts.length, ...p }, alerts.length ? `${alerts.length} alert(s) for ${who}:\n${alerts.map((a) => alertLine(a, a.url)).join('\n')}${pageNote(p)}` : `No alerts for ${who}.`)
  },
})
