/**
 * Alertmanager's webhook payload (version 4) → our inbound events, one per alert:
 *   fingerprint → alert_key (ilert deduplicates on it; a hash of the labels when absent)
 *   status firing → event_type alert, resolved → resolve
 *   annotations.summary (else labels.alertname [+ instance]) → summary; annotations.description → details
 *   labels → labels (at most 64, values cut at 1024 characters); other annotations and the
 *     notification's receiver/groupKey/startsAt/endsAt → custom_details.alertmanager
 *   generatorURL → link "Source"; labels url/urlLabel → a link; ilert_routingkey → routing_key
 *     (these three only from firing alerts, as ilert's Prometheus integration reads them)
 *   labels.severity → priority: a mapping level of that name (critical, high, medium, low, info),
 *     or the aliases page → critical, error → high, warning → medium; none → mapping.default_level.
 */
import type { ValueErrorIterator } from '@sinclair/typebox/errors'
import { checkAlertmanagerAlert, checkAlertmanagerPayload } from '../../generated/checks'
import { schemaErrors } from '../../pipeline/compiled'
import type { AmAlert, AlertmanagerPayloadT } from './schema'
import type { Config } from '../../config/schema'
import type { McpEvent } from '../../pipeline/event-schema'

export type { AlertmanagerPayloadT } from './schema'

const HINTS: Record<string, string> = { status: 'must be "firing" or "resolved"' }

function firstError(errors: ValueErrorIterator, prefix: string): { field: string; message: string } {
  const first = errors.First()
  const path = first ? first.path.replace(/^\//, '').replaceAll('/', '.') : ''
  const field = prefix === '' ? path || '(root)' : path === '' ? prefix : `${prefix}.${path}`
  const message = first === undefined ? 'is not valid' : first.value === undefined ? 'is required' : (HINTS[path] ?? first.message.toLowerCase())
  return { field, message }
}

/** undefined when the payload is a version 4 notification, else a message naming the field. */
export function payloadError(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return '(root): must be a JSON object'
  if (checkAlertmanagerPayload(v)) {
    const { version } = v as AlertmanagerPayloadT
    return version === '4' ? undefined : `version: "${version}" is not supported (version 4 is)`
  }
  const e = firstError(schemaErrors('alertmanagerPayload', v), '')
  return `${e.field}: ${e.message}`
}

/** undefined when alert `index` of a notification is a webhook alert, else the field (`alerts.{index}.status`) and what is wrong. */
export function alertError(a: unknown, index: number): { field: string; message: string } | undefined {
  if (checkAlertmanagerAlert(a)) return undefined
  const prefix = `alerts.${index}`
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return { field: prefix, message: 'must be a JSON object' }
  return firstError(schemaErrors('alertmanagerAlert', a), prefix)
}

/** A field of our event (a validation error's) as the Alertmanager field it was mapped from. */
export function alertFieldFor(field: string, index: number): string {
  const head = field.split('.')[0]!
  const from: Record<string, string> = { alert_key: 'fingerprint', summary: 'annotations.summary', details: 'annotations.description', routing_key: 'labels.ilert_routingkey', links: 'generatorURL' }
  return `alerts.${index}.${head === 'labels' || head === 'custom_details' ? field.replace(/^custom_details\.alertmanager\./, '') : (from[head] ?? field)}`
}

const SEVERITY_ALIASES: Record<string, string> = { page: 'critical', error: 'high', warning: 'medium', warn: 'medium' }
const MAX_LABELS = 64
const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s)

export type AlertMapper = (alert: AmAlert, payload: AlertmanagerPayloadT, integrationKey: string | undefined) => McpEvent

export function createAlertMapper(mapping: Config['mapping']): AlertMapper {
  // level name → the lowest priority number mapped to it
  const byLevel = new Map<string, number>()
  for (const [n, level] of Object.entries(mapping.priority_map).sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const num = Number(n)
    if (num >= 1 && num <= 4 && !byLevel.has(level)) byLevel.set(level, num)
  }
  return (a, p, integrationKey) => {
    const firing = a.status === 'firing'
    const labels = a.labels
    const ann = a.annotations ?? {}
    const name = labels.alertname ?? 'Alertmanager alert'
    const ev: McpEvent = {
      event_type: firing ? 'alert' : 'resolve',
      alert_key: a.fingerprint && a.fingerprint !== '' ? a.fingerprint : labelHash(labels),
      summary: cut(ann.summary ?? (labels.instance ? `${name} on ${labels.instance}` : name), 4096),
      source: 'alertmanager',
    }
    if (integrationKey !== undefined) ev.integration_key = integrationKey
    const description = ann.description ?? ann.message
    if (description !== undefined) ev.details = cut(description, 65_536)
    // Built with fromEntries: a label named __proto__ stays a label (plain assignment would drop it).
    const kept: [string, string][] = []
    let n = 0
    for (const [k, v] of Object.entries(labels)) {
      if (n++ >= MAX_LABELS - 1 || k.length > 128) continue
      kept.push([k, cut(v, 1024)])
    }
    ev.labels = Object.fromEntries(kept)
    const sev = labels.severity?.toLowerCase()
    const level = sev === undefined ? undefined : byLevel.has(sev) ? sev : SEVERITY_ALIASES[sev]
    const prio = level === undefined ? undefined : byLevel.get(level)
    if (prio !== undefined) ev.priority = prio
    if (firing) {
      const links: { href: string; text?: string }[] = []
      if (a.generatorURL) links.push({ href: cut(a.generatorURL, 2048), text: 'Source' })
      if (labels.url) links.push({ href: cut(labels.url, 2048), text: cut(labels.urlLabel ?? labels.url, 256) })
      if (links.length > 0) ev.links = links
      if (labels.ilert_routingkey) ev.routing_key = cut(labels.ilert_routingkey, 256)
    }
    const otherAnn = Object.fromEntries(Object.entries(ann).filter(([k]) => k !== 'summary' && k !== 'description'))
    ev.custom_details = {
      alertmanager: {
        receiver: p.receiver,
        groupKey: p.groupKey,
        externalURL: p.externalURL,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        annotations: otherAnn,
      },
    }
    return ev
  }
}

function labelHash(labels: Record<string, string>): string {
  const sorted = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0000')
  return `am-${Bun.hash(sorted).toString(16)}`
}
