/**
 * TCP ingest end to end: NDJSON in over a real socket, acknowledged before delivery, and the
 * events arrive at the simulator; a bad line in the middle is reported and loses nothing else.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Stack, startStack, waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack.stop())

test('NDJSON over TCP is acknowledged and delivered; an invalid line in between is reported by number', async () => {
  const client = await connectClient(stack.bound.tcp!.port)
  const lines = [
    JSON.stringify({ mcp_id: 'tcp-1', source: 'probe-1', priority: 1, summary: 'Disk full', details: 'root disk at 98%', tags: ['disk', 'storage'] }),
    '{"mcp_id": "tcp-2", "priority": 2,',
    JSON.stringify({ mcp_id: 'tcp-3', priority: 4, summary: 'Fan slow' }),
  ]
  await client.send(lines.join('\n') + '\n')
  const ack = await client.waitForAck(3)
  expect(ack).toMatchObject({ ack: 3, accepted: 2, rejected: 1 })
  expect(client.errors()).toEqual([expect.objectContaining({ line: 2, reason: 'invalid_json' })])

  await waitFor('two alerts', () => stack.sim.alerts().filter((a: any) => a.alertKey.startsWith('tcp-')).length === 2)
  const disk = stack.sim.alerts().find((a: any) => a.alertKey === 'tcp-1') as any
  expect(disk).toMatchObject({ priority: 'HIGH', summary: 'Disk full', labels: { source: 'probe-1' } })
  expect(disk.customDetails.tags).toEqual(['disk', 'storage'])
  const fan = stack.sim.alerts().find((a: any) => a.alertKey === 'tcp-3') as any
  expect(fan.priority).toBe('LOW')
  expect(await stack.metric('mcp_in_events_total', { transport: 'tcp' })).toBe(2)
  expect(await stack.metric('mcp_rejected_events_total', { transport: 'tcp', reason: 'invalid_json' })).toBe(1)

  // The same connection keeps working.
  await client.send(JSON.stringify({ event_type: 'resolve', alert_key: 'tcp-1' }) + '\n')
  expect((await client.waitForAck(4)).accepted).toBe(3)
  await waitFor('resolved', () => (stack.sim.alerts().find((a: any) => a.alertKey === 'tcp-1') as any).status === 'RESOLVED')
  client.close()
})
