// The image's entrypoint run the way the image runs it, without a container engine (none runs
// here): the release binary at /usr/local/bin/mcp-ilert, the Dockerfile's own ENV, WORKDIR, USER,
// ENTRYPOINT + CMD and HEALTHCHECK read from the Dockerfile, the whole file system read-only
// (docker run --read-only) except the declared volume, as the unprivileged user. bubblewrap builds
// the mount namespace, setpriv drops to the user. Needs root (CI runs as root) and installs
// bubblewrap with apt when missing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { REPO_ROOT } from '../config/fixtures'
import { aptTool } from '../helpers/apt-tool'
import { childOf, logProcess } from '../helpers/log-process'
import { releaseBinary } from '../helpers/release-binary'

interface Image {
  env: Record<string, string>
  volume: string
  workdir: string
  user: string
  entrypoint: string[]
  cmd: string[]
  healthcheck: string[]
}

/** The final stage of the Dockerfile: the instructions the running container gets. */
function readImage(text: string): Image {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n')
  const last = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0).pop()!
  const img: Image = { env: {}, volume: '', workdir: '/', user: 'root', entrypoint: [], cmd: [], healthcheck: [] }
  for (const line of lines.slice(last)) {
    const [word, ...rest] = line.trim().split(/\s+/)
    const arg = rest.join(' ')
    if (word === 'ENV') for (const m of arg.matchAll(/(\w+)=(\S+)/g)) img.env[m[1]!] = m[2]!
    if (word === 'VOLUME') img.volume = (JSON.parse(arg) as string[])[0]!
    if (word === 'WORKDIR') img.workdir = arg
    if (word === 'USER') img.user = arg
    if (word === 'ENTRYPOINT') img.entrypoint = JSON.parse(arg) as string[]
    if (word === 'CMD') img.cmd = JSON.parse(arg) as string[]
    if (word === 'HEALTHCHECK') img.healthcheck = JSON.parse(arg.slice(arg.indexOf('CMD ') + 4)) as string[]
  }
  return img
}

const IMAGE = readImage(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))
const root = process.getuid?.() === 0

let bwrap: string
let bin: string
let work: string
const sim = createSimulator({ address: '127.0.0.1', port: 0, openReads: true })
let simUrl: string

