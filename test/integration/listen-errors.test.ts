// A listener that cannot bind stops the start with one line naming the setting to change, the
// address and port, and why (src/ingest/bind-error.ts). Bun's own messages named neither the
// setting nor, for TCP, the port: "Could not start: Failed to listen at 127.0.0.1".
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'

const ROOT = join(import.meta.dir, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-listen-'))
let held: { stop(force?: boolean): void; port: number }
let heldUdp: { close(): void; port: number }
beforeAll(async () => {
  held = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  heldUdp = await Bun.udpSocket({ hostname: '127.0.0.1', port: 0 })
})
afterAll(() => {
  held.stop(true)
  heldUdp.close()
  rmSync(dir, { recursive: true, force: true })
})

type Sections = Record<string, Record<string, unknown>>

/** Starts the bridge with every listener on a free port except what `over` sets; returns its output. */
async function startFails(name: string, over: Sections): Promise<string> {
  const base: Sections = {
    listen: { address: '127.0.0.1', port: 0 },
    tcp: { address: '127.0.0.1', port: 0 },
    metrics: { listen_address: '127.0.0.1', listen_port: 0 },
    queue: { durable: false },
    ilert: { api_url: 'http://127.0.0.1:9', integration_key: 'il1api-listen-errors' },
  }
  for (const [k, v] of Object.entries(over)) base[k] = { ...base[k], ...v }
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, stringify(base))
  chmodSync(file, 0o600)
  const p = Bun.spawn([process.execPath, join(ROOT, 'src/main.ts'), '--config', file], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const timer = setTimeout(() => p.kill('SIGKILL'), 15_000)
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  clearTimeout(timer)
  const text = out + err
  expect(code, text).toBe(1)
  expect(text).not.toContain('    at ') // one line, no stack trace
  return text
}

const inUse = (key: string, port: number) => `Could not start: ${key}: cannot listen on 127.0.0.1:${port}: the port is in use (another mcp-ilert, or another program)`

describe('a port that is taken: the start stops naming the setting and the port', () => {
  test('listen.port (HTTP)', async () => {
    expect(await startFails('http', { listen: { port: held.port } })).toContain(inUse('listen.port', held.port))
  })
  test('tcp.port', async () => {
    expect(await startFails('tcp', { tcp: { port: held.port } })).toContain(inUse('tcp.port', held.port))
  })
  test('metrics.listen_port', async () => {
    expect(await startFails('metrics', { metrics: { listen_port: held.port } })).toContain(inUse('metrics.listen_port', held.port))
  })
  test('syslog.tcp_port and syslog.udp_port', async () => {
    const syslog = { enabled: true, address: '127.0.0.1', tcp_port: held.port, udp_port: 0 }
    expect(await startFails('syslog-tcp', { syslog })).toContain(inUse('syslog.tcp_port', held.port))
    expect(await startFails('syslog-udp', { syslog: { ...syslog, tcp_port: 0, udp_port: heldUdp.port } })).toContain(inUse('syslog.udp_port', heldUdp.port))
  })
})

test('an address this machine does not have names the address setting', async () => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a host.
  expect(await startFails('address', { tcp: { address: '192.0.2.1', port: 0 } })).toContain('Could not start: tcp.address: cannot listen on 192.0.2.1:0: no such address on this machine')
  expect(await startFails('address-http', { listen: { address: '192.0.2.1', port: 0 } })).toContain(
    'Could not start: listen.address: cannot listen on 192.0.2.1:0: no such address on this machine',
  )
})
