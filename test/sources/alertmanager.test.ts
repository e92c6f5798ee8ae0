/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, started here on free ports
 * with its own config) routes to the bridge at ilert's own path /api/v1/events/prometheus/{key}.
 * Alerts fired and resolved through Alertmanager's API reach the ilert simulator as ALERT then
 * RESOLVE per fingerprint. With the bridge's store full it answers 503, Alertmanager retries, and
 * once the store drains every alert arrives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, TEST_KEY, waitFor } from '../helpers/harness'
import { ensureProgram, freeTcpPort, spawnDaemon } from '../helpers/external'

type Daemon = ReturnType<typeof spawnDaemon>

async function startAlertmanager(webhookUrl: string): Promise<{ api: string; daemon: Daemon; dir: string }> {
  const bin = await ensureProgram('prometheus-alertmanager', 'prometheus-alertmanager')
  const dir = mkdtempSync(join(tmpdir(), 'am-'))
  writeFileSync(
    join(dir, 'am.yml'),
    [
      'route:',
      '  receiver: bridge',
      "  group_by: ['alertname', 'instance']",
      '  group_wait: 100ms',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: bridge',
      '    webhook_configs:',
      `      - url: '${webhookUrl}'`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  )
  const port = await freeTcpPort()
  const daemon = spawnDaemon([bin, `--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=debug'])
  const api = `http://127.0.0.1:${port}/api/v2`
  await waitFor(`alertmanager to start: ${daemon.output()}`, async () => (await fetch(`${api}/status`).catch(() => undefined))?.ok, 15_000)
  return { api, daemon, dir }
}

async function postAlerts(api: string, alerts: unknown[]) {
  const r = await fetch(`${api}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) })
  expect(r.status).toBe(200)
}

const alert = (name: string, instance: string, resolved = false) => ({
  labels: { alertname: name, instance, severity: 'critical', ilert_routingkey: 'ops' },
  annotations: { summary: `${name} on ${instance}`, description: 'it is down' },
  generatorURL: 'http://prometheus.example/graph?g0.expr=up',
  ...(resolved ? { startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() - 1000).toISOString() } : {}),
})

async function fingerprints(api: string): Promise<Map<string, string>> {
  const list = (await (await fetch(`${api}/alerts`)).json()) as { fingerprint: string; labels: Record<string, string> }[]
  return new Map(list.map((a) => [a.labels.instance!, a.fingerprint]))
}

describe('Alertmanager → bridge → ilert', () => {
  let stack: Stack
  let am: Awaited<ReturnType<typeof startAlertmanager>>
  beforeAll(async () => {
    stack = await startStack()
    am = await startAlertmanager(`${stack.bound.http.url}/api/v1/events/prometheus/${TEST_KEY}`)
  })
  afterAll(async () => {
    am?.daemon.kill()
    await am?.daemon.exited
    if (am) rmSync(am.dir, { recursive: true, force: true })
    await stack.stop()
  })

  test('fire two alerts, then resolve them: ALERT then RESOLVE per fingerprint, labels and link mapped', async () => {
    await postAlerts(am.api, [alert('HostDown', 'web-1'), alert('HostDown', 'web-2')])
    const fps = await waitFor('fingerprints', async () => ((await fingerprints(am.api)).size === 2 ? fingerprints(am.api) : undefined))
    for (const [instance, fp] of fps) {
      const a = await waitFor(`ALERT for ${instance}`, () => stack.sim.alerts().find((x) => x.alertKey === fp && x.status === 'PENDING'), 15_000)
      expect(a.summary).toBe(`HostDown on ${instance}`)
      expect(a.priority).toBe('HIGH')
      const body = stack.sim.events().find((e) => e.alertKey === fp)!.body as any
      expect(body.eventType).toBe('ALERT')
      expect(body.labels).toMatchObject({ alertname: 'HostDown', instance, source: 'alertmanager' })
      expect(body.details).toBe('it is down')
      expect(body.routingKey).toBe('ops')
      expect(body.links).toEqual([{ href: 'http://prometheus.example/graph?g0.expr=up', text: 'Source' }])
    }
    await postAlerts(am.api, [alert('HostDown', 'web-1', true), alert('HostDown', 'web-2', true)])
    for (const [instance, fp] of fps) {
      await waitFor(`RESOLVE for ${instance}`, () => stack.sim.alerts().find((x) => x.alertKey === fp && x.status === 'RESOLVED'), 15_000)
      const types = stack.sim.events().filter((e) => e.alertKey === fp).map((e) => e.eventType)
      expect(types[0]).toBe('ALERT')
      expect(types.at(-1)).toBe('RESOLVE')
    }
    expect(await stack.metric('mcp_in_events_total', { transport: 'alertmanager' })).toBeGreaterThanOrEqual(4)
  }, 40_000)

  test('bad payloads: 400 naming the field, counted', async () => {
    const url = `${stack.bound.http.url}/alertmanager`
    const cases: [unknown, RegExp][] = [
      [{ version: '3', alerts: [] }, /version/],
      [{ version: '4' }, /alerts/],
      [{ version: '4', alerts: [{ status: 'burning', labels: {} }] }, /alerts\.0\.status/],
      [[1, 2], /root/],
    ]
    for (const [body, field] of cases) {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(r.status).toBe(400)
      expect(((await r.json()) as any).error).toMatch(field)
    }
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'alertmanager', reason: 'schema' })).toBe(cases.length)
  })
})

describe('Alertmanager with the bridge store full', () => {
  test('503 while full, Alertmanager retries, and every alert arrives once there is room', async () => {
    // ilert is down (503), so the two filler calls stay pending, retrying, and fill the store
    // (capacity 2 pending calls): the notification with 3 alerts does not fit.
    const stack = await startStack({
      config: { queue: { capacity: 2 }, dispatch: { concurrency: 1, drain_timeout_seconds: 5 }, retries: { max_attempts: 10_000 } },
      sim: { faults: { forceStatus: 503 } },
    })
    const am = await startAlertmanager(`${stack.bound.http.url}/api/v1/events/prometheus/${TEST_KEY}`)
    try {
      const ev = (i: number) => ({ summary: `filler ${i}`, alert_key: `filler-${i}` })
      for (let i = 0; i < 2; i++) await fetch(stack.eventsUrl, { method: 'POST', body: JSON.stringify(ev(i)), headers: { 'content-type': 'application/json' } })
      await waitFor('store full', () => stack.app.ingestor.freeSlots() === 0)
      await postAlerts(am.api, [alert('Full', 'a'), alert('Full', 'b'), alert('Full', 'c')])
      await waitFor('a 503 to Alertmanager', async () => (await stack.metric('mcp_rejected_events_total', { transport: 'alertmanager', reason: 'queue_full' })) >= 2, 20_000)
      expect(await stack.metric('mcp_in_events_total', { transport: 'alertmanager' })).toBe(0)
      stack.sim.setFaults({ forceStatus: undefined })
      const fps = await fingerprints(am.api)
      expect(fps.size).toBe(3)
      for (const fp of fps.values()) await waitFor(`alert ${fp} delivered after the retry`, () => stack.sim.alerts().find((x) => x.alertKey === fp), 30_000)
      for (let i = 0; i < 2; i++) expect(stack.sim.alerts().some((x) => x.alertKey === `filler-${i}`)).toBe(true)
    } finally {
      am.daemon.kill()
      await am.daemon.exited
      rmSync(am.dir, { recursive: true, force: true })
      await stack.stop()
    }
  }, 60_000)
})
