// The npm launcher never orphans the bridge: real Node launcher, real Bun bridge, real signals.
// kill -9 of the launcher frees the ports within seconds (the lifeline pipe closes); SIGTERM to
// npx's own PID drains and exits 0; Ctrl-C to the foreground group drains once; a second Ctrl-C
// forces the exit and says how many events stay queued.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../config/fixtures'

const NODE = Bun.which('node')
const NPX = Bun.which('npx')
const LAUNCHER = join(REPO_ROOT, 'bin', 'mcp-ilert.cjs')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function setup(extra = ''): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-lifecycle-'))
  dirs.push(dir)
  const config = join(dir, 'config.yaml')
  writeFileSync(config, `listen:\n  port: 0\ntcp:\n  port: 0\nmetrics:\n  listen_port: 0\nqueue:\n  path: ${join(dir, 'queue')}\n${extra}`)
  return { dir, config }
}

type Proc = ReturnType<typeof Bun.spawn<'ignore', 'ignore', 'pipe'>>

/** Collects stderr (JSON log lines) and resolves the bound ports from the start line. */
function watch(proc: Proc) {
  let text = ''
  const decoder = new TextDecoder()
  const done = (async () => {
    for await (const chunk of proc.stderr) text += decoder.decode(chunk)
  })()
  const waitFor = async (needle: string, ms = 15_000) => {
    const until = Date.now() + ms
    while (!text.includes(needle)) {
      if (Date.now() > until) throw new Error(`no "${needle}" in:\n${text}`)
      await Bun.sleep(25)
    }
  }
  const started = async () => {
    await waitFor('"mcp-ilert started."')
    const line = text.split('\n').find((l) => l.includes('"mcp-ilert started."'))!
    return JSON.parse(line) as { http: string; tcp: number; metrics: string }
  }
  return { text: () => text, waitFor, started, done }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
/** The bridge: the launcher's (or, under npx, some descendant's) child running src/main.ts. */
function bridgePid(): number[] {
  const r = Bun.spawnSync(['pgrep', '-f', `${join(REPO_ROOT, 'src', 'main.ts')} --config ${join(tmpdir(), 'mcp-ilert-lifecycle-')}`])
  return r.stdout.toString().trim().split('\n').filter(Boolean).map(Number)
}
const portFree = async (port: number) => {
  try {
    const s = Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } })
    s.stop(true)
    return true
  } catch {
    return false
  }
}
async function within(ms: number, cond: () => boolean | Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await cond()) return true
    await Bun.sleep(50)
  }
  return cond()
}

describe.skipIf(!NODE)('launcher lifecycle (real processes)', () => {
  test('kill -9 of the launcher: the bridge drains and exits, ports free within 5 s', async () => {
    const { config } = setup()
    const proc = Bun.spawn([NODE!, LAUNCHER, '--config', config], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { PATH: process.env.PATH, HOME: tmpdir() } })
    const w = watch(proc)
    const s = await w.started()
    const httpPort = Number(new URL(s.http).port)
    const pids = bridgePid()
    expect(pids.length).toBe(1)
    proc.kill('SIGKILL')
    await proc.exited
    expect(await within(5000, () => !alive(pids[0]!))).toBe(true)
    expect(await portFree(httpPort)).toBe(true)
    expect(await portFree(s.tcp)).toBe(true)
    await w.done
    expect(w.text()).toContain('The launcher exited without stopping the bridge; stopping.')
    expect(w.text()).toContain('"Drained; stopped."')
  })

  test.skipIf(!NPX)('SIGTERM to npx\'s own PID: the bridge drains and exits, ports free', async () => {
    const { dir, config } = setup()
    // A project that installed mcp-ilert: node_modules/mcp-ilert and its .bin link, as npm lays them.
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true })
    symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'mcp-ilert'))
    symlinkSync('../mcp-ilert/bin/mcp-ilert.cjs', join(dir, 'node_modules', '.bin', 'mcp-ilert'))
    const proc = Bun.spawn([NPX!, '--offline', 'mcp-ilert', '--config', config], {
      cwd: dir,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      env: { PATH: process.env.PATH, HOME: dir, npm_config_update_notifier: 'false' },
    })
    const w = watch(proc)
    const s = await w.started()
    const pids = bridgePid()
    expect(pids.length).toBe(1)
    proc.kill('SIGTERM') // only npx's PID, as `kill $!`, supervisord or KillMode=process do
    // npm forwards it to the `sh -c mcp-ilert` it runs bins through; sh dies of it, so npm reports
    // 143 whatever the bridge does. The launcher, reparented, notices and stops the bridge.
    expect(await proc.exited).toBe(143)
    expect(await within(5000, () => !alive(pids[0]!))).toBe(true)
    expect(await portFree(Number(new URL(s.http).port))).toBe(true)
    await w.done
    expect(w.text()).toContain('"Drained; stopped."')
    expect(w.text()).not.toContain('Forced exit')
  }, 30_000)

  test.skipIf(!Bun.which('setsid'))('Ctrl-C to the foreground process group: one drain, exit 0', async () => {
    const { config } = setup()
    // setsid makes the launcher a group leader, like a shell's foreground job: the kernel signals
    // launcher and bridge, and the launcher forwards its own copy too.
    const proc = Bun.spawn(['setsid', NODE!, LAUNCHER, '--config', config], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { PATH: process.env.PATH, HOME: tmpdir() } })
    const w = watch(proc)
    await w.started()
    process.kill(-proc.pid, 'SIGINT')
    expect(await proc.exited).toBe(0)
    await w.done
    expect(w.text().split('"Stopping: no new events accepted').length).toBe(2)
    expect(w.text()).not.toContain('Forced exit')
  })

  test('a second Ctrl-C during the drain forces the exit and says what stays queued', async () => {
    // ilert is a closed port: the event is retried until the 30 s drain deadline, so the drain hangs.
    const { config } = setup('ilert:\n  api_url: http://127.0.0.1:9\n  integration_key: il1api-test\n')
    const proc = Bun.spawn([NODE!, LAUNCHER, '--config', config], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { PATH: process.env.PATH, HOME: tmpdir() } })
    const w = watch(proc)
    const s = await w.started()
    const r = await fetch(`${s.http}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mcp_id: 'abc-123', summary: 'stays queued' }) })
    expect(r.status).toBe(202)
    proc.kill('SIGINT')
    await w.waitFor('"Stopping: no new events accepted')
    await Bun.sleep(1300) // a person's second Ctrl-C, not the same keypress arriving twice (REPEAT_WINDOW_MS)
    proc.kill('SIGINT')
    expect(await proc.exited).toBe(130)
    await w.done
    expect(w.text()).toContain('Forced exit: 1 undelivered event(s) stay in the durable queue for the next start.')
  })

  test('a SIGTERM during the start is kept until the bridge is up: one drain, exit 0 (not killed by the signal)', async () => {
    // No ilert key: the first line (the embedded simulator's) comes before the App starts, so the
    // signal lands during the start. Handlers installed only after start() let it kill the process.
    const { config } = setup()
    const proc = Bun.spawn([process.execPath, join(REPO_ROOT, 'src', 'main.ts'), '--config', config], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { PATH: process.env.PATH, HOME: tmpdir() } })
    const w = watch(proc)
    await w.waitFor('No ilert key configured')
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    await w.done
    expect(w.text().split('"Stopping: no new events accepted').length).toBe(2)
    expect(w.text()).toContain('"Drained; stopped."')
  })
})
