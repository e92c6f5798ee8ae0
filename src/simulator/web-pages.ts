/**
 * The simulator's stand-in for ilert's web app: the pages MCP tool results link to
 * (/alerts/{id}, /incidents/{id}, /services/{id}), so a person (or a test) can open a cited link.
 * Each page shows the object the REST API returns for that id, as a plain HTML table; no login,
 * as the simulator's org is demo data. Unknown ids get 404.
 */
import type { SimContext } from './context'
import { getAlert } from './rest-alerts'
import { getIncident } from './rest-incidents'
import { getService } from './rest-org'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const cell = (v: unknown) => esc(typeof v === 'string' ? v : JSON.stringify(v))

async function page(kind: string, res: Response): Promise<Response> {
  if (!res.ok) return new Response(`<!doctype html><title>Not found</title><h1>No such ${esc(kind)}</h1>`, { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } })
  const obj = (await res.json()) as Record<string, unknown>
  const title = `${kind} #${obj.id}: ${String(obj.summary ?? obj.name ?? '')}`
  const rows = Object.entries(obj)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`)
    .join('')
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(title)} · ilert simulator</title><h1>${esc(title)}</h1><table>${rows}</table>`
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}

export function webPages(ctx: SimContext) {
  return {
    '/alerts/:id': { GET: (req: { params: { id: string } }) => page('Alert', getAlert(ctx, req.params.id)) },
    '/incidents/:id': { GET: (req: { params: { id: string } }) => page('Incident', getIncident(ctx, req.params.id)) },
    '/services/:id': { GET: (req: { params: { id: string } }) => page('Service', getService(ctx, req.params.id)) },
  }
}
