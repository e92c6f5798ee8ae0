// What a model gets back from every tool (issue 12 item 4), against the simulator's seeded org over
// real sockets: each tool declares an outputSchema (served in tools/list in both eras), every
// tool's structuredContent matches it, the text block keeps the ids (and labels and links) the next
// call needs, list results carry the server time and take relative times, and search reads plain
// questions, takes kind:id, uses ilert's filters, spends few REST calls and cites web-app links.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { Value } from '@sinclair/typebox/value'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { webAppBase } from '../../src/ingest/mcp/links'
import { ALL_TOOLS } from '../../src/ingest/mcp/tools/index'
import { TOOL_NAMES } from '../../src/ingest/mcp/tools/names'
import { assignToCurrentShift, call, rpc, startMcpStack, type McpStack } from './helpers'

let stack: McpStack
let client: Client
beforeAll(async () => {
  // No per-key event limit: one test writes 240 events straight to the simulator.
  stack = await startMcpStack({}, { rateLimit: { perKey: 0 } })
  client = await stack.connect()
})
afterAll(() => stack.closeAll())

const plain = (x: unknown) => JSON.parse(JSON.stringify(x))

/** Every numeric `id` in a result (objects and the users, sources, services they name), except log entries'. */
function idsIn(v: unknown, path = ''): number[] {
  if (Array.isArray(v)) return v.flatMap((x) => idsIn(x, path))
  if (v === null || typeof v !== 'object') return []
  return Object.entries(v).flatMap(([k, x]) => (k === 'log_entries' ? [] : k === 'id' && typeof x === 'number' ? [x] : idsIn(x, `${path}.${k}`)))
}

describe('outputSchema', () => {
  test('every tool declares one, served as is in tools/list in the 2025 era and in 2026-07-28', async () => {
    const legacy = (await client.listTools()).tools
    expect(legacy).toHaveLength(ALL_TOOLS.length)
    for (const t of ALL_TOOLS) {
      const served = legacy.find((x) => x.name === t.name)!
      expect(served.outputSchema, t.name).toEqual(plain(t.output))
      expect(served.outputSchema!.type).toBe('object')
    }
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} }
    const res = await rpc(stack.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } }, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' })
    const modern = ((await res.json()) as any).result.tools as { name: string; outputSchema: unknown }[]
    expect(modern.map((t) => [t.name, t.outputSchema])).toEqual(legacy.map((t) => [t.name, t.outputSchema]))
  })

  test('every tool, called against the simulator, answers structuredContent that matches its outputSchema, and text that keeps its ids', async () => {
    const got = new Map<string, any>()
    await assignToCurrentShift(stack, 2, 3) // on level 1 of its policy whatever the time of day
    const cases: [string, Record<string, unknown> | (() => Record<string, unknown>)][] = [
      ['search', { query: 'payment' }],
      ['fetch', { id: 'alert:2' }],
      ['send_event', { summary: 'Schema check', alert_key: 'schema-check', labels: { team: 'platform' } }],
      ['list_alerts', {}],
      ['list_my_alerts', {}],
      ['get_alert', { id: 1 }],
      ['accept_alert', { id: 3 }],
      ['assign_alert', { id: 3, user_id: 4 }],
      ['add_alert_responder', { id: 3, user_id: 5 }],
      ['comment_on_alert', { id: 2, comment: 'Looking into the PSP.' }],
      ['escalate_alert', { id: 2 }],
      ['list_alert_log_entries', { id: 1 }],
      ['resolve_alert', { id: 3 }],
      ['list_alert_sources', {}],
      ['get_current_user', {}],
      ['who_is_on_call', {}],
      ['list_schedules', {}],
      ['list_escalation_policies', {}],
      ['list_services', {}],
      ['list_users', {}],
      ['find_user_by_email', { email: 'chloe.martin@example.com' }],
      ['list_teams', {}],
      ['list_heartbeat_monitors', {}],
      ['get_heartbeat_monitor', { id: 2 }],
      ['create_maintenance_window', { summary: 'Mail relay patch', duration_minutes: 30, service_ids: [5] }],
      ['list_maintenance_windows', {}],
      ['end_maintenance_window', () => ({ id: got.get('create_maintenance_window').maintenance_window.id })],
      ['list_status_pages', {}],
      ['list_incidents', {}],
      ['get_incident', { id: 1 }],
      ['create_incident', { summary: 'Schema check incident', affected_services: [{ service_id: 3, impact: 'DEGRADED' }] }],
      ['update_incident', () => ({ id: got.get('create_incident').incident.id, status: 'RESOLVED' })],
    ]
    expect(cases.map(([n]) => n).sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort()) // none left out
    for (const [name, args] of cases) {
      const tool = ALL_TOOLS.find((t) => t.name === name)!
      const r = await call(client, name, typeof args === 'function' ? args() : args)
      expect(r.isError, `${name}: ${r.text}`).toBe(false)
      const problems = [...Value.Errors(tool.output, r.data)].map((e) => `${e.path} ${e.message}`)
      expect(problems, name).toEqual([])
      got.set(name, r.data)
      if (name === 'search' || name === 'fetch') expect(r.text).toBe(JSON.stringify(r.data))
      else for (const id of idsIn(r.data)) expect(r.text, `${name}: #${id} missing from the text`).toContain(`#${id}`)
      expect(JSON.stringify(r.raw)).not.toContain('sim-user-key')
    }
  })
})

