/**
 * Alertmanager webhook receiver: POST /alertmanager (the bridge's configured integration key) and
 * ilert's own POST /api/v1/events/prometheus/{integrationKey}, so a config that points at ilert
 * needs only its host changed. Every alert of a notification is one event (map.ts). The answer is
 * 200 only once all of them are stored; a full or failing store is 503, which Alertmanager
 * retries (it retries 5xx only), so nothing it sent is lost. An alert that is not a webhook alert,
 * or does not map to a valid event, costs only itself: the others of the notification are stored,
 * then the answer is 400 naming each bad alert by index and field (`alerts.1.labels.team`), which
 * Alertmanager does not retry (it would only store the good ones twice).
 */
import type { Config } from '../../config/schema'
import type { Ingestor } from '../accept'
import { json } from '../http/events'
import { commitStaged, readJsonBody, type SourceLimits } from '../http/source-body'
import { alertError, alertFieldFor, createAlertMapper, payloadError, type AlertmanagerPayloadT } from './map'

const T = 'alertmanager'

export function createAlertmanagerHandler(
  ingestor: Ingestor,
  mapping: Config['mapping'],
  limits: SourceLimits,
): (req: Request & { params?: Record<string, string> }) => Promise<Response> {
  const mapAlert = createAlertMapper(mapping)
  return async (req) => {
    const key = req.params?.integrationKey
    const body = await readJsonBody(req, limits)
    if (body.kind === 'error') {
      ingestor.countRejected(T, body.reason)
      return json(body.status, { accepted: 0, error: body.message, reason: body.reason })
    }
    const bad = payloadError(body.value)
    if (bad !== undefined) {
      ingestor.countRejected(T, 'schema')
      return json(400, { accepted: 0, error: bad, reason: 'schema' })
    }
    const payload = body.value as AlertmanagerPayloadT
    if (ingestor.freeSlots() < payload.alerts.length) {
      ingestor.countRejected(T, 'queue_full')
      return json(503, { accepted: 0, error: 'queue is full, retry later', reason: 'queue_full' }, { 'retry-after': '1' })
    }
    let accepted = 0
    const rejected: { index: number; fingerprint?: string; reason: string; field?: string; message: string }[] = []
    payload.alerts.forEach((a, index) => {
      const bad = alertError(a, index)
      if (bad !== undefined) {
        ingestor.countRejected(T, 'schema')
        rejected.push({ index, reason: 'schema', field: bad.field, message: `${bad.field}: ${bad.message}` })
        return
      }
      const alert = a as Parameters<typeof mapAlert>[0]
      const out = ingestor.accept(mapAlert(alert, payload, key), T)
      const fp = alert.fingerprint ? { fingerprint: alert.fingerprint } : {}
      if (out.kind === 'accepted') accepted++
      else if (out.kind === 'invalid') {
        const field = alertFieldFor(out.field, index)
        rejected.push({ index, ...fp, reason: out.reason, field, message: `${field}: ${out.message}` })
      } else rejected.push({ index, ...fp, reason: out.reason, message: 'queue is full' })
    })
    if (accepted > 0) {
      const c = await commitStaged(ingestor)
      if (c.kind === 'error') return json(503, { accepted: 0, error: `alerts could not be stored (${c.reason}); retry later`, reason: c.reason }, { 'retry-after': '5' })
    }
    if (rejected.some((r) => r.reason === 'queue_full')) return json(503, { accepted, rejected, error: 'queue is full, retry later', reason: 'queue_full' }, { 'retry-after': '1' })
    if (rejected.length > 0) return json(400, { accepted, rejected, error: rejected.length === 1 ? rejected[0]!.message : `${rejected.length} alerts rejected, first: ${rejected[0]!.message}` })
    return json(200, { accepted })
  }
}
