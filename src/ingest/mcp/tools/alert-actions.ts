/**
 * accept_alert and resolve_alert: the two state changes a responder makes on an alert.
 * Accepting stops escalation (nobody else gets paged); resolving closes the alert for good
 * (ilert cannot reopen it; a new event with the same key opens a new alert).
 */
import { Type } from '@sinclair/typebox'
import type { Alert } from './ilert-types'
import { Id } from './common'
import { AlertOut } from './output-schemas'
import { alertText } from './render'
import { defineTool, ok, restError } from './types'

const AlertId = Type.Object({ id: Id('alert') }, { additionalProperties: false })
export const AlertResult = Type.Object({ alert: AlertOut, url: Type.String({ description: 'The alert in the ilert web app.' }) })

export const acceptAlert = defineTool({
  name: 'accept_alert',
  description:
    'Accept (acknowledge) an ilert alert as the connected user: its status becomes ACCEPTED and escalation stops, so nobody else is paged. ' +
    'Only do this when someone is actually taking care of the alert. Accepting an already accepted alert changes nothing.',
  input: AlertId,
  output: AlertResult,
  annotations: { title: 'Accept alert', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const r = await ctx.ilert<Alert>({ method: 'PUT', path: `/alerts/${args.id}/accept` })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('alert', r.value.id)
    return ok({ alert: r.value, url }, `Accepted.\n${alertText(r.value, url)}`)
  },
})

export const resolveAlert = defineTool({
  name: 'resolve_alert',
  description:
    'Resolve an ilert alert: its status becomes RESOLVED, notifications stop, and it cannot be reopened (a new event with the same alert key opens a new alert). ' +
    'Confirm with the user before resolving an alert they did not ask about.',
  input: AlertId,
  output: AlertResult,
  annotations: { title: 'Resolve alert', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const r = await ctx.ilert<Alert>({ method: 'PUT', path: `/alerts/${args.id}/resolve` })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('alert', r.value.id)
    return ok({ alert: r.value, url }, `Resolved.\n${alertText(r.value, url)}`)
  },
})