describe('text a model can act on', () => {
  test('who_is_on_call shows the user ids assign_alert and add_alert_responder take', async () => {
    const r = await call(client, 'who_is_on_call', { escalation_policy_id: 1 })
    expect(r.data.count).toBeGreaterThan(0)
    for (const o of r.data.on_calls) expect(r.text).toContain(`user #${o.user.id} ${o.user.firstName}`)
  })

  test('list_alerts lines carry labels, source, assignee and the web-app link', async () => {
    const r = await call(client, 'list_alerts', { states: ['PENDING', 'ACCEPTED'], max_results: 100 })
    const card = r.data.alerts.find((a: any) => a.alertKey === 'psp-card-failures')
    expect(card.url).toBe(`${stack.simUrl}/alerts/${card.id}`)
    const line = r.text.split('\n').find((l) => l.startsWith(`#${card.id} `))!
    for (const part of ['labels service=payment-gateway, env=production', 'source #102 Payments monitoring', `assigned #${card.assignedTo.id}`, 'key psp-card-failures', card.url]) expect(line).toContain(part)
  })
})

describe('server time and relative times', () => {
  test('list results say the server time; since "30m" keeps only what was reported in the last 30 minutes', async () => {
    const before = Date.now()
    const all = await call(client, 'list_alerts', { max_results: 100 })
    expect(Math.abs(Date.parse(all.data.server_time) - before)).toBeLessThan(5_000)
    expect(all.text).toContain(`(server time ${all.data.server_time})`)
    const recent = await call(client, 'list_alerts', { since: '30m', max_results: 100 })
    const keys = recent.data.alerts.map((a: any) => a.alertKey)
    expect(keys).toContain('checkout-p99') // reported 12 minutes before the simulator started
    expect(keys).not.toContain('psp-card-failures') // 58 minutes
    for (const a of recent.data.alerts) expect(Date.parse(a.reportTime)).toBeGreaterThanOrEqual(Date.parse(recent.data.server_time) - 30 * 60_000)
    expect((await call(client, 'list_alerts', { since: '30m', from: '2026-01-01T00:00:00Z' })).isError).toBe(true)
    expect((await call(client, 'list_alerts', { since: 'yesterday' })).isError).toBe(true)
    const mine = await call(client, 'list_my_alerts', { since: '1w' })
    expect(typeof mine.data.server_time).toBe('string')
    const oncall = await call(client, 'who_is_on_call')
    expect(oncall.data.at).toBe(oncall.data.server_time)
  })
})

