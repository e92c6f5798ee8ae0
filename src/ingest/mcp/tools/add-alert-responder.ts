/** add_alert_responder: bring another user in on an alert, without taking it from its assignee. */
import { Type } from '@sinclair/typebox'
import type { Alert } from './ilert-types'
import { Id } from './common'
import { AlertOut } from './output-schemas'
import { alertText } from './render'
import { defineTool, ok, restError } from './types'

export const addAlertResponder = defineTool({
  name: 'add_alert_responder',
  description:
    'Add a user as an additional responder on an ilert alert (they are notified; the assignee stays). ' +
    'Fails if the user is already a responder. Find the user id with find_user_by_email or list_users.',
  input: Type.Object({ id: Id('alert'), user_id: Id('user') }, { additionalProperties: false }),
  output: Type.Object({
    alert: Type.Optional(AlertOut),
    url: Type.String({ description: 'The alert in the ilert web app.' }),
    alert_id: Type.Optional(Type.Integer()),
    user_id: Type.Optional(Type.Integer()),
    added: Type.Optional(Type.Boolean()),
  }),
  annotations: { title: 'Add alert responder', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(args, ctx) {
    const r = await ctx.ilert<Alert | null>({ method: 'POST', path: `/alerts/${args.id}/responders`, body: { user: { id: args.user_id } } })
    if (r.kind === 'error') return restError(r)
    const url = ctx.link('alert', args.id)
    if (r.value && typeof r.value === 'object' && 'id' in r.value) return ok({ alert: r.value, url }, `Responder added.\n${alertText(r.value, url)}`)
    return ok({ alert_id: args.id, user_id: args.user_id, added: true, url }, `User #${args.user_id} added as responder on alert #${args.id} (${url}).`)
  },
})
