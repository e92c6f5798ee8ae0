/**
 * send_event: an event into the bridge's own queue, through the same path as POST /events and TCP
 * (`Ingestor.accept(value, 'mcp')`, then the group commit), so it is coalesced, rate-governed,
 * retried and counted (`mcp_in_events_total{transport="mcp"}`) like any other. Its input schema IS
 * the event contract (src/pipeline/event-schema.ts). It answers once the event is stored (with
 * the durable store: written, and synced under queue.sync: full): delivery to ilert follows asynchronously.
 */
import { Type } from '@sinclair/typebox'
import { EventSchema } from '../../../pipeline/event-schema'
import { validateEvent } from '../../../pipeline/validate'
import { defineTool, fail, ok } from './types'

export const sendEvent = defineTool({
  name: 'send_event',
  description:
    'Send an event to ilert through the bridge queue. event_type "alert" (default) opens an alert, or updates the open one with the same alert_key; ' +
    '"accept", "resolve" and "comment" act on the open alert with that alert_key. Only summary is required for an alert. ' +
    'Always set alert_key (e.g. "db-02-disk") so you can follow up with get_alert {alert_key} or resolve it later. ' +
    'priority 1 (critical) .. 4 (low). The event is queued now and delivered to ilert within seconds.',
  input: EventSchema,
  output: Type.Object({
    queued: Type.Boolean(),
    event: Type.Object({
      event_type: Type.String(),
      alert_key: Type.Union([Type.String(), Type.Null()]),
      summary: Type.Union([Type.String(), Type.Null()]),
      priority: Type.Union([Type.String(), Type.Null()]),
      severity: Type.Union([Type.Integer(), Type.Null()]),
      labels: Type.Record(Type.String(), Type.Unknown()),
      integration_key: Type.String({ description: 'Where the integration key came from (never the key itself).' }),
    }),
  }),
  annotations: { title: 'Send event', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    const out = ctx.ingestor.accept(args, 'mcp')
    if (out.kind === 'full') return fail('queue_full', 'The bridge queue is full right now; nothing was queued. Retry in a few seconds.')
    if (out.kind === 'invalid') {
      const hint = out.reason === 'missing_integration_key' ? ' The bridge has no ilert integration key configured; pass integration_key.' : ''
      return fail(out.reason, `Event refused: ${out.field} ${out.message}.${hint}`)
    }
    const c = await ctx.ingestor.commit('mcp')
    if (c.kind === 'error') return fail(c.reason, `The bridge could not store the event (${c.reason}); nothing was queued. Retry later.`)
    const v = validateEvent(args)
    const n = v.kind === 'valid' ? ctx.normalizer.normalize(v.event) : undefined
    const body = n?.kind === 'ok' ? n.body : undefined
    const queued = {
      event_type: body?.eventType ?? 'ALERT',
      alert_key: body?.alertKey ?? null,
      summary: body?.summary ?? null,
      priority: body?.priority ?? null,
      severity: body?.severity ?? null,
      labels: body?.labels ?? {},
      integration_key: args.integration_key !== undefined ? 'from the event' : 'the bridge default',
    }
    const follow = queued.alert_key ? ` Follow it with get_alert {"alert_key":"${queued.alert_key}"}.` : ' It has no alert_key, so ilert will pick one; set alert_key to follow up.'
    return ok({ queued: true, event: queued }, `Queued ${queued.event_type} for delivery to ilert: "${queued.summary ?? ''}" (priority ${queued.priority}, severity ${queued.severity}).${follow}`)
  },
})
