// The responder tools against the simulator's seeded org over real sockets: alert sources, the
// current user and "my alerts", teams, status pages, heartbeat monitors, maintenance windows
// (list, create, end, cancel), a comment on an alert by id (through the bridge queue to the alert's
// own source) and escalation to the next level of the alert's policy.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { assignToCurrentShift, call, startMcpStack, USER_KEY, type McpStack } from './helpers'

let stack: McpStack
let client: Client
beforeAll(async () => {
  stack = await startMcpStack({})
  client = await stack.connect()
})
afterAll(() => stack.closeAll())

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined || Date.now() > end) return v
    await Bun.sleep(50)
  }
}

describe('directory lookups', () => {
  test('list_alert_sources gives the ids list_alerts filters by', async () => {
    const r = await call(client, 'list_alert_sources')
    expect(r.isError).toBe(false)
    expect(r.data.alert_sources.map((s: any) => s.id)).toEqual([101, 102])
    expect(r.text).toContain('#102 Payments monitoring')
    expect(r.data.alert_sources[0].integrationKey).toBeUndefined() // not asked for, not shown
    const only = await call(client, 'list_alerts', { source_ids: [102] })
    expect(only.data.alerts.every((a: any) => a.alertSource.id === 102)).toBe(true)
  })

  test('get_current_user is the user behind the key', async () => {
    const me = await call(client, 'get_current_user')
    expect(me.data.user).toMatchObject({ id: 1, firstName: 'Ava', role: 'ADMIN' })
    const ben = await stack.connect({ Authorization: 'Bearer sim-responder-key' })
    expect((await call(ben, 'get_current_user')).data.user.id).toBe(2)
  })

  test('list_teams shows members with ids; list_status_pages shows services with status', async () => {
    const teams = await call(client, 'list_teams')
    expect(teams.data.teams.map((t: any) => t.name)).toEqual(['Platform', 'Payments'])
    expect(teams.text).toContain('#1 Ava Fischer')
    const pages = await call(client, 'list_status_pages')
    expect(pages.data.status_pages).toHaveLength(2)
    // The seeded open incident degrades the payment gateway, so the public page is not operational.
    expect(pages.data.status_pages[0].status).toBe('DEGRADED')
    expect(pages.text).toContain('#2 Payment gateway (DEGRADED)')
  })

  test('heartbeat monitors with their state', async () => {
    const list = await call(client, 'list_heartbeat_monitors')
    expect(list.data.heartbeat_monitors.map((h: any) => h.state)).toEqual(['HEALTHY', 'OVERDUE', 'UNKNOWN'])
    const one = await call(client, 'get_heartbeat_monitor', { id: 2 })
    expect(one.data.heartbeat_monitor).toMatchObject({ id: 2, state: 'OVERDUE', intervalSec: 900 })
    expect(one.text).toContain('[OVERDUE]')
    const missing = await call(client, 'get_heartbeat_monitor', { id: 99 })
    expect(missing.isError).toBe(true)
  })
})

describe('my alerts', () => {
  test('list_my_alerts returns only alerts the user is assigned to or responds to', async () => {
    await call(client, 'add_alert_responder', { id: 3, user_id: 1 })
    const mine = await call(client, 'list_my_alerts')
    expect(mine.isError).toBe(false)
    const ids = mine.data.alerts.map((a: any) => a.id)
    expect(ids).toContain(3)
    for (const a of mine.data.alerts) {
      expect(a.assignedTo?.id === 1 || a.responders.some((r: any) => r.user.id === 1)).toBe(true)
      expect(['PENDING', 'ACCEPTED']).toContain(a.status)
    }
  })
})

