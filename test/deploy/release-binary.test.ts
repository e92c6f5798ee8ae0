// The host's release binary (bun build --compile, as `npm run build:release` makes it): the README's
// quick start through it, and every subcommand inside it (simulator, dead-letters, --check-config,
// healthcheck, the embedded simulator), from a folder that holds no source at all.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { releaseBinary } from '../helpers/release-binary'
import { logProcess } from '../helpers/log-process'

const SEED_BODY = '{"mcp_id":"abc-123","source":"monitoring-ng","priority":2,"summary":"CPU usage above threshold","details":"host: web-01, cpu: 92%"}'

let bin: string
let dir: string
beforeAll(async () => {
  bin = await releaseBinary()
  dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-bin-'))
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const env = (extra: Record<string, string> = {}) => ({ PATH: '/usr/bin:/bin', HOME: dir, ...extra })
const run = (args: string[], extra: Record<string, string> = {}) => {
  const r = Bun.spawnSync([bin, ...args], { cwd: dir, env: env(extra), stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

describe('release binary', () => {
  test('quick start: no config, the seed curl becomes a HIGH alert abc-123 at the embedded simulator', async () => {
    const p = logProcess([bin], { cwd: dir, env: env({ MCP_ILERT_LISTEN_PORT: '0', MCP_ILERT_TCP_PORT: '0', MCP_ILERT_METRICS_LISTEN_PORT: '0' }) })
    try {
      const sim = await p.line('No ilert key configured')
      const started = await p.line('mcp-ilert started.')
      // The default data directory without systemd: ~/.local/state/mcp-ilert, absolute.
      expect(started.queue).toEqual({ mode: 'durable', path: join(dir, '.local', 'state', 'mcp-ilert'), sync: 'full' })
      expect(started.revision).not.toBe('source')
      const res = await fetch(`${started.http}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_BODY })
      expect(res.status).toBe(202)
      let alert: any
      for (let i = 0; i < 200 && !alert; i++) {
        const list = (await (await fetch(`${sim.simulator}/api/alerts`)).json()) as any[]
        alert = list.find((a) => a.alertKey === 'abc-123')
        if (!alert) await Bun.sleep(25)
      }
      expect(alert).toMatchObject({ alertKey: 'abc-123', priority: 'HIGH', summary: 'CPU usage above threshold' })
      const health = run(['healthcheck'], { MCP_ILERT_LISTEN_PORT: new URL(started.http).port })
      expect(health).toMatchObject({ code: 0, stdout: `healthy: ${started.http}/healthz\n` })
    } finally {
      expect(await p.stop()).toBe(0)
    }
  })

  test('simulator subcommand (bundled, not loaded from a path)', async () => {
    const p = logProcess([bin, 'simulator', '--port', '0'], { cwd: dir, env: env() })
    const { url } = await p.line('ilert simulator listening.')
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    expect(await p.stop()).toBe(0)
  })

  test('--version, --check-config and dead-letters', () => {
    expect(run(['--version']).stdout).toMatch(/^mcp-ilert \d+\.\d+\.\d+\n$/)
    const cfg = join(dir, 'config.yaml')
    writeFileSync(cfg, `ilert:\n  integration_key: il1api-0123456789\nqueue:\n  path: ${join(dir, 'q')}\n`)
    const check = run(['--check-config', cfg])
    expect(check.code).toBe(0)
    expect(check.stdout).toContain('configuration OK')
    expect(check.stdout).toContain(`# Queue: durable, in ${join(dir, 'q')}`)
    const dl = run(['dead-letters', 'list', '--config', cfg])
    expect(dl.stderr).toContain(`no durable store at ${join(dir, 'q')}`)
    expect(dl.code).toBe(1)
  })

  test('healthcheck of a bridge that is not running: exit 1, naming the URL it tried', () => {
    const r = run(['healthcheck'], { MCP_ILERT_LISTEN_PORT: '9' })
    expect(r.code).toBe(1)
    expect(r.stderr).toStartWith('unhealthy: http://127.0.0.1:9/healthz')
  })
})
