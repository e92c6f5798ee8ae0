/**
 * `search` and `fetch` with exactly ChatGPT's connector contract: search takes `query` and returns
 * {results:[{id,title,url}]}; fetch takes such an `id` and returns {id,title,text,url,metadata}.
 * Both answer with one text item holding that JSON (plus the same object as structured content).
 * Ids are `alert:12`, `incident:3`, `service:2`; every url is the object's page in the ilert web
 * app, so ChatGPT cites something a person can open.
 *
 * search reads the query as search-query.ts describes and spends as few REST calls as it can:
 * one GET per `kind:id`, and only the kinds the query concerns, each through ilert's own filters
 * (`states` for "open"/"pending"/"resolved"/..., `from` for "1h"/"today") so "open" means every
 * open alert, not the open ones among the newest 100. Services come from a short-lived per-key
 * cache. Alerts rank before incidents and services at equal score, open before resolved, newest first.
 */
import { Type } from '@sinclair/typebox'
import type { Alert, Incident, Service } from './ilert-types'
import { alertText, incidentText, serviceLine } from './render'
import { parseQuery, score, type Kind } from './search-query'
import { defineTool, fail, READ_ONLY, restError, type ToolContext, type ToolOutcome } from './types'

const MAX_RESULTS = 20
const MAX_REFS = 5
const SCAN = 100 // one page at ilert's cap per kind

type Result = { id: string; title: string; url: string }
type Scored = Result & { score: number; rank: number }

const json = (data: Record<string, unknown>): ToolOutcome => ({ kind: 'ok', data, text: JSON.stringify(data) })

const alertTitle = (a: Alert) => `Alert #${a.id} [${a.status ?? '?'}]: ${a.summary ?? ''}`
const incidentTitle = (i: Incident) => `Incident #${i.id} [${i.status ?? '?'}]: ${i.summary ?? ''}`
const serviceTitle = (s: Service) => `Service ${s.name ?? `#${s.id}`} [${s.status ?? '?'}]`

export const search = defineTool({
  name: 'search',
  description:
    'Search ilert for alerts, status-page incidents and services. Plain words work: anything matching ANY word is returned, best matches first ' +
    '(e.g. "What alerts are open for payments?", "db-02 disk", "checkout latency"). "open", "pending", "accepted", "resolved" filter by state; ' +
    '"alerts", "incidents", "services" narrow the kind; "1h", "2d" or "today" limit alerts to that window; "alert:12" looks one up by id. ' +
    'Returns ids to pass to fetch and links to the ilert web app.',
  input: Type.Object({ query: Type.String({ description: 'What to look for, in words.' }) }, { additionalProperties: false }),
  output: Type.Object({
    results: Type.Array(
      Type.Object(
        {
          id: Type.String({ description: 'Pass to fetch, e.g. alert:12.' }),
          title: Type.String(),
          url: Type.String({ description: 'The object in the ilert web app.' }),
        },
        { additionalProperties: false },
      ),
    ),
  }),
  annotations: READ_ONLY('Search ilert'),
  async run(args, ctx) {
    const q = parseQuery(args.query.slice(0, 2000), ctx.now())
    const found: Scored[] = []
    let rank = 0
    const add = (kind: Kind, id: number, title: string, s: number) => s > 0 && found.push({ id: `${kind}:${id}`, title, url: ctx.link(kind, id), score: s, rank: rank++ })

    // Objects named by id come first; an id that does not exist is simply not a result.
    for (const ref of q.refs.slice(0, MAX_REFS)) {
      const got = await getOne(ctx, ref.kind, ref.id)
      if (got.kind === 'error') {
        if (got.reason === 'not_found') continue
        return restError(got)
      }
      add(ref.kind, ref.id, got.title, 1000)
    }
    // A query of ids only is answered by those GETs; anything else searches (no terms: all that the filters return).
    if (q.terms.length > 0 || q.refs.length === 0) {
      const [alerts, incidents, services] = await Promise.all([
        q.kinds.has('alert')
          ? ctx.ilert<Alert[]>({ method: 'GET', path: '/alerts', query: { 'start-index': 0, 'max-results': SCAN, states: q.alertStates, from: q.fromMs === undefined ? undefined : new Date(q.fromMs).toISOString() } })
          : undefined,
        q.kinds.has('incident') ? ctx.ilert<Incident[]>({ method: 'GET', path: '/incidents', query: { 'start-index': 0, 'max-results': SCAN, states: q.incidentStates } }) : undefined,
        q.kinds.has('service') && q.fromMs === undefined ? ctx.ilertCached<Service[]>({ method: 'GET', path: '/services', query: { 'start-index': 0, 'max-results': SCAN } }) : undefined,
      ])
      for (const r of [alerts, incidents, services]) if (r?.kind === 'error') return restError(r)
      if (alerts?.kind === 'ok') {
        const open = (a: Alert) => (a.status === 'RESOLVED' ? 0 : 0.5)
        for (const a of alerts.value ?? []) {
          const s = score(q.terms, a.id, a.summary ?? '', [a.details, a.alertKey, a.status, a.priority, a.alertSource?.name, ...Object.entries(a.labels ?? {}).flat().map(String)])
          add('alert', a.id, alertTitle(a), s > 0 ? s + open(a) : 0)
        }
      }
      if (incidents?.kind === 'ok')
        for (const i of incidents.value ?? []) add('incident', i.id, incidentTitle(i), score(q.terms, i.id, i.summary ?? '', [i.message, i.status, ...(i.affectedServices ?? []).map((s) => s.service?.name)]))
      if (services?.kind === 'ok') for (const s of services.value ?? []) add('service', s.id, serviceTitle(s), score(q.terms, s.id, s.name ?? '', [s.description, s.status]))
    }
    const seen = new Set<string>()
    const results: Result[] = found
      .sort((a, b) => b.score - a.score || a.rank - b.rank)
      .filter((r) => !seen.has(r.id) && seen.add(r.id))
      .slice(0, MAX_RESULTS)
      .map(({ id, title, url }) => ({ id, title, url }))
    return json({ results })
  },
})