describe('maintenance windows', () => {
  test('list, create, end now, and cancel one that has not started', async () => {
    const open = await call(client, 'list_maintenance_windows', { state: 'OPEN' })
    expect(open.data.maintenance_windows.map((w: any) => w.summary)).toContain('Email provider migration')
    const closed = await call(client, 'list_maintenance_windows', { state: 'CLOSED' })
    expect(closed.data.maintenance_windows.map((w: any) => w.summary)).toContain('Database minor upgrade')

    const made = await call(client, 'create_maintenance_window', { summary: 'db-02 disk resize', duration_minutes: 60, service_ids: [1], alert_source_ids: [101] })
    expect(made.isError).toBe(false)
    const id = made.data.maintenance_window.id
    expect(made.data.maintenance_window.createdBy).toBe('Ava Fischer')
    expect((await call(client, 'list_maintenance_windows', { state: 'OPEN' })).data.maintenance_windows.map((w: any) => w.id)).toContain(id)
    const ended = await call(client, 'end_maintenance_window', { id })
    expect(ended.data).toMatchObject({ ended: true, cancelled: false })
    expect(Date.parse(ended.data.maintenance_window.end)).toBeLessThanOrEqual(Date.now())
    expect((await call(client, 'list_maintenance_windows', { state: 'CLOSED' })).data.maintenance_windows.map((w: any) => w.id)).toContain(id)

    const start = new Date(Date.now() + 86_400_000).toISOString()
    const later = await call(client, 'create_maintenance_window', { summary: 'Tomorrow', start, duration_minutes: 30, service_ids: [3] })
    const cancelled = await call(client, 'end_maintenance_window', { id: later.data.maintenance_window.id })
    expect(cancelled.data).toMatchObject({ ended: true, cancelled: true })
    expect((await call(client, 'list_maintenance_windows', {})).data.maintenance_windows.map((w: any) => w.id)).not.toContain(later.data.maintenance_window.id)
  })

  test('a window needs a scope and exactly one of end and duration', async () => {
    expect((await call(client, 'create_maintenance_window', { summary: 'x', duration_minutes: 5 })).text).toContain('service_ids or alert_source_ids')
    expect((await call(client, 'create_maintenance_window', { summary: 'x', service_ids: [1] })).text).toContain('exactly one of end and duration_minutes')
  })
})

describe('comment and escalate by alert id', () => {
  test('comment_on_alert lands in the alert log, signed by the user; resolved alerts are refused', async () => {
    const r = await call(client, 'comment_on_alert', { id: 2, comment: 'PSP confirmed the issue; failover in progress.' })
    expect(r.isError, r.text).toBe(false)
    expect(r.data).toMatchObject({ queued: true, alert_key: 'psp-card-failures', creator: 'Ava Fischer' })
    const logged = await waitFor(async () => {
      const log = await call(client, 'list_alert_log_entries', { id: 2 })
      return log.data.log_entries?.some((e: any) => /comment/i.test(e.text)) ? log : undefined
    })
    expect(logged).toBeDefined()
    // Delivered to the alert's own source (il1api-sim-payments), not the bridge's default key.
    expect(stack.sim.keyStats('il1api-sim-payments')?.accepted).toBe(1)
    const sent = stack.sim.events().find((e) => e.eventType === 'COMMENT' && e.alertId === 2)
    expect((sent?.body as any).comments).toEqual([{ creator: 'Ava Fischer', content: 'PSP confirmed the issue; failover in progress.' }])
    const resolved = await call(client, 'comment_on_alert', { id: 4, comment: 'too late' })
    expect(resolved.isError).toBe(true)
    expect(resolved.text).toContain('resolved')
  })

  test('escalate_alert walks the policy level by level and stops at the last', async () => {
    await assignToCurrentShift(stack, 1, 1) // on level 1 of its policy whatever the time of day
    const policy = (await call(client, 'list_escalation_policies')).data.escalation_policies.find((p: any) => p.id === 1)
    expect(policy.escalationRules).toHaveLength(3)
    const first = await call(client, 'escalate_alert', { id: 1 })
    expect(first.isError, first.text).toBe(false)
    expect(first.data.escalated_to_level).toBe(2)
    expect(first.data.target).toEqual({ schedule: '2' })
    const second = await call(client, 'escalate_alert', { id: 1 })
    expect(second.data.escalated_to_level).toBe(3)
    expect(second.data.alert.assignedTo.id).toBe(1)
    const third = await call(client, 'escalate_alert', { id: 1 })
    expect(third.isError).toBe(true)
    expect(third.text).toContain('last level')
  })
})

test('the ilert key never shows in logs', () => {
  expect(stack.log.lines.join('\n')).not.toContain(USER_KEY)
})
