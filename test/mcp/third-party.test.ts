// Third-party MCP clients against one real bridge over a loopback socket, in both protocol eras:
// the MCP Inspector CLI (--protocol-era legacy, auto, modern), mcp-remote as the stdio bridge
// desktop hosts use (every tool once), the v2 SDK client (@modelcontextprotocol/client: legacy,
// auto, pinned 2026-07-28), and the conformance suite, stable (0.1.16) and pre-release
// (0.2.0-alpha, installed as @modelcontextprotocol/conformance-next), against the baselines in
// test/mcp/conformance/ that list the scenarios that do not apply to a tools-only server (the
// suite fails on any other failure and on a listed scenario that passes). Node-based tools run
// under Node >= 22 (Inspector and the suite need it), PATH's or the node-linux-<arch> package
// installed on first use (helpers/node22.ts); without one these tests fail, they never skip.
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findNode22 } from '../helpers/node22'
import { assignToCurrentShift, startMcpStack, USER_KEY, type McpStack } from './helpers'

const ROOT = join(import.meta.dir, '..', '..')
const BIN = (p: string) => join(ROOT, 'node_modules', p)
const BASELINES = join(import.meta.dir, 'conformance')

let stack: McpStack
let home: string
let node: string
const env = () => ({ PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' })

async function run(cmd: string[], timeoutMs = 90_000): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn(cmd, { cwd: ROOT, env: env(), stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  const timer = setTimeout(() => p.kill(), timeoutMs)
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  clearTimeout(timer)
  return { code, out, err }
}

beforeAll(async () => {
  const found = findNode22(ROOT)
  if (found.kind === 'missing') throw new Error(`Node >= 22 is needed for the MCP Inspector and the conformance suite: ${found.reason}`)
  node = found.bin
  home = mkdtempSync(join(tmpdir(), 'mcp-ilert-clients-')) // Inspector and mcp-remote keep state in ~
  // Anonymous access for the conformance suite, which cannot send a header; the others send one.
  stack = await startMcpStack({ ilert: { api_key: USER_KEY }, mcp: { allow_anonymous: true } })
})
afterAll(async () => {
  await stack.closeAll()
  rmSync(home, { recursive: true, force: true })
})

const firstText = (r: { content?: unknown }) => ((r.content as { type: string; text?: string }[] | undefined)?.[0]?.text ?? '')

describe('MCP Inspector CLI', () => {
  test.each(['legacy', 'auto', 'modern'])('--protocol-era %s lists the tools and calls search, fetch and list_alerts', async (era) => {
    const inspector = [node, BIN('@modelcontextprotocol/inspector/clients/launcher/build/index.js'), '--cli', stack.mcpUrl, '--protocol-era', era]
    const auth = ['--header', `Authorization: Bearer ${USER_KEY}`, '--format', 'json']
    const list = await run([...inspector, '--method', 'tools/list', ...auth])
    expect(list.code, list.err).toBe(0)
    const tools = JSON.parse(list.out).result.tools as { name: string }[]
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['search', 'fetch', 'send_event', 'who_is_on_call']))
    const search = await run([...inspector, '--method', 'tools/call', '--tool-name', 'search', '--tool-arg', 'query=payment', ...auth])
    expect(search.code, search.err).toBe(0)
    const found = JSON.parse(search.out).result
    expect(JSON.parse(firstText(found)).results.map((r: { id: string }) => r.id)).toContain('alert:2')
    const fetched = await run([...inspector, '--method', 'tools/call', '--tool-name', 'fetch', '--tool-args-json', '{"id":"alert:2"}', ...auth])
    expect(fetched.code, fetched.err).toBe(0)
    expect(JSON.parse(fetched.out).result.structuredContent.id).toBe('alert:2')
    const alerts = await run([...inspector, '--method', 'tools/call', '--tool-name', 'list_alerts', '--tool-args-json', '{"states":["PENDING"]}', ...auth])
    expect(alerts.code, alerts.err).toBe(0)
    expect(JSON.parse(alerts.out).result.isError).not.toBe(true)
    // The modern era answers with the server's identity in _meta on every result (2026-07-28).
    if (era !== 'legacy') expect(found._meta?.['io.modelcontextprotocol/serverInfo']?.name).toBe('mcp-ilert')
    console.log(`inspector ${era}: ${tools.length} tools; search "payment" → ${found.structuredContent.results.length} results`)
  })
})

describe('v2 SDK client (@modelcontextprotocol/client)', () => {
  const modes = [
    ['legacy', 'legacy', '2025-11-25'],
    ['auto', 'auto', '2026-07-28'],
    ['pinned 2026-07-28', { pin: '2026-07-28' }, '2026-07-28'],
  ] as const
  test.each(modes)('%s: negotiates, lists the tools and calls several', async (_label, mode, version) => {
    const client = new ClientV2({ name: 'v2-client-test', version: '0' }, { versionNegotiation: { mode } })
    await client.connect(new HttpV2(new URL(stack.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${USER_KEY}` } } }))
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(version)
      const { tools } = await client.listTools()
      expect(tools.length).toBe(32)
      expect(tools.find((t) => t.name === 'send_event')!.annotations!.destructiveHint).toBe(true)
      const search = await client.callTool({ name: 'search', arguments: { query: 'payment' } })
      expect((search.structuredContent as any).results.map((r: { id: string }) => r.id)).toContain('alert:2')
      const alert = await client.callTool({ name: 'get_alert', arguments: { id: 2 } })
      expect(alert.isError).not.toBe(true)
      const oncall = await client.callTool({ name: 'who_is_on_call', arguments: { escalation_policy_id: 1 } })
      expect(oncall.isError).not.toBe(true)
      const bad = await client.callTool({ name: 'list_alerts', arguments: { max_results: 500 } })
      expect(bad.isError).toBe(true)
      expect(firstText(bad)).toContain('/max_results')
    } finally {
      await client.close()
    }
  })
})

describe('mcp-remote (stdio ↔ Streamable HTTP, as Claude Desktop uses it)', () => {
  test('connects with a bearer header and runs every tool once', async () => {
    const transport = new StdioClientTransport({
      command: node,
      args: [BIN('mcp-remote/dist/proxy.js'), stack.mcpUrl, '--header', `Authorization: Bearer ${USER_KEY}`, '--transport', 'http-only'],
      env: env(),
      cwd: ROOT,
      stderr: 'pipe',
    })
    const client = new Client({ name: 'third-party-test', version: '0' })
    await client.connect(transport)
    try {
      const { tools } = await client.listTools()
      expect(tools).toHaveLength(32)
      await assignToCurrentShift(stack, 3, 1) // escalate_alert below needs it on level 1, whatever the time of day
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
        list_my_alerts: {},
        comment_on_alert: { id: 3, comment: 'Looked at it through mcp-remote' },
        escalate_alert: { id: 3 },
        list_alert_sources: {},
        get_current_user: {},
        list_teams: {},
        list_heartbeat_monitors: {},
        get_heartbeat_monitor: { id: 1 },
        list_maintenance_windows: { state: 'OPEN' },
        create_maintenance_window: { summary: 'Through mcp-remote', duration_minutes: 30, service_ids: [3] },
        end_maintenance_window: { id: 1 },
        list_status_pages: {},
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

describe('conformance suite: every scenario that applies to a tools-only server passes', () => {
  const runs = [
    ['0.1.16 (stable) --suite all', '@modelcontextprotocol/conformance', ['--suite', 'all'], 'baseline-stable.yml'],
    ['0.2.0-alpha --requirements 2025-11-25', '@modelcontextprotocol/conformance-next', ['--requirements', '2025-11-25'], 'baseline-2025-11-25.yml'],
    ['0.2.0-alpha --requirements 2026-07-28', '@modelcontextprotocol/conformance-next', ['--requirements', '2026-07-28'], 'baseline-2026-07-28.yml'],
  ] as const
  test.each(runs)('%s', async (_label, pkg, args, baseline) => {
    const out = join(home, `conformance-${baseline}`)
    const r = await run([node, BIN(`${pkg}/dist/index.js`), 'server', '--url', stack.mcpUrl, ...args, '--expected-failures', join(BASELINES, baseline), '-o', out], 240_000)
    const total = /Total: (\d+) passed, (\d+) failed/.exec(r.out)
    expect(r.out).toContain('Baseline check passed')
    expect(r.code, r.out.slice(-3000) + r.err).toBe(0)
    // The scenarios a tools-only server must pass are really run and pass (not just excused).
    for (const s of ['tools-list', 'dns-rebinding-protection', ...(args[1] === '2026-07-28' ? ['server-stateless', 'caching', 'http-header-validation'] : ['server-initialize', 'ping'])]) {
      expect(r.out).toMatch(new RegExp(`[✓✗] ${s}: [1-9]\\d* passed`))
    }
    console.log(`conformance ${_label}: ${total?.[1]} checks passed, ${total?.[2]} failed (all in ${baseline})`)
  }, 300_000)
})
