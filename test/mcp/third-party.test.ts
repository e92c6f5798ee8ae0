// Third-party MCP clients against one real bridge over a loopback socket: the MCP Inspector CLI
// (list tools, call search), mcp-remote as the stdio bridge desktop hosts use (every tool once),
// and the conformance suite's generic server scenarios. Node-based tools run under Node from PATH;
// the conformance suite needs Node >= 22, taken from the node-linux-<arch> package (installed on
// first use, see helpers/node22.ts) when PATH has an older one. A tool that cannot run is skipped with the reason printed, never silently.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findNode22 } from '../helpers/node22'
import { startMcpStack, USER_KEY, type McpStack } from './helpers'

const ROOT = join(import.meta.dir, '..', '..')
const BIN = (p: string) => join(ROOT, 'node_modules', p)

const pathNode = Bun.which('node') ?? undefined
const found22 = findNode22(ROOT)
const node22 = found22.kind === 'found' ? found22.bin : undefined
const anyNode = node22 ?? pathNode

const skipReason = (what: string, needs: string) => `SKIPPED ${what}: ${needs}`
if (!anyNode) console.warn(skipReason('third-party MCP clients', 'no node binary on PATH'))
if (found22.kind === 'missing') console.warn(skipReason('conformance suite', `needs Node >= 22: ${found22.reason}`))

let stack: McpStack
let home: string
const env = () => ({ PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' })

async function run(cmd: string[], timeoutMs = 60_000): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn(cmd, { cwd: ROOT, env: env(), stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const timer = setTimeout(() => p.kill(), timeoutMs)
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  clearTimeout(timer)
  return { code, out, err }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-ilert-clients-')) // Inspector and mcp-remote keep state in ~
  // Anonymous access for the conformance suite, which cannot send a header; the others send one.
  stack = await startMcpStack({ ilert: { api_key: USER_KEY }, mcp: { allow_anonymous: true } })
})
afterAll(async () => {
  await stack.closeAll()
  rmSync(home, { recursive: true, force: true })
})

describe('MCP Inspector CLI', () => {
  test.skipIf(!anyNode)('lists the tools and calls search', async () => {
    const inspector = [anyNode!, BIN('@modelcontextprotocol/inspector/clients/launcher/build/index.js'), '--cli', stack.mcpUrl]
    const auth = ['--header', `Authorization: Bearer ${USER_KEY}`, '--format', 'json']
    const list = await run([...inspector, '--method', 'tools/list', ...auth])
    expect(list.code, list.err).toBe(0)
    const tools = JSON.parse(list.out).result.tools as { name: string }[]
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['search', 'fetch', 'send_event', 'who_is_on_call']))
    const search = await run([...inspector, '--method', 'tools/call', '--tool-name', 'search', '--tool-arg', 'query=payment', ...auth])
    expect(search.code, search.err).toBe(0)
    const result = JSON.parse(search.out).result
    expect(JSON.parse(result.content[0].text).results.map((r: { id: string }) => r.id)).toContain('alert:2')
    console.log(`inspector: tools/list → ${tools.length} tools; search "payment" → ${result.structuredContent.results.length} results`)
  })
})

describe('mcp-remote (stdio ↔ Streamable HTTP, as Claude Desktop uses it)', () => {
  test.skipIf(!anyNode)('connects with a bearer header and runs every tool once', async () => {
    const transport = new StdioClientTransport({
      command: anyNode!,
      args: [BIN('mcp-remote/dist/proxy.js'), stack.mcpUrl, '--header', `Authorization: Bearer ${USER_KEY}`, '--transport', 'http-only'],
      env: env(),
      cwd: ROOT,
      stderr: 'pipe',
    })
    const client = new Client({ name: 'third-party-test', version: '0' })
    await client.connect(transport)
    try {
      const { tools } = await client.listTools()
      expect(tools).toHaveLength(20)
      const calls: Record<string, Record<string, unknown>> = {
        search: { query: 'disk' },
        fetch: { id: 'alert:1' },
        send_event: { summary: 'Sent through mcp-remote', alert_key: 'via-mcp-remote' },
        list_alerts: { states: ['PENDING'] },
        get_alert: { id: 2 },
        accept_alert: { id: 2 },
        assign_alert: { id: 2, user_id: 3 },
        add_alert_responder: { id: 2, user_id: 4 },
        resolve_alert: { id: 2 },
        list_alert_log_entries: { id: 2 },
        who_is_on_call: { escalation_policy_id: 1 },
        list_schedules: {},
        list_escalation_policies: {},
        list_services: {},
        list_users: {},
        find_user_by_email: { email: 'ben.okafor@example.com' },
        list_incidents: {},
        get_incident: { id: 1 },
        create_incident: { summary: 'Created through mcp-remote', affected_services: [{ service_id: 4, impact: 'DEGRADED' }] },
        update_incident: { id: 1, status: 'MONITORING' },
      }
      expect(Object.keys(calls).sort()).toEqual(tools.map((t) => t.name).sort())
      for (const [name, args] of Object.entries(calls)) {
        const r = (await client.callTool({ name, arguments: args })) as CallToolResult
        const text = r.content[0]?.type === 'text' ? r.content[0].text : ''
        expect(r.isError, `${name}: ${text}`).not.toBe(true)
        expect(text.length).toBeGreaterThan(0)
      }
      console.log(`mcp-remote: ${tools.length} tools listed, ${Object.keys(calls).length} tools called, all ok`)
    } finally {
      await client.close()
    }
  })
})

describe('conformance suite (generic server scenarios)', () => {
  const scenarios = ['server-initialize', 'tools-list', 'ping', 'dns-rebinding-protection']
  test.skipIf(!node22)('server-initialize, tools-list, ping, dns-rebinding-protection pass', async () => {
    const out = join(home, 'conformance')
    const summary: string[] = []
    for (const scenario of scenarios) {
      const r = await run([node22!, BIN('@modelcontextprotocol/conformance/dist/index.js'), 'server', '--url', stack.mcpUrl, '--scenario', scenario, '-o', out])
      const passed = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(r.out)
      expect(r.code, `${scenario}:\n${r.out}\n${r.err}`).toBe(0)
      expect(passed?.[3]).toBe('0')
      summary.push(`${scenario} ${passed?.[1]}/${passed?.[2]}`)
    }
    console.log(`conformance: ${summary.join(', ')}`)
    const checks = readFileSync(join(out, (await Array.fromAsync(new Bun.Glob('server-dns-rebinding-protection-*/checks.json').scan(out)))[0]!), 'utf8')
    expect(checks).toContain('SUCCESS')
  })
})