/** One object for a `kind:id` in the query: its title (the same REST read fetch makes). */
async function getOne(ctx: ToolContext, kind: Kind, id: number) {
  if (kind === 'alert') {
    const r = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${id}` })
    return r.kind === 'error' ? r : { kind: 'ok' as const, title: alertTitle(r.value) }
  }
  if (kind === 'incident') {
    const r = await ctx.ilert<Incident>({ method: 'GET', path: `/incidents/${id}` })
    return r.kind === 'error' ? r : { kind: 'ok' as const, title: incidentTitle(r.value) }
  }
  const r = await ctx.ilert<Service>({ method: 'GET', path: `/services/${id}` })
  return r.kind === 'error' ? r : { kind: 'ok' as const, title: serviceTitle(r.value) }
}

export const fetchTool = defineTool({
  name: 'fetch',
  description: 'Fetch the full text of one ilert alert, status-page incident or service by an id returned from search (e.g. "alert:12", "incident:3", "service:2").',
  input: Type.Object({ id: Type.String({ description: 'An id from search, like alert:12.' }) }, { additionalProperties: false }),
  output: Type.Object({
    id: Type.String(),
    title: Type.String(),
    text: Type.String({ description: 'The whole object as text, with the ids and labels other tools take.' }),
    url: Type.String({ description: 'The object in the ilert web app.' }),
    metadata: Type.Record(Type.String(), Type.String()),
  }),
  annotations: READ_ONLY('Fetch ilert item'),
  async run(args, ctx) {
    const m = /^(alert|incident|service):#?(\d{1,12})$/.exec(args.id.trim().toLowerCase())
    if (m === null) return fail('invalid_arguments', `Unknown id "${args.id.slice(0, 100)}": use an id from search, like alert:12, incident:3 or service:2.`)
    return fetchItem(ctx, m[1] as Kind, Number(m[2]))
  },
})

async function fetchItem(ctx: ToolContext, kind: Kind, id: number): Promise<ToolOutcome> {
  const url = ctx.link(kind, id)
  if (kind === 'alert') {
    const r = await ctx.ilert<Alert>({ method: 'GET', path: `/alerts/${id}` })
    if (r.kind === 'error') return restError(r)
    const a = r.value
    return json({ id: `alert:${id}`, title: `Alert #${id}: ${a.summary ?? ''}`, text: alertText(a, url), url, metadata: { type: 'alert', status: a.status ?? '', priority: a.priority ?? '', reportTime: a.reportTime ?? '', alertKey: a.alertKey ?? '' } })
  }
  if (kind === 'incident') {
    const r = await ctx.ilert<Incident>({ method: 'GET', path: `/incidents/${id}` })
    if (r.kind === 'error') return restError(r)
    const i = r.value
    return json({ id: `incident:${id}`, title: `Incident #${id}: ${i.summary ?? ''}`, text: incidentText(i, url), url, metadata: { type: 'incident', status: i.status ?? '', updatedAt: i.updatedAt ?? '' } })
  }
  const r = await ctx.ilert<Service>({ method: 'GET', path: `/services/${id}` })
  if (r.kind === 'error') return restError(r)
  const s = r.value
  return json({ id: `service:${id}`, title: `Service ${s.name ?? `#${id}`}`, text: serviceLine(s, url), url, metadata: { type: 'service', status: s.status ?? '' } })
}
