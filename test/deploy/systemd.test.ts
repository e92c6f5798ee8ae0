// deploy/mcp-ilert.service: `systemd-analyze verify` passes with no warning (in a scratch root that
// holds the release binary at the unit's ExecStart path), the queue goes to StateDirectory=, and
// the bridge started as systemd starts it (STATE_DIRECTORY set, every path read-only as under
// ProtectSystem=strict except the state directory, an unprivileged user) queues there.
// Installs systemd (systemd-analyze) and bubblewrap with apt when missing; needs root, as CI runs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../config/fixtures'
import { aptTool } from '../helpers/apt-tool'
import { childOf, logProcess } from '../helpers/log-process'
import { releaseBinary } from '../helpers/release-binary'

const UNIT_FILE = join(REPO_ROOT, 'deploy', 'mcp-ilert.service')
const UNIT = readFileSync(UNIT_FILE, 'utf8')
const setting = (key: string) => UNIT.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1)

let analyze: string
let bwrap: string
let bin: string
let work: string
beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('test/deploy/systemd.test.ts needs root (setpriv to an unprivileged user), as CI runs')
  analyze = aptTool('systemd-analyze', 'systemd')
  bwrap = aptTool('bwrap', 'bubblewrap')
  bin = await releaseBinary()
  work = mkdtempSync(join(tmpdir(), 'mcp-ilert-systemd-'))
  chmodSync(work, 0o755) // the service user must reach its state directory below it
}, 300_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('systemd unit', () => {
  test('systemd-analyze verify: exit 0 and not one warning', () => {
    const root = join(work, 'root')
    const exec = setting('ExecStart')!.split(' ')[0]!
    mkdirSync(join(root, 'etc', 'systemd', 'system'), { recursive: true })
    mkdirSync(join(root, 'usr', 'lib', 'systemd'), { recursive: true })
    mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true })
    mkdirSync(join(root, 'usr', 'bin'), { recursive: true })
    symlinkSync('usr/bin', join(root, 'bin'))
    cpSync('/usr/lib/systemd/system', join(root, 'usr', 'lib', 'systemd', 'system'), { recursive: true }) // the targets it names
    copyFileSync('/usr/bin/kill', join(root, 'usr', 'bin', 'kill')) // ExecReload
    copyFileSync(bin, join(root, exec))
    copyFileSync(UNIT_FILE, join(root, 'etc', 'systemd', 'system', 'mcp-ilert.service'))
    const r = Bun.spawnSync([analyze, 'verify', `--root=${root}`, '/etc/systemd/system/mcp-ilert.service'], { stdout: 'pipe', stderr: 'pipe' })
    expect(r.stdout.toString() + r.stderr.toString()).toBe('')
    expect(r.exitCode).toBe(0)
  })

  test('keeps its sandbox and puts the queue in StateDirectory=', () => {
    expect(setting('ProtectSystem')).toBe('strict')
    expect(setting('NoNewPrivileges')).toBe('yes')
    expect(setting('StateDirectory')).toBe('mcp-ilert')
    expect(setting('WorkingDirectory')).toBe('/var/lib/mcp-ilert')
    expect(UNIT).not.toContain('MCP_ILERT_QUEUE_PATH') // the default follows $STATE_DIRECTORY
  })

  test('started as systemd starts it, the bridge queues in $STATE_DIRECTORY on a read-only system', async () => {
    const state = join(work, 'state')
    mkdirSync(state)
    chownSync(state, 65532, 65532)
    const config = join(work, 'config.yaml')
    writeFileSync(config, 'listen:\n  port: 0\ntcp:\n  port: 0\nmetrics:\n  listen_port: 0\n')
    const argv = [
      bwrap, '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--bind', state, state, '--chdir', state,
      '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'STATE_DIRECTORY', state, '--setenv', 'HOME', '/',
      '--', 'setpriv', '--reuid=65532', '--regid=65532', '--clear-groups', bin, '--config', config,
    ]
    const p = logProcess(argv, { env: {} })
    try {
      const started = await p.line('mcp-ilert started.')
      expect(started.queue).toEqual({ mode: 'durable', path: state, sync: 'full' })
      expect(readdirSync(state).length).toBeGreaterThan(0)
    } finally {
      const bridge = childOf(p.proc.pid)
      process.kill(bridge ?? p.proc.pid, 'SIGTERM')
      expect(await p.proc.exited).toBe(0)
    }
  })
})
