/**
 * The bad-input corpus for the syslog transport (TCP with both framings, and UDP): malformed,
 * over-long and mis-framed messages beside valid ones. Each bad one is counted under
 * mcp_rejected_events_total{transport="syslog",reason}; every valid one beside it reaches the
 * ilert simulator; a broken octet count closes only its own connection.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, waitFor } from '../helpers/harness'

let stack: Stack
let tcpPort: number
let udpPort: number

beforeAll(async () => {
  stack = await startStack({ config: { syslog: { enabled: true, tcp_port: 0, udp_port: 0, max_message_bytes: 2048 } } })
  tcpPort = stack.bound.syslog!.tcp!
  udpPort = stack.bound.syslog!.udp!
})
afterAll(() => stack.stop())

const alertFor = (key: string) => waitFor(`alert ${key}`, () => stack.sim.alerts().find((a) => a.alertKey === key))

describe('syslog bad input (bad-input corpus for the syslog transport)', () => {
  async function sendTcp(data: string | Uint8Array) {
    const s = await Bun.connect({ hostname: '127.0.0.1', port: tcpPort, socket: { data() {} } })
    s.write(data)
    s.end()
    await Bun.sleep(50)
  }
  const rejected = (reason: string) => stack.metric('mcp_rejected_events_total', { transport: 'syslog', reason })

  test('newline framing: no PRI, bad 5424 header, invalid UTF-8, over-long line; valid lines beside them all arrive', async () => {
    const before = { np: await rejected('no_priority'), bh: await rejected('bad_header'), u8: await rejected('invalid_utf8'), tl: await rejected('message_too_long') }
    const ok = (n: number) => `<11>1 2024-01-01T00:00:00Z h-bad app-bad - M${n} - fine ${n}\n`
    const bad = Buffer.concat([
      Buffer.from(ok(1)),
      Buffer.from('no priority here\n'),
      Buffer.from(ok(2)),
      Buffer.from('<11>1 only-two\n'),
      Buffer.from('<11>1 2024-01-01T00:00:00Z h a - - [sd unterminated\n'),
      Buffer.from([0x3c, 0x31, 0x31, 0x3e, 0xff, 0xfe, 0x0a]),
      Buffer.from(`<11>${'x'.repeat(5000)}\n`),
      Buffer.from(`<999>too high\n`),
      Buffer.from(ok(3)),
    ])
    await sendTcp(bad)
    for (const n of [1, 2, 3]) await alertFor(`h-bad/app-bad/M${n}`)
    await waitFor('counts', async () => (await rejected('message_too_long')) === before.tl + 1)
    expect(await rejected('no_priority')).toBe(before.np + 2)
    expect(await rejected('bad_header')).toBe(before.bh + 2)
    expect(await rejected('invalid_utf8')).toBe(before.u8 + 1)
  })

  test('octet-counted framing: an over-long frame is skipped whole; a broken count closes only that connection', async () => {
    const before = { tl: await rejected('message_too_long'), bf: await rejected('bad_framing') }
    const frame = (m: string) => `${Buffer.byteLength(m)} ${m}`
    await sendTcp(frame('<11>1 - h-oc app-oc - O1 - one') + frame(`<11>1 - h-oc app-oc - OX - ${'y'.repeat(3000)}`) + frame('<11>1 - h-oc app-oc - O2 - two'))
    await alertFor('h-oc/app-oc/O1')
    await alertFor('h-oc/app-oc/O2')
    expect(stack.sim.alerts().some((a) => a.alertKey === 'h-oc/app-oc/OX')).toBe(false)
    expect(await rejected('message_too_long')).toBe(before.tl + 1)
    await sendTcp(frame('<11>1 - h-oc app-oc - O3 - three') + '12x3 garbage')
    await alertFor('h-oc/app-oc/O3')
    await waitFor('bad_framing', async () => (await rejected('bad_framing')) === before.bf + 1)
  })

  test('UDP: an over-long datagram and a datagram without PRI are counted; the next valid one arrives', async () => {
    const before = { tl: await rejected('message_too_long'), np: await rejected('no_priority') }
    const sock = await Bun.udpSocket({})
    sock.send(`<11>1 - h-u app-u - BIG - ${'z'.repeat(4000)}`, udpPort, '127.0.0.1')
    sock.send('garbage', udpPort, '127.0.0.1')
    sock.send('<11>1 - h-u app-u - OK - fine', udpPort, '127.0.0.1')
    sock.close()
    await alertFor('h-u/app-u/OK')
    await waitFor('counted', async () => (await rejected('message_too_long')) === before.tl + 1 && (await rejected('no_priority')) === before.np + 1)
  })

  test('RFC 3164 (BSD) lines are taken too', async () => {
    await sendTcp('<28>Oct 11 22:14:15 bsdhost sshd[4711]: authentication failure for root\n')
    const a = await alertFor('bsdhost/sshd/-')
    expect(a.summary).toBe('authentication failure for root')
    const body = stack.sim.events().find((e) => e.alertKey === 'bsdhost/sshd/-')!.body as any
    expect(body.labels).toMatchObject({ procid: '4711', severity: 'warning', facility: 'daemon' })
  })
})
