/**
 * `search` and `fetch` with exactly ChatGPT's connector contract: search takes `query` and returns
 * {results:[{id,title,url}]}; fetch takes such an `id` and returns {id,title,text,url,metadata}.
 * Both answer with one text item holding that JSON (plus the same object as structured content).
 * They cover alerts (newest 100), status-page incidents (newest 100) and services. Ids are
 * `alert:12`, `incident:3`, `service:2`; every result has a non-empty url, so ChatGPT can cite it.
 */
import { Type } from '@sinclair/typebox'
import type { Alert, Incident, Service } from './ilert-types'
import { alertText, incidentText, serviceLine } from './render'
import { defineTool, fail, READ_ONLY, restError, type ToolContext, type ToolOutcome } from './types'

const MAX_RESULTS = 20
type Kind = 'alert' | 'incident' | 'service'

const json = (data: Record<string, unknown>): ToolOutcome => ({ kind: 'ok', data, text: JSON.stringify(data) })

function matches(terms: string[], id: number, hay: (string | undefined | null)[]): boolean {
  const text = hay.filter(Boolean).join(' ').toLowerCase()
  return terms.every((t) => text.includes(t) || t === String(id) || t === `#${id}`)
}

export const search = defineTool({
  name: 'search',
  description:
    'Search ilert for alerts, status-page incidents and services whose text matches the query (every word must appear; case-insensitive). ' +
    'Returns ids to pass to fetch. Examples: "payment", "db-02 disk", "pending" (status words match too).',
  input: Type.Object({ query: Type.String({ description: 'Words to look for.' }) }, { additionalProperties: false }),
  annotations: READ_ONLY('Search ilert'),
  async run(args, ctx) {
    const terms = args.query.toLowerCase().split(/\s+/).filter((t) => t !== '' && t !== '*')
    const [alerts, incidents, services] = await Promise.all([
      ctx.ilert<Alert[]>({ method: 'GET', path: '/alerts', query: { 'start-index': 0, 'max-results': 100 } }),
      ctx.ilert<Incident[]>({ method: 'GET', path: '/incidents', query: { 'start-index': 0, 'max-results': 100 } }),
      ctx.ilert<Service[]>({ method: 'GET', path: '/services', query: { 'start-index': 0, 'max-results': 100 } }),
    ])
    for (const r of [alerts, incidents, services]) if (r.kind === 'error') return restError(r)
    const results: { id: string; title: string; url: string }[] = []
    const add = (kind: Kind, id: number, title: string) => results.length < MAX_RESULTS && results.push({ id: `${kind}:${id}`, title, url: ctx.link(kind, id) })
    if (alerts.kind === 'ok')
      for (const a of alerts.value ?? [])
        if (matches(terms, a.id, [a.summary, a.details, a.alertKey, a.status, a.priority, a.alertSource?.name, ...Object.values(a.labels ?? {})]))
          add('alert', a.id, `Alert #${a.id} [${a.status}]: ${a.summary ?? ''}`)
    if (incidents.kind === 'ok')
      for (const i of incidents.value ?? [])
        if (matches(terms, i.id, [i.summary, i.message, i.status, ...(i.affectedServices ?? []).map((s) => s.service?.name)])) add('incident', i.id, `Incident #${i.id} [${i.status}]: ${i.summary ?? ''}`)
    if (services.kind === 'ok')
      for (const s of services.value ?? []) if (matches(terms, s.id, [s.name, s.description, s.status])) add('service', s.id, `Service ${s.name ?? `#${s.id}`} [${s.status}]`)
    return json({ results })
  },
})

export const fetchTool = defineTool({
  name: 'fetch',
  description: 'Fetch the full text of one ilert alert, status-page incident or service by an id returned from search (e.g. "alert:12", "incident:3", "service:2").',
  input: Type.Object({ id: Type.String({ description: 'An id from search, like alert:12.' }) }, { additionalProperties: false }),
  annotations: READ_ONLY('Fetch ilert item'),
  async run(args, ctx) {
    const m = /^(alert|incident|service):(\d+)$/.exec(args.id.trim())
    if (m === null) return fail('invalid_arguments', `Unknown id "${args.id}": use an id from search, like alert:12, incident:3 or service:2.`)
    return fetchItem(ctx, m[1] as Kind, Number(m[2]))
  },
})

async function fetchItem(ctx: ToolContext, kind: Kind, id: number): Promise<ToolOutcome> {
  const url = ctx.link(kind, id)
  if (kind === 'alert') {
    const r = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${id}` })
    if (r.kind === 'error') return restError(r)
    const a = r.value
    return json({ id: `alert:${id}`, title: `Alert #${id}: ${a.summary ?? ''}`, text: alertText(a), url, metadata: { type: 'alert', status: a.status ?? '', priority: a.priority ?? '', reportTime: a.reportTime ?? '', alertKey: a.alertKey ?? '' } })
  }
  if (kind === 'incident') {
    const r = await ctx.ilert<Incident>({ method: 'GET', path: `/incidents/${id}` })
    if (r.kind === 'error') return restError(r)
    const i = r.value
    return json({ id: `incident:${id}`, title: `Incident #${id}: ${i.summary ?? ''}`, text: incidentText(i), url, metadata: { type: 'incident', status: i.status ?? '', updatedAt: i.updatedAt ?? '' } })
  }
  const r = await ctx.ilert<Service>({ method: 'GET', path: `/services/${id}` })
  if (r.kind === 'error') return restError(r)
  const s = r.value
  return json({ id: `service:${id}`, title: `Service ${s.name ?? `#${id}`}`, text: serviceLine(s), url, metadata: { type: 'service', status: s.status ?? '' } })
}
