/**
 * Third-party programs the source tests run for real (Alertmanager, rsyslog, logger, Mosquitto):
 * a Debian package is installed with apt-get when its program is missing (CI runs as root on a
 * clean machine), and a test fails with a clear message when that is not possible; nothing is
 * skipped silently. Also: free ports for daemons that cannot bind port 0 and report it, and
 * child processes that are always reaped.
 */
import { createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import type { Subprocess } from 'bun'

const installed = new Map<string, Promise<string>>()

/** Absolute path of `program` (searched in PATH and the sbin folders), installing `pkg` when missing. */
export function ensureProgram(program: string, pkg: string): Promise<string> {
  let p = installed.get(program)
  if (!p) {
    p = (async () => {
      const found = which(program)
      if (found) return found
      const run = (args: string[]) => Bun.spawnSync(args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdout: 'pipe', stderr: 'pipe' })
      let r = run(['apt-get', 'install', '-y', '-qq', pkg])
      if (r.exitCode !== 0) {
        run(['apt-get', 'update', '-qq'])
        r = run(['apt-get', 'install', '-y', '-qq', pkg])
      }
      const now = which(program)
      if (!now) throw new Error(`${program} is not installed and "apt-get install -y ${pkg}" failed (${r.exitCode}): ${r.stderr.toString().slice(-500)}`)
      return now
    })()
    installed.set(program, p)
  }
  return p
}

function which(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin']
  for (const d of dirs) {
    if (d === '') continue
    const f = `${d}/${program}`
    if (Bun.spawnSync(['test', '-x', f]).exitCode === 0) return f
  }
  return undefined
}

/** A TCP port that was free a moment ago (bound to 0 and released). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** A port free for both TCP and UDP. */
export async function freeTcpUdpPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort()
    const ok = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4')
      u.once('error', () => resolve(false))
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)))
    })
    if (ok) return port
  }
  throw new Error('no port free for both TCP and UDP')
}

/** Spawns a daemon in the foreground; it is killed when the test process exits. */
export function spawnDaemon(cmd: string[], opts: { cwd?: string } = {}): Subprocess<'ignore', 'pipe', 'pipe'> & { output(): string } {
  const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', ...(opts.cwd ? { cwd: opts.cwd } : {}) })
  const reap = () => proc.kill(9)
  process.once('exit', reap)
  void proc.exited.then(() => process.off('exit', reap))
  let text = ''
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      const dec = new TextDecoder()
      for await (const chunk of stream as ReadableStream<Uint8Array>) text = (text + dec.decode(chunk)).slice(-20_000)
    })().catch(() => undefined)
  }
  return Object.assign(proc, { output: () => text })
}
