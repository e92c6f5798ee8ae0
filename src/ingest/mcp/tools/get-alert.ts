/**
 * get_alert: one alert by id, or by alert key (ilert has no key filter, so the newest pages are
 * scanned client-side, as ilert's own notes advise) — the way to find what send_event created.
 */
import { Type } from '@sinclair/typebox'
import type { ToolContext } from './types'
import type { Alert } from './ilert-types'
import { AlertOut } from './output-schemas'
import { alertText } from './render'
import { defineTool, fail, ok, READ_ONLY, restError, type ToolOutcome } from './types'

const KEY_SCAN_PAGES = 3

export async function findAlertByKey(ctx: ToolContext, key: string): Promise<ToolOutcome | Alert> {
  const wanted = key.toLowerCase()
  for (let page = 0; page < KEY_SCAN_PAGES; page++) {
    const r = await ctx.ilert<Alert[]>({ method: 'GET', path: '/alerts', query: { 'start-index': page * 100, 'max-results': 100 } })
    if (r.kind === 'error') return restError(r)
    const hit = (r.value ?? []).find((a) => a.alertKey?.toLowerCase() === wanted)
    if (hit) return hit
    if ((r.value ?? []).length < 100) break
  }
  return fail('not_found', `No alert with alert key "${key}" among the ${KEY_SCAN_PAGES * 100} newest alerts. An event sent moments ago may still be queued; retry shortly, or use list_alerts.`)
}

export const getAlert = defineTool({
  name: 'get_alert',
  description:
    'Get one ilert alert with its status, priority, assignee, escalation policy, responders, labels and details. ' +
    'Give its numeric id, or the alert_key it was sent with (e.g. the key used with send_event).',
  input: Type.Object(
    {
      id: Type.Optional(Type.Integer({ minimum: 1, description: 'Numeric alert id.' })),
      alert_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The alert key (dedup key) the alert was created with.' })),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ alert: AlertOut, url: Type.String({ description: 'The alert in the ilert web app.' }) }),
  annotations: READ_ONLY('Get alert'),
  async run(args, ctx) {
    let alert: Alert
    if (args.id !== undefined) {
      const r = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${args.id}` })
      if (r.kind === 'error') return restError(r)
      alert = r.value
    } else if (args.alert_key !== undefined) {
      const found = await findAlertByKey(ctx, args.alert_key)
      if ('kind' in found) return found
      alert = found
    } else return fail('invalid_arguments', 'Give either id or alert_key.')
    const url = ctx.link('alert', alert.id)
    return ok({ alert, url }, alertText(alert, url))
  },
})
