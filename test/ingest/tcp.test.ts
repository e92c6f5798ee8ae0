import { afterEach, describe, expect, test } from 'bun:test'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import { connectClient, eventLine, startTcp, type TcpHarness, type TcpTestClient } from '../helpers/tcp-client'

let h: TcpHarness
let clients: TcpTestClient[] = []

async function setup(opts: Parameters<typeof startTcp>[0] = {}): Promise<TcpTestClient> {
  h = startTcp(opts)
  const c = await connectClient(h.port)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients) c.close()
  clients = []
  await h.stop()
})

const summaries = (h: TcpHarness) => h.take().map((e) => e.body.summary)

describe('tcp ingest: protocol', () => {
  test('valid lines are queued as ilert events and acknowledged', async () => {
    const c = await setup()
    await c.send(JSON.stringify({ summary: 'disk full', priority: 2, alert_key: 'disk-1', source: 'db1' }) + '\n')
    expect(await c.waitForAck(1)).toEqual({ ack: 1, accepted: 1, rejected: 0 })
    const [ev, ...rest] = h.take()
    expect(rest).toEqual([])
    expect(ev?.body).toMatchObject({
      integrationKey: 'test-integration-key',
      eventType: 'ALERT',
      summary: 'disk full',
      priority: 'HIGH',
      severity: 2,
      alertKey: 'disk-1',
      labels: { source: 'db1' },
    })
    expect(ev?.laneKey).toBe(laneKeyFor('disk-1'))
  })

  test('a line split across many writes, byte by byte', async () => {
    const c = await setup()
    const bytes = Buffer.from(eventLine(1, { summary: 'split über ✓' }))
    for (const b of bytes) {
      await c.send(Uint8Array.of(b))
      await Bun.sleep(0)
    }
    await c.waitForAck(1)
    expect(summaries(h)).toEqual(['split über ✓'])
  })

  test('many lines in one write get one cumulative ack', async () => {
    const c = await setup()
    let text = ''
    for (let i = 1; i <= 500; i++) text += eventLine(i)
    await c.send(text)
    expect(await c.waitForAck(500)).toEqual({ ack: 500, accepted: 500, rejected: 0 })
    expect(c.replies.length).toBeLessThan(500)
    expect(summaries(h)).toEqual(Array.from({ length: 500 }, (_, i) => `event ${i + 1}`))
  })

  test('CRLF line endings and empty lines', async () => {
    const c = await setup()
    await c.send(eventLine(1).replace('\n', '\r\n') + '\r\n\n' + eventLine(2).replace('\n', '\r\n'))
    expect(await c.waitForAck(4)).toEqual({ ack: 4, accepted: 2, rejected: 0 })
    expect(c.errors()).toEqual([])
    expect(summaries(h)).toEqual(['event 1', 'event 2'])
  })

  test('an invalid JSON line is reported by number; neighbours and the connection survive', async () => {
    const c = await setup()
    await c.send(eventLine(1) + '{"summary": nope\n' + eventLine(3))
    expect(await c.waitForAck(3)).toEqual({ ack: 3, accepted: 2, rejected: 1 })
    const [err] = c.errors()
    expect(err).toMatchObject({ line: 2, reason: 'invalid_json' })
    expect(err?.message).toContain('JSON')
    // the error line comes before the ack that covers it
    expect(c.replies.findIndex((r) => 'error' in r)).toBeLessThan(c.replies.findIndex((r) => 'ack' in r && r.ack >= 2))
    await c.send(eventLine(4))
    expect(await c.waitForAck(4)).toEqual({ ack: 4, accepted: 3, rejected: 1 })
    expect(summaries(h)).toEqual(['event 1', 'event 3', 'event 4'])
    expect(await h.rejected('invalid_json')).toBe(1)
  })

  test('a schema error names the field', async () => {
    const c = await setup()
    await c.send(eventLine(1, { priority: 'urgent' }) + eventLine(2, { colour: 'red' }) + '[1]\n')
    await c.waitForAck(3)
    expect(c.errors()).toEqual([
      { line: 1, reason: 'schema', field: 'priority', message: expect.any(String) },
      { line: 2, reason: 'schema', field: 'colour', message: expect.any(String) },
      { line: 3, reason: 'schema', field: '(root)', message: 'must be a JSON object' },
    ])
    expect(c.lastAck()).toEqual({ ack: 3, accepted: 0, rejected: 3 })
    expect(await h.rejected('schema')).toBe(3)
  })

  test('a line over max_line_bytes is rejected as line_too_long; the next line is accepted', async () => {
    const c = await setup({ tcp: { max_line_bytes: 1024 } })
    await c.send(Buffer.alloc(1 << 20, 0x78))
    await c.send('\n' + eventLine(2))
    expect(await c.waitForAck(2)).toEqual({ ack: 2, accepted: 1, rejected: 1 })
    expect(c.errors()).toEqual([
      { line: 1, reason: 'line_too_long', message: 'exceeds tcp.max_line_bytes (1024)' },
    ])
    expect(summaries(h)).toEqual(['event 2'])
    expect(await h.rejected('line_too_long')).toBe(1)
  })

  test('half-close: a final line without newline is processed and acked, then the bridge closes', async () => {
    const c = await setup()
    await c.send(eventLine(1) + eventLine(2).trimEnd())
    c.shutdown()
    await c.waitForClose()
    expect(c.lastAck()).toEqual({ ack: 2, accepted: 2, rejected: 0 })
    expect(summaries(h)).toEqual(['event 1', 'event 2'])
  })
})
