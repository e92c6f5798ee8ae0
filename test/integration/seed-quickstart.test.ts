/**
 * The seed README's quick start, end to end over real sockets: its exact curl body goes in over
 * HTTP, and the simulator (standing in for ilert) ends up with a HIGH alert keyed abc-123.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { postEvents, type Stack, startStack, waitFor } from '../helpers/harness'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack.stop())

// Verbatim from the seed README's "Send a sample MCP event".
const SEED_BODY = `{
    "mcp_id":"abc-123",
    "source":"monitoring-ng",
    "priority":2,
    "summary":"CPU usage above threshold",
    "details":"host: web-01, cpu: 92%"
  }`

test('the seed curl produces an ALERT with priority HIGH and alertKey abc-123 in ilert', async () => {
  const res = await postEvents(stack, SEED_BODY)
  expect(res.status).toBe(202)
  expect(await res.json()).toEqual({ accepted: 1 })

  const alerts = await waitFor("the alert in the simulator", async (): Promise<any[] | undefined> => {
    const r = await fetch(`${stack.simUrl}/api/alerts?states=PENDING`)
    const list = (await r.json()) as any[]
    return list.length > 0 ? list : undefined
  })
  expect(alerts).toHaveLength(1)
  expect(alerts[0]).toMatchObject({
    alertKey: 'abc-123',
    priority: 'HIGH',
    status: 'PENDING',
    summary: 'CPU usage above threshold',
    details: 'host: web-01, cpu: 92%',
  })
  // Nothing the sender gave is dropped: source reaches ilert as a label and in custom details.
  expect(alerts[0].labels).toEqual({ source: 'monitoring-ng' })
  expect(alerts[0].customDetails).toMatchObject({ mcp_id: 'abc-123', source: 'monitoring-ng', mcp_priority: 2 })
  expect(await stack.metric('mcp_in_events_total', { transport: 'http' })).toBe(1)
  await waitFor('success metric', async () => (await stack.metric('mcp_out_success_total')) === 1)
  expect((await stack.metric('mcp_processing_latency_seconds'))).toBeGreaterThan(0)
})

test('re-sending the same mcp_id updates the same ilert alert instead of opening another', async () => {
  await postEvents(stack, { mcp_id: 'abc-123', priority: 2, summary: 'CPU usage still high' })
  await waitFor('second delivery', async () => (await stack.metric('mcp_out_success_total')) === 2)
  const list = (await (await fetch(`${stack.simUrl}/api/alerts`)).json()) as any[]
  expect(list.filter((a) => a.alertKey === 'abc-123')).toHaveLength(1)
  expect(list[0].summary).toBe('CPU usage still high')
})
