/**
 * The syslog source against real senders: util-linux `logger` sending RFC 5424 over TCP (newline
 * and octet-counted framing) and UDP, and a private rsyslogd instance (own config, pid file and
 * ports) forwarding with octet-counted framing. Each message reaches the ilert simulator with the
 * documented mapping; bad input beside valid messages is counted under
 * mcp_rejected_events_total{transport="syslog",reason} and loses none of the valid ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, waitFor } from '../helpers/harness'
import { ensureProgram, freeTcpUdpPort, spawnDaemon } from '../helpers/external'

let stack: Stack
let tcpPort: number
let udpPort: number
const HOST = hostname()

beforeAll(async () => {
  stack = await startStack({ config: { syslog: { enabled: true, tcp_port: 0, udp_port: 0, max_message_bytes: 2048 } } })
  tcpPort = stack.bound.syslog!.tcp!
  udpPort = stack.bound.syslog!.udp!
})
afterAll(() => stack.stop())

async function logger(args: string[]) {
  const bin = await ensureProgram('logger', 'bsdutils')
  const p = Bun.spawn([bin, '--rfc5424', '-n', '127.0.0.1', ...args], { stderr: 'pipe' })
  const code = await p.exited
  if (code !== 0) throw new Error(`logger failed: ${await new Response(p.stderr).text()}`)
}

const alertFor = (key: string) => waitFor(`alert ${key}`, () => stack.sim.alerts().find((a) => a.alertKey === key))

describe('syslog from logger (util-linux)', () => {
  test('RFC 5424 over TCP, newline framing: host/app/msgid → alert key, severity → priority, labels', async () => {
    await logger(['-T', '-P', String(tcpPort), '-t', 'diskmon', '--msgid', 'DISK', '-p', 'daemon.crit', 'disk /dev/sda1 is 99% full'])
    const a = await alertFor(`${HOST}/diskmon/DISK`)
    expect(a.summary).toBe('disk /dev/sda1 is 99% full')
    expect(a.priority).toBe('HIGH')
    const body = stack.sim.events().find((e) => e.alertKey === `${HOST}/diskmon/DISK`)!.body as any
    expect(body.labels).toMatchObject({ host: HOST, app: 'diskmon', msgid: 'DISK', facility: 'daemon', severity: 'crit', source: 'syslog' })
    expect(body.customDetails.syslog.format).toBe('rfc5424')
  })

  test('RFC 5424 over TCP, octet-counted framing (logger --octet-count)', async () => {
    await logger(['-T', '--octet-count', '-P', String(tcpPort), '-t', 'octets', '--msgid', 'OC', '-p', 'user.err', 'framed by octet count'])
    const a = await alertFor(`${HOST}/octets/OC`)
    expect(a.summary).toBe('framed by octet count')
  })

  test('RFC 5424 over UDP; a message below syslog.min_severity is counted and dropped', async () => {
    await logger(['-d', '-P', String(udpPort), '-t', 'udpapp', '--msgid', 'U1', '-p', 'local3.warning', 'over udp'])
    await alertFor(`${HOST}/udpapp/U1`)
    const before = await stack.metric('mcp_rejected_events_total', { transport: 'syslog', reason: 'below_min_severity' })
    await logger(['-d', '-P', String(udpPort), '-t', 'udpapp', '--msgid', 'U2', '-p', 'local3.info', 'just info'])
    await waitFor('below_min_severity counted', async () => (await stack.metric('mcp_rejected_events_total', { transport: 'syslog', reason: 'below_min_severity' })) === before + 1)
    expect(stack.sim.alerts().some((a) => a.alertKey === `${HOST}/udpapp/U2`)).toBe(false)
  })
})

describe('syslog forwarded by rsyslog (octet-counted TCP)', () => {
  test('a private rsyslogd receives over UDP and forwards RFC 5424 with octet-counted framing', async () => {
    const rsyslogd = await ensureProgram('rsyslogd', 'rsyslog')
    const dir = mkdtempSync(join(tmpdir(), 'rsyslog-'))
    const inPort = await freeTcpUdpPort()
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        `input(type="imudp" address="127.0.0.1" port="${inPort}")`,
        `*.* action(type="omfwd" target="127.0.0.1" port="${tcpPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        '',
      ].join('\n'),
    )
    const d = spawnDaemon([rsyslogd, '-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')])
    try {
      // rsyslogd needs a moment to bind; resend until the first message arrives.
      await waitFor(`rsyslog to forward: ${d.output()}`, async () => {
        await logger(['-d', '-P', String(inPort), '-t', 'viarsyslog', '--msgid', 'R0', '-p', 'auth.alert', 'first through rsyslog'])
        await Bun.sleep(200)
        return stack.sim.alerts().find((a) => a.alertKey.endsWith('/viarsyslog/R0'))
      }, 15_000)
      for (let i = 1; i <= 5; i++) await logger(['-d', '-P', String(inPort), '-t', 'viarsyslog', '--msgid', `R${i}`, '-p', 'auth.err', `message ${i} through rsyslog`])
      for (let i = 1; i <= 5; i++) {
        const a = await waitFor(`R${i}`, () => stack.sim.alerts().find((x) => x.alertKey.endsWith(`/viarsyslog/R${i}`)))
        expect(a.summary).toBe(`message ${i} through rsyslog`)
      }
    } finally {
      d.kill()
      await d.exited
      rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