describe('search', () => {
  const ids = async (query: string) => ((await call(client, 'search', { query })).data.results as { id: string }[]).map((r) => r.id)

  test('a plain question matches on any word, ignoring stop words, and the kind and state it names', async () => {
    const open = await ids('What alerts are open for payments?')
    expect(open[0]).toBe('alert:2')
    expect(open.every((id) => id.startsWith('alert:'))).toBe(true) // "alerts": only alerts
    const anyKind = await ids('card payments')
    expect(anyKind).toEqual(expect.arrayContaining(['alert:2', 'incident:1', 'service:2']))
    expect(await ids('resolved tls certificate')).toContain('alert:4')
    expect(await ids('open tls certificate')).not.toContain('alert:4')
    expect(await ids('zzzz-no-match')).toEqual([])
  })

  test('kind:id is looked up directly, with one REST call; an unknown id is no result', async () => {
    const before = stack.sim.restCalls()
    expect(await ids('alert:2')).toEqual(['alert:2'])
    expect(stack.sim.restCalls() - before).toBe(1)
    expect(await ids('incident:1 service:2')).toEqual(['incident:1', 'service:2'])
    expect(await ids('alert:99999')).toEqual([])
  })

  test('costs fewer REST calls: the kinds asked for only, services from a short cache', async () => {
    await ids('checkout') // warms the services cache
    let before = stack.sim.restCalls()
    await ids('checkout')
    expect(stack.sim.restCalls() - before).toBe(2) // alerts and incidents; services cached
    before = stack.sim.restCalls()
    await ids('pending checkout alerts')
    expect(stack.sim.restCalls() - before).toBe(1)
  })

  test("cites ilert web-app links a person can open (here the simulator's pages)", async () => {
    const results = (await call(client, 'search', { query: 'payment' })).data.results as { id: string; url: string; title: string }[]
    for (const r of results) {
      const [kind, id] = r.id.split(':')
      expect(r.url).toBe(`${stack.simUrl}/${kind}s/${id}`)
      const page = await fetch(r.url)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
      expect(await page.text()).toContain(`#${id}`)
    }
    expect((await fetch(`${stack.simUrl}/alerts/99999`)).status).toBe(404)
  })

  test('open means every open alert, through ilert\'s states filter, not the open ones among the newest 100', async () => {
    const source = { integrationKey: 'il1api-sim-prometheus' }
    const send = (body: Record<string, unknown>) =>
      fetch(`${stack.simUrl}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...source, ...body }) }).then((r) => expect(r.status).toBe(202))
    for (let i = 0; i < 120; i++) {
      await send({ eventType: 'ALERT', alertKey: `noise-${i}`, summary: `Payment batch ${i} retried` })
      await send({ eventType: 'RESOLVE', alertKey: `noise-${i}` })
    }
    const found = await ids('open payment alerts')
    expect(found).toContain('alert:2')
    expect(found.some((id) => Number(id.split(':')[1]) > 4)).toBe(false) // the 120 newer ones are resolved
  })
})

describe('web-app links', () => {
  test('derived from ilert.api_url (api.X → app.X), or mcp.web_url; never with credentials', () => {
    expect(webAppBase('https://api.ilert.com', '')).toBe('https://app.ilert.com')
    expect(webAppBase('https://user:secret@api.ilert.eu/', '')).toBe('https://app.ilert.eu')
    expect(webAppBase('http://127.0.0.1:4011', '')).toBe('http://127.0.0.1:4011')
    expect(webAppBase('https://api.ilert.com', 'https://acme.ilert.com/')).toBe('https://acme.ilert.com')
  })

  test('mcp.web_url is what tool results link to', async () => {
    const other = await startMcpStack({ mcp: { web_url: 'https://acme.ilert.com' } })
    try {
      const c = await other.connect()
      expect((await call(c, 'get_alert', { id: 2 })).data.url).toBe('https://acme.ilert.com/alerts/2')
      expect((await call(c, 'fetch', { id: 'incident:1' })).data.url).toBe('https://acme.ilert.com/incidents/1')
    } finally {
      await other.closeAll()
    }
  })
})

test('the tool names the metrics are created with at start are exactly the tools served', () => {
  expect<string[]>([...TOOL_NAMES].sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort())
})
