// The metrics listener: loopback by default, /metrics behind metrics.token when set (401 without
// it, counted), /healthz and /readyz beside it without a token, and no secret in the exposition.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, type Config } from '../../src/config/schema'
import { startStack, type Stack } from '../helpers/harness'

const METRICS_TOKEN = 'scrape-token-0123456789'
const INGEST_TOKEN = 'ingest-token-0123456789'

test('metrics bind loopback by default', () => {
  const c = Value.Default(ConfigSchema, {}) as Config
  expect(c.metrics.listen_address).toBe('127.0.0.1')
  expect(c.metrics.token).toBe('')
})

describe('metrics.token', () => {
  let s: Stack
  const url = (p: string) => s.bound.metrics!.url.replace('/metrics', p)
  beforeAll(async () => {
    s = await startStack({ config: { metrics: { enabled: true, token: METRICS_TOKEN }, auth: { tokens: [INGEST_TOKEN], failure_delay_max_seconds: 0.05 } } })
  })
  afterAll(() => s.stop())

  test('/metrics without or with a wrong token: 401, counted', async () => {
    expect(s.bound.metrics!.address).toBe('127.0.0.1')
    const r = await fetch(s.bound.metrics!.url)
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toContain('Bearer')
    expect((await fetch(s.bound.metrics!.url, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).status).toBe(401)
    expect(await s.metric('mcp_auth_failures_total', { transport: 'metrics' })).toBe(2)
  })

  test('with the token: the exposition, holding no secret', async () => {
    const r = await fetch(s.bound.metrics!.url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(r.status).toBe(200)
    const text = await r.text()
    expect(text).toContain('mcp_auth_failures_total{transport="metrics",reason="missing"} 1')
    for (const secret of [METRICS_TOKEN, INGEST_TOKEN, 'il1api-test-key-0001']) expect(text).not.toContain(secret)
  })

  test('/healthz and /readyz answer on the metrics listener without a token', async () => {
    expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(url('/readyz'))).json()).toEqual({ status: 'ready' })
    expect((await fetch(url('/other'))).status).toBe(404)
  })
})

test('without metrics.token, /metrics is open (on loopback)', async () => {
  const s = await startStack({ config: { metrics: { enabled: true } } })
  try {
    expect((await fetch(s.bound.metrics!.url)).status).toBe(200)
  } finally {
    await s.stop()
  }
})
