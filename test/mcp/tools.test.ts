// Every tool, once or more, through the SDK client against the simulator's seeded org
// (demo alerts: #1 db-02 disk ACCEPTED, #2 card payments PENDING, #3 checkout p99 PENDING, #4 TLS RESOLVED).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { waitFor } from '../helpers/harness'
import { call, startMcpStack, type McpStack } from './helpers'

let stack: McpStack
let client: Client
beforeAll(async () => {
  stack = await startMcpStack()
  client = await stack.connect()
})
afterAll(() => stack.closeAll())

describe('send_event', () => {
  test('goes through the bridge queue (counted as transport mcp) and shows up as an ilert alert', async () => {
    const r = await call(client, 'send_event', { summary: 'Queue depth above 10k on worker-7', alert_key: 'worker-7-queue', priority: 1, source: 'agent' })
    expect(r.isError).toBe(false)
    expect(r.data).toMatchObject({ queued: true, event: { event_type: 'ALERT', alert_key: 'worker-7-queue', priority: 'HIGH', severity: 1 } })
    expect(JSON.stringify(r.raw)).not.toContain('il1api-test-key') // the integration key is not echoed
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(1)
    const found = await waitFor('alert in ilert', async () => {
      const g = await call(client, 'get_alert', { alert_key: 'WORKER-7-QUEUE' })
      return g.isError ? undefined : g
    })
    expect(found.data.alert).toMatchObject({ summary: 'Queue depth above 10k on worker-7', status: 'PENDING', escalationPolicy: { name: 'Platform default' } })
    expect(found.text).toContain('Assigned to:')
  })

  test('only summary is required for an alert; invalid events and a resolve without key are tool errors', async () => {
    expect((await call(client, 'send_event', { summary: 'bare' })).isError).toBe(false)
    const noKey = await call(client, 'send_event', { event_type: 'resolve' })
    expect(noKey.isError).toBe(true)
    expect(noKey.text).toContain('alert_key')
    const wrongType = await call(client, 'send_event', { summary: 'x', alert_key: 'x', event_type: 'close' })
    expect(wrongType.isError).toBe(true)
    expect(wrongType.text).toContain('event_type: must be one of alert, accept, resolve, comment (got "close")')
    const extra = await call(client, 'send_event', { summary: 'x', bogus: 1 })
    expect(extra.isError).toBe(true)
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(2)
  })

  test('a custom_details integer JSON cannot carry exactly is a tool error naming the field, not altered', async () => {
    const r = await call(client, 'send_event', { summary: 'big id', alert_key: 'big-id', custom_details: { order: { id: 12345678901234567890 } } })
    expect(r.isError).toBe(true)
    expect(r.text).toContain('custom_details.order.id')
    expect(r.text).toContain('send it as a string')
    expect(await stack.metric('mcp_in_events_total', { transport: 'mcp' })).toBe(2)
  })
})

describe('alerts', () => {
  test('list_alerts filters by state and pages within the cap', async () => {
    const pending = await call(client, 'list_alerts', { states: ['PENDING'], max_results: 100 })
    expect(pending.data.alerts.every((a: any) => a.status === 'PENDING')).toBe(true)
    expect(pending.text).toContain('Card payment failure rate')
    const page = await call(client, 'list_alerts', { max_results: 2 })
    expect(page.data).toMatchObject({ count: 2, start_index: 0, max_results: 2, next_start_index: 2 })
    expect(page.text).toContain('start_index 2')
    const bySource = await call(client, 'list_alerts', { source_ids: [102] })
    expect(bySource.data.alerts.map((a: any) => a.id)).toEqual([2])
  })

  test('get_alert by id; unknown id is an actionable error', async () => {
    const r = await call(client, 'get_alert', { id: 1 })
    expect(r.data.alert).toMatchObject({ id: 1, status: 'ACCEPTED', alertKey: 'db-02-disk' })
    expect(r.text).toContain('Disk usage 91% on db-02')
    const missing = await call(client, 'get_alert', { id: 9999 })
    expect(missing.isError).toBe(true)
    expect(missing.text).toContain('404')
    expect((await call(client, 'get_alert', {})).isError).toBe(true)
  })

  test('assign_alert to a user, a policy or a schedule; exactly one target', async () => {
    expect((await call(client, 'assign_alert', { id: 3, user_id: 4 })).data.alert.assignedTo.id).toBe(4)
    expect((await call(client, 'assign_alert', { id: 3, escalation_policy_id: 2 })).data.alert.escalationPolicy.name).toBe('Payments critical')
    expect((await call(client, 'assign_alert', { id: 3, schedule_id: 1 })).data.alert.assignedTo).toBeDefined()
    expect((await call(client, 'assign_alert', { id: 3, user_id: 1, schedule_id: 1 })).isError).toBe(true)
  })

  test('add_alert_responder, then again is a conflict', async () => {
    const r = await call(client, 'add_alert_responder', { id: 3, user_id: 5 })
    expect(r.isError).toBe(false)
    expect(r.data.alert.responders.map((x: any) => x.user.id)).toContain(5)
    const again = await call(client, 'add_alert_responder', { id: 3, user_id: 5 })
    expect(again.isError).toBe(true)
    expect(again.text).toContain('ilert answered 405')
    expect(again.raw.structuredContent).toBeUndefined() // an error does not pretend to match the outputSchema
  })

  test('accept_alert and resolve_alert, and the log shows who did what', async () => {
    expect((await call(client, 'accept_alert', { id: 3 })).data.alert.status).toBe('ACCEPTED')
    expect((await call(client, 'resolve_alert', { id: 3 })).data.alert.status).toBe('RESOLVED')
    const log = await call(client, 'list_alert_log_entries', { id: 3 })
    expect(log.text).toContain('Alert created by event')
    expect(log.text).toContain('accepted by Ava Fischer')
    expect(log.text).toContain('resolved by Ava Fischer')
    expect((await call(client, 'accept_alert', { id: 3 })).isError).toBe(true) // resolved alerts cannot be accepted
  })
})

