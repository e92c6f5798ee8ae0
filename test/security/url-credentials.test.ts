// Credentials written into ilert.api_url (`https://user:pass@host`) are secrets (issue 16, item
// 11): masked in --check-config (file or environment), in config errors, in every log line of
// a running bridge process, and in the links MCP tools hand to agents.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { createMemoryLogger } from '../../src/observability/logger'
import { maskUrlCredentials, withoutCredentials } from '../../src/security/url-credentials'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'

const ROOT = join(import.meta.dir, '..', '..')
const USER = 'proxyuser'
const PASS = 'S3cret-Passw0rd'
const leaks = (text: string) => [USER, PASS, encodeURIComponent(PASS)].filter((s) => text.includes(s))

let dir: string
let sim: ReturnType<typeof createSimulator>
let simPort: number
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-urlcred-'))
  sim = createSimulator({ address: '127.0.0.1', port: 0 })
  simPort = (await sim.start()).port
})
afterAll(async () => {
  await sim.stop()
  rmSync(dir, { recursive: true, force: true })
})

const run = (args: string[], env: Record<string, string> = {}) => {
  const r = Bun.spawnSync([process.execPath, join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } })
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() }
}
const url = () => `http://${USER}:${PASS}@127.0.0.1:${simPort}`

test('--check-config masks the user and password of ilert.api_url, from a file or the environment', () => {
  const file = writeConfig(dir, `ilert:\n  api_url: ${url()}\n  integration_key: il1api-urlcred-0001\n`)
  const fromFile = run(['--check-config', file])
  expect(fromFile.code).toBe(0)
  expect(fromFile.out).toContain(`api_url: http://[set, ${USER.length + 1 + PASS.length} chars]@127.0.0.1:${simPort}`)
  expect(fromFile.out).toContain(`# Delivers to: http://[set,`)
  expect(leaks(fromFile.out)).toEqual([])
  const bare = writeConfig(dir, 'logging: { level: info }\n')
  const fromEnv = run(['--check-config', bare], { ILERT_API_URL: url(), ILERT_INTEGRATION_KEY: 'il1api-urlcred-0001' })
  expect(fromEnv.code).toBe(0)
  expect(fromEnv.out).toContain('api_url: http://[set,')
  expect(leaks(fromEnv.out)).toEqual([])
})

test('a config error about ilert.api_url does not echo its credentials', () => {
  const file = writeConfig(dir, `ilert:\n  api_url: ftp://${USER}:${PASS}@files.example\n`)
  const r = run(['--check-config', file])
  expect(r.code).not.toBe(0)
  expect(r.out).toContain('ilert.api_url')
  expect(leaks(r.out)).toEqual([])
})

test('a running bridge never logs the credentials of ilert.api_url, start line to shutdown', async () => {
  const file = writeConfig(
    dir,
    `listen: { port: 0 }\ntcp: { port: 0 }\nmetrics: { listen_port: 0 }\nqueue: { durable: false }\nlogging: { level: debug }\nilert:\n  api_url: ${url()}\n  integration_key: il1api-urlcred-0002\n`,
  )
  const b = await startBridge(file)
  try {
    const r = await fetch(`${b.httpUrl}/events`, { method: 'POST', body: JSON.stringify({ summary: 'through a proxy url', alert_key: 'urlcred' }) })
    expect(r.status).toBe(202)
    await waitFor('the event delivered', () => sim.stats().accepted >= 1)
  } finally {
    await b.kill('SIGTERM')
  }
  expect(b.stderr()).toContain('mcp-ilert started.')
  expect(leaks(b.stderr())).toEqual([])
})

test('the logger masks URL credentials in any line, also ones it was never told about', () => {
  const log = createMemoryLogger('debug')
  log.error('fetch failed', { err: new Error(`request to https://someone:hunter22@proxy.example/api/events failed`), url: 'http://a:b@h' })
  expect(log.lines[0]).not.toContain('hunter22')
  expect(log.lines[0]).not.toContain('someone')
  expect(log.lines[0]).toContain('https://[set, 16 chars]@proxy.example/api/events')
  expect(maskUrlCredentials('see mailto:x@y.example and https://h.example/a@b')).toBe('see mailto:x@y.example and https://h.example/a@b')
  expect(withoutCredentials(`${url()}/api/alerts/1`)).toBe(`http://127.0.0.1:${simPort}/api/alerts/1`)
})
