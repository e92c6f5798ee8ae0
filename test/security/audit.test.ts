// The audit line for state-changing MCP tool calls: one "mcp audit" log line per call (ok, error
// or refused arguments) with a non-secret caller id, the tool, the arguments with secrets masked
// and what came back; read-only tools leave no audit line; no key or token in any of it.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { callerId, maskArguments } from '../../src/observability/audit'
import { call, startMcpStack, USER_KEY, type McpStack } from '../mcp/helpers'

const EVENT_KEY = 'il1api-caller-supplied-secret-77'
const BRIDGE_TOKEN = 'bridge-issued-token-0123456789'

type AuditLine = { msg: string; audit: string; caller: string; tool: string; arguments: Record<string, unknown>; outcome: string; answer: any }
const audits = (s: McpStack): AuditLine[] => s.log.lines.map((l) => JSON.parse(l) as AuditLine).filter((l) => l.msg === 'mcp audit')

describe('audit helpers', () => {
  test('callerId names bridge tokens, fingerprints ilert keys, never shows a key', () => {
    expect(callerId({ kind: 'bridge_token', name: 'cursor' })).toBe('mcp-token:cursor')
    expect(callerId({ kind: 'anonymous' })).toBe('anonymous')
    const id = callerId({ kind: 'ilert_key', ilertKey: 'some-user-key-value' })
    expect(id).toMatch(/^ilert-key:[0-9a-f]{8}$/)
    expect(id).not.toContain('some-user')
  })

  test('maskArguments masks secret-named fields at any depth, keeps alert_key', () => {
    expect(maskArguments({ alert_key: 'a-1', integration_key: 'abcdef', nested: [{ api_token: 'xyz' }], n: 1 })).toEqual({
      alert_key: 'a-1',
      integration_key: '[masked, 6 chars]',
      nested: [{ api_token: '[masked, 3 chars]' }],
      n: 1,
    })
  })
})

describe('audit lines from /mcp', () => {
  let s: McpStack
  beforeAll(async () => {
    s = await startMcpStack({ mcp: { tokens: [{ token: BRIDGE_TOKEN, name: 'ops-bot', ilert_api_key: USER_KEY }] } })
  })
  afterAll(() => s.closeAll())

  test('send_event: caller, tool, masked arguments and the answer; nothing secret in the line', async () => {
    const client = await s.connect()
    const r = await call(client, 'send_event', { summary: 'audited', alert_key: 'audit-1', integration_key: EVENT_KEY })
    expect(r.isError).toBe(false)
    const [line] = audits(s)
    expect(line).toMatchObject({
      audit: 'mcp_tool_call',
      tool: 'send_event',
      outcome: 'ok',
      arguments: { summary: 'audited', alert_key: 'audit-1', integration_key: `[masked, ${EVENT_KEY.length} chars]` },
      answer: { queued: true },
    })
    expect(line!.caller).toMatch(/^ilert-key:[0-9a-f]{8}$/)
    const logs = s.log.lines.join('\n')
    expect(logs).not.toContain(EVENT_KEY)
    expect(logs).not.toContain(USER_KEY)
  })

  test('read-only tools are not audited; ilert errors and refused arguments are', async () => {
    const client = await s.connect()
    const before = audits(s).length
    await call(client, 'list_alerts', { states: ['PENDING'] })
    expect(audits(s).length).toBe(before)
    expect((await call(client, 'accept_alert', { id: 9999 })).isError).toBe(true)
    expect((await call(client, 'resolve_alert', { id: 'not-a-number' })).isError).toBe(true)
    const [err, invalid] = audits(s).slice(before)
    expect(err).toMatchObject({ tool: 'accept_alert', outcome: 'error', arguments: { id: 9999 } })
    expect(err!.answer.message).toContain('404')
    expect(invalid).toMatchObject({ tool: 'resolve_alert', outcome: 'invalid_arguments', arguments: { id: 'not-a-number' } })
  })

  test('a bridge token is named in the audit line by its configured name', async () => {
    const client = await s.connect({ Authorization: `Bearer ${BRIDGE_TOKEN}` })
    expect((await call(client, 'accept_alert', { id: 2 })).isError).toBe(false)
    const line = audits(s).at(-1)!
    expect(line).toMatchObject({ caller: 'mcp-token:ops-bot', tool: 'accept_alert', outcome: 'ok' })
    expect(JSON.stringify(line.answer)).toContain('ACCEPTED')
    expect(s.log.lines.join('\n')).not.toContain(BRIDGE_TOKEN)
  })
})