describe('on-call and directory', () => {
  test('who_is_on_call now, by policy, and at a given time', async () => {
    const all = await call(client, 'who_is_on_call')
    expect(all.data.count).toBeGreaterThanOrEqual(5)
    const platform = await call(client, 'who_is_on_call', { escalation_policy_id: 1, at: '2026-01-05T10:00:00Z' })
    expect(platform.data.on_calls.map((o: any) => [o.escalationLevel, o.user.firstName])).toEqual([[1, 'Ben'], [2, 'Dmitri'], [3, 'Ava']])
    const week2 = await call(client, 'who_is_on_call', { schedule_id: 1, at: '2026-01-12T10:00:00Z' })
    expect(week2.data.on_calls[0].user.firstName).toBe('Dmitri')
    expect((await call(client, 'who_is_on_call', { at: 'yesterday' })).isError).toBe(true)
  })

  test('list_schedules, list_escalation_policies, list_services, list_users, find_user_by_email', async () => {
    expect((await call(client, 'list_schedules')).text).toContain('Platform primary')
    expect((await call(client, 'list_escalation_policies')).text).toContain('L1 schedule #1 Platform primary (15 min)')
    const services = await call(client, 'list_services', { max_results: 100 })
    expect(services.data.services.find((s: any) => s.name === 'Payment gateway').status).toBe('DEGRADED')
    expect((await call(client, 'list_users', { max_results: 2 })).data).toMatchObject({ count: 2, next_start_index: 2 })
    expect((await call(client, 'find_user_by_email', { email: 'chloe.martin@example.com' })).data.user.id).toBe(3)
    expect((await call(client, 'find_user_by_email', { email: 'nobody@example.com' })).isError).toBe(true)
  })
})

describe('status-page incidents', () => {
  test('create, get, update (full replace with If-Match), list', async () => {
    const created = await call(client, 'create_incident', { summary: 'Checkout slow for some users', message: 'Investigating.', affected_services: [{ service_id: 1, impact: 'DEGRADED' }] })
    expect(created.isError).toBe(false)
    const id = created.data.incident.id
    expect(created.data.incident).toMatchObject({ status: 'INVESTIGATING', affectedServices: [{ impact: 'DEGRADED', service: { id: 1 } }] })
    expect((await call(client, 'get_incident', { id })).text).toContain('Checkout slow for some users')
    const updated = await call(client, 'update_incident', { id, status: 'RESOLVED', message: 'Fixed.' })
    expect(updated.data.incident).toMatchObject({ status: 'RESOLVED', summary: 'Checkout slow for some users', message: 'Fixed.', affectedServices: [{ service: { id: 1 } }] })
    const open = await call(client, 'list_incidents', { states: ['IDENTIFIED'] })
    expect(open.data.incidents.map((i: any) => i.summary)).toEqual(['Elevated payment failures for card payments'])
    expect((await call(client, 'update_incident', { id: 999, status: 'RESOLVED' })).isError).toBe(true)
  })
})

describe("search and fetch (ChatGPT's contract)", () => {
  test('search returns exactly {results:[{id,title,url}]} as one text item, and fetch {id,title,text,url,metadata}', async () => {
    const s = await call(client, 'search', { query: 'payment' })
    expect(s.raw.content).toHaveLength(1)
    const body = JSON.parse(s.text)
    expect(Object.keys(body)).toEqual(['results'])
    expect(body).toEqual(s.data)
    const ids = body.results.map((r: any) => r.id)
    expect(ids).toEqual(expect.arrayContaining(['alert:2', 'incident:1', 'service:2']))
    for (const r of body.results) expect(Object.keys(r).sort()).toEqual(['id', 'title', 'url'])
    expect(body.results.every((r: any) => r.url.startsWith('http'))).toBe(true)
    for (const id of ['alert:2', 'incident:1', 'service:2']) {
      const f = await call(client, 'fetch', { id })
      const doc = JSON.parse(f.text)
      expect(Object.keys(doc).sort()).toEqual(['id', 'metadata', 'text', 'url', 'title'].sort())
      expect(doc.id).toBe(id)
      expect(doc.text.length).toBeGreaterThan(10)
    }
    expect((await call(client, 'fetch', { id: 'nope' })).isError).toBe(true)
    expect(JSON.parse((await call(client, 'search', { query: 'zzzz-no-match' })).text)).toEqual({ results: [] })
  })
})