beforeAll(async () => {
  if (!root) throw new Error('test/deploy/container.test.ts needs root (to drop to the image user with setpriv), as CI runs')
  bwrap = aptTool('bwrap', 'bubblewrap')
  bin = await releaseBinary()
  work = mkdtempSync(join(tmpdir(), 'mcp-ilert-image-'))
  simUrl = (await sim.start()).url
}, 120_000)
afterAll(async () => {
  await sim.stop()
  rmSync(work, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = s.port
  s.stop(true)
  return port
}

/** argv of `command` inside the image's file system, as its user, with its environment. */
function inImage(command: string[], mounts: { config?: string; data: string }): string[] {
  const [uid, gid] = IMAGE.user.split(':')
  const configDir = '/etc/mcp-ilert'
  // A fresh root like the image's: the host's /usr (glibc, setpriv) read-only, the image's own
  // files bound at the image's paths, then the root remounted read-only; only the volume is writable.
  return [
    bwrap,
    '--die-with-parent',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin',
    '--proc', '/proc',
    '--dev', '/dev',
    '--perms', '1777', '--dir', '/tmp',
    '--tmpfs', '/usr/local/bin', '--ro-bind', bin, IMAGE.entrypoint[0]!, '--remount-ro', '/usr/local/bin',
    '--perms', '0755', '--dir', '/etc', '--perms', '0755', '--dir', configDir,
    ...(mounts.config ? ['--ro-bind', mounts.config, `${configDir}/config.yaml`] : []),
    '--perms', '0755', '--dir', '/var', '--perms', '0755', '--dir', '/var/lib',
    '--bind', mounts.data, IMAGE.volume,
    '--remount-ro', '/',
    '--chdir', IMAGE.workdir,
    '--clearenv',
    '--setenv', 'PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--setenv', 'HOME', '/home/nonroot',
    ...Object.entries(IMAGE.env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--',
    'setpriv', `--reuid=${uid}`, `--regid=${gid ?? uid}`, '--clear-groups',
    ...command,
  ]
}

describe('container image entrypoint (read-only root, unprivileged user, data volume only)', () => {
  test('the Dockerfile declares what the image needs', () => {
    expect(IMAGE.user).toBe('65532:65532')
    expect(IMAGE.volume).toBe('/var/lib/mcp-ilert')
    expect(IMAGE.env.MCP_ILERT_QUEUE_PATH).toBe(IMAGE.volume)
    expect(IMAGE.entrypoint).toEqual(['/usr/local/bin/mcp-ilert'])
    expect(IMAGE.healthcheck.slice(0, 2)).toEqual(['/usr/local/bin/mcp-ilert', 'healthcheck'])
  })

  test('starts, queues on the volume, delivers, and its HEALTHCHECK follows the configured port', async () => {
    const data = join(work, 'data')
    mkdirSync(data)
    chownSync(data, 65532, 65532)
    const port = await freePort()
    const config = join(work, 'config.yaml')
    writeFileSync(
      config,
      `listen:\n  port: ${port}\ntcp:\n  port: ${await freePort()}\nmetrics:\n  listen_port: ${await freePort()}\nilert:\n  api_url: ${simUrl}\n  integration_key: il1api-image-test\n`,
    )
    const p = logProcess(inImage([...IMAGE.entrypoint, ...IMAGE.cmd], { config, data }), { env: {} })
    try {
      const started = await p.line('mcp-ilert started.')
      expect(started.queue).toMatchObject({ mode: 'durable', path: '/var/lib/mcp-ilert' })
      const res = await fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"mcp_id":"img-1","priority":2,"summary":"from the image"}' })
      expect(res.status).toBe(202)
      let found = false
      for (let i = 0; i < 200 && !found; i++) {
        found = ((await (await fetch(`${simUrl}/api/alerts`)).json()) as { alertKey: string }[]).some((a) => a.alertKey === 'img-1')
        if (!found) await Bun.sleep(25)
      }
      expect(found).toBe(true)
      expect(readdirSync(data).length).toBeGreaterThan(0) // the store is on the volume
      const hc = Bun.spawnSync(inImage(IMAGE.healthcheck, { config, data }), { stdout: 'pipe', stderr: 'pipe' })
      expect(hc.stderr.toString()).toBe('')
      expect(hc.exitCode).toBe(0)
      expect(hc.stdout.toString()).toBe(`healthy: http://127.0.0.1:${port}/healthz\n`)
    } finally {
      // `docker stop` signals the container's process, not bwrap (which would not forward it).
      const bridge = childOf(p.proc.pid)
      process.kill(bridge ?? p.proc.pid, 'SIGTERM')
      expect(await p.proc.exited).toBe(0)
      expect(p.stderr()).toContain('"Drained; stopped."')
    }
  })

  test('without the config file mounted: one clear line, exit 2, not a silent simulator', async () => {
    const data = join(work, 'data2')
    mkdirSync(data)
    chownSync(data, 65532, 65532)
    const r = Bun.spawnSync(inImage([...IMAGE.entrypoint, ...IMAGE.cmd], { data }), { stdout: 'pipe', stderr: 'pipe' })
    expect(r.exitCode).toBe(2)
    expect(r.stderr.toString()).toBe('mcp-ilert: invalid configuration: cannot read config file /etc/mcp-ilert/config.yaml: no such file\n')
  })

  test('a volume the image user cannot write: refused at start with one line naming it', () => {
    const data = join(work, 'data3')
    mkdirSync(data) // left owned by root
    const config = join(work, 'empty.yaml')
    writeFileSync(config, '')
    const r = Bun.spawnSync(inImage([...IMAGE.entrypoint, ...IMAGE.cmd], { config, data }), { stdout: 'pipe', stderr: 'pipe' })
    expect(r.exitCode).toBe(2)
    expect(r.stderr.toString()).toStartWith('mcp-ilert: cannot start: queue.path /var/lib/mcp-ilert is not a writable directory (permission denied)')
    expect(existsSync(join(data, 'queue.db'))).toBe(false)
  })
})
