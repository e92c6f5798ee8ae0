/**
 * `mcp-ilert send` as a script runs it (the real launcher, bin/mcp-ilert.cjs, as a child process)
 * against a running bridge over HTTP and TCP: exit 0 once accepted (and the event reaches the
 * ilert simulator), 3 with the reason when rejected, 4 when the bridge is unreachable, 2 on usage.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startStack, type Stack, waitFor } from '../helpers/harness'
import { freeTcpPort } from '../helpers/external'

const BIN = join(import.meta.dir, '..', '..', 'bin', 'mcp-ilert.cjs')

async function send(args: string[], stdin?: string) {
  const p = Bun.spawn(['node', BIN, 'send', ...args], { stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin), stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  return { code, out, err }
}

describe('mcp-ilert send', () => {
  let stack: Stack
  let http: string
  let tcp: string
  beforeAll(async () => {
    stack = await startStack()
    http = stack.bound.http.url
    tcp = `127.0.0.1:${stack.bound.tcp!.port}`
  })
  afterAll(() => stack.stop())

  test('one event from flags over HTTP: exit 0, delivered with every flag mapped', async () => {
    const r = await send(['--url', http, '--summary', 'backup failed', '--priority', '1', '--alert-key', 'cli-backup', '--source', 'cron', '--label', 'host=db-2', '--details', 'see log'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('accepted 1')
    const a = await waitFor('cli alert', () => stack.sim.alerts().find((x) => x.alertKey === 'cli-backup'))
    expect(a.summary).toBe('backup failed')
    expect(a.priority).toBe('HIGH')
    const r2 = await send(['--url', http, '--resolve', '--alert-key', 'cli-backup'])
    expect(r2.code).toBe(0)
    await waitFor('resolved', () => stack.sim.alerts().find((x) => x.alertKey === 'cli-backup' && x.status === 'RESOLVED'))
  })

  test('NDJSON from stdin over TCP, waiting for the acks: exit 0', async () => {
    const lines = [1, 2, 3].map((i) => JSON.stringify({ summary: `tcp ${i}`, alert_key: `cli-tcp-${i}` })).join('\n')
    const r = await send(['--tcp', tcp], lines + '\n')
    expect(r.code).toBe(0)
    expect(r.out).toContain('accepted 3')
    for (const i of [1, 2, 3]) await waitFor(`tcp ${i}`, () => stack.sim.alerts().find((x) => x.alertKey === `cli-tcp-${i}`))
  })

  test('a rejected event: exit 3 with the reason and field, over HTTP and TCP; the valid one beside it is accepted', async () => {
    const input = `${JSON.stringify({ summary: 'ok', alert_key: 'cli-beside' })}\n${JSON.stringify({ summary: 'bad', priority: 9 })}\n`
    for (const target of [['--url', http], ['--tcp', tcp]]) {
      const r = await send(target, input)
      expect(r.code).toBe(3)
      expect(r.err).toMatch(/rejected line 2: schema: priority/)
    }
    await waitFor('the valid one', () => stack.sim.alerts().find((x) => x.alertKey === 'cli-beside'))
  })

  test('bridge unreachable: exit 4 (HTTP and TCP); usage error: exit 2', async () => {
    const port = await freeTcpPort()
    expect((await send(['--url', `http://127.0.0.1:${port}`, '--summary', 'x'])).code).toBe(4)
    const t = await send(['--tcp', `127.0.0.1:${port}`, '--summary', 'x'])
    expect(t.code).toBe(4)
    expect(t.err).toContain('unreachable')
    expect((await send(['--bogus'])).code).toBe(2)
    expect((await send(['--url', http], '')).code).toBe(2)
  })
})
