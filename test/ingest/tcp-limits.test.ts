import { afterEach, describe, expect, test } from 'bun:test'
import type { Entry } from '../../src/dispatch/coalesce'
import { connectClient, eventLine, startTcp, type TcpHarness, type TcpTestClient } from '../helpers/tcp-client'

let h: TcpHarness | undefined
let clients: TcpTestClient[] = []

async function client(): Promise<TcpTestClient> {
  const c = await connectClient((h as TcpHarness).port)
  clients.push(c)
  return c
}

afterEach(async () => {
  for (const c of clients) c.close()
  clients = []
  await h?.stop()
  h = undefined
})

/** Polls until cond holds (no timing assertion: only a generous upper bound). */
async function eventually(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(10)
  }
}

describe('tcp ingest: backpressure and limits', () => {
  test('a full queue pauses the connection; nothing is rejected and all lines arrive in order', async () => {
    h = startTcp({ capacity: 5 })
    const c = await client()
    let text = ''
    for (let i = 1; i <= 20; i++) text += eventLine(i)
    await c.send(text)
    expect(await c.waitForAck(5)).toEqual({ ack: 5, accepted: 5, rejected: 0 })
    await Bun.sleep(50)
    expect(c.lastAck()).toEqual({ ack: 5, accepted: 5, rejected: 0 })
    expect(h.store.table.entries).toBe(5)

    const got: Entry[] = []
    while (got.length < 20) {
      got.push(...h.take())
      await c.waitForAck(Math.min(20, got.length + 5))
    }
    expect(got.map((e) => e.body.summary)).toEqual(Array.from({ length: 20 }, (_, i) => `event ${i + 1}`))
    expect(c.lastAck()).toEqual({ ack: 20, accepted: 20, rejected: 0 })
    expect(c.errors()).toEqual([])
    expect(await h.rejected('queue_full')).toBe(0)
  })

  test('half-close while held back: the rest is processed once there is room, then the bridge closes', async () => {
    h = startTcp({ capacity: 1 })
    const c = await client()
    await c.send(eventLine(1) + eventLine(2) + eventLine(3).trimEnd())
    c.shutdown()
    await c.waitForAck(1)
    const got: string[] = []
    while (!c.closed) {
      for (const e of h.take()) got.push(e.body.summary)
      await Bun.sleep(5)
    }
    for (const e of h.take()) got.push(e.body.summary)
    expect(got).toEqual(['event 1', 'event 2', 'event 3'])
    expect(c.lastAck()).toEqual({ ack: 3, accepted: 3, rejected: 0 })
  })

  test('a client that does not read its replies stops being read, then catches up', async () => {
    h = startTcp({ tcp: { max_line_bytes: 4096 } })
    const c = await client()
    // Each line is rejected with an error line about as long as itself (it names the unknown field).
    const bad = JSON.stringify({ summary: 's', ['f'.repeat(2000)]: 1 }) + '\n'
    const total = 20_000 // ~40 MB each way: more than the kernel buffers hold
    c.pauseReading()
    const sending = c.send(bad.repeat(total))
    let last = -1
    await eventually(async () => {
      const now = await h!.rejected('schema')
      const stable = now === last && now > 0
      last = now
      if (!stable) await Bun.sleep(200)
      return stable
    }, 'the server to stop reading', 10_000)
    expect(last).toBeLessThan(total)
    c.resumeReading()
    await sending
    expect(await c.waitForAck(total, 10_000)).toEqual({ ack: total, accepted: 0, rejected: total })
    expect(c.errors().length).toBe(total)
    expect(c.errors().at(-1)).toMatchObject({ line: total, field: 'f'.repeat(2000) })
  })

  test('connections beyond max_connections are refused and counted', async () => {
    h = startTcp({ tcp: { max_connections: 2 } })
    const a = await client()
    const b = await client()
    await eventually(() => h!.tcp.connections() === 2, 'two connections')
    const refused = await client()
    await refused.waitForClose()
    expect(refused.replies).toEqual([{ error: { reason: 'too_many_connections' } }])
    expect(await h.rejected('too_many_connections')).toBe(1)
    expect(h.tcp.connections()).toBe(2)

    a.close()
    await eventually(() => h!.tcp.connections() === 1, 'one connection')
    const d = await client()
    await d.send(eventLine(1))
    expect(await d.waitForAck(1)).toEqual({ ack: 1, accepted: 1, rejected: 0 })
    await b.send(eventLine(2))
    await b.waitForAck(1)
  })

  test('an idle connection is closed after idle_timeout_seconds; one held back by a full queue is not', async () => {
    h = startTcp({ capacity: 1, tcp: { idle_timeout_seconds: 1 } })
    const held = await client()
    await held.send(eventLine(1) + eventLine(2))
    await held.waitForAck(1)
    // Connected after `held` was paused: were `held` still on an idle timer, it would expire first.
    const idle = await client()
    await idle.waitForClose(8000)
    await eventually(() => h!.tcp.connections() === 1, 'idle connection removed')
    expect(h.log.lines.some((l) => l.includes('"level":"debug"') && l.includes('idle'))).toBe(true)
    await Bun.sleep(50)
    expect(held.closed).toBe(false)
    h.take()
    expect(await held.waitForAck(2)).toEqual({ ack: 2, accepted: 2, rejected: 0 })
  })

  test('stop() stops accepting, flushes acks and closes connections', async () => {
    h = startTcp()
    const c = await client()
    await c.send(eventLine(1) + eventLine(2))
    await c.waitForAck(2)
    await h.stop()
    await c.waitForClose()
    expect(c.lastAck()).toEqual({ ack: 2, accepted: 2, rejected: 0 })
    expect(h.tcp.connections()).toBe(0)
    await expect(connectClient(h.port)).rejects.toThrow()
  })
})
