/**
 * `npm run test:arm64`: the linux-arm64 release binary under qemu-user (Debian's qemu-user-static,
 * with the ARM64 glibc of libc6-arm64-cross), not part of `npm test` (emulation is slow). It builds
 * the binary, runs the README's quick start through it (seed event -> HIGH alert abc-123 at the
 * embedded simulator), a short ingest run over HTTP, and prints what it measured: start time, RSS
 * (of the qemu process, so emulator overhead included) and ingest rate. Installs the two Debian
 * packages with apt-get when run as root and they are missing. Exit 0 only if the quick start worked.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildRelease } from './build-release'

const SYSROOT = '/usr/aarch64-linux-gnu'
const EVENTS = Number(process.env.ARM64_EVENTS ?? 20_000)
const BATCH = 500

function ensure(tool: string, pkg: string, present: () => boolean) {
  if (present()) return
  if (process.getuid?.() !== 0) throw new Error(`${tool} missing: apt-get install -y ${pkg}`)
  Bun.spawnSync(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { stdout: 'inherit', stderr: 'inherit' })
  if (!present()) throw new Error(`${tool} still missing after apt-get install -y ${pkg}`)
}

ensure('qemu-aarch64-static', 'qemu-user-static', () => Bun.which('qemu-aarch64-static') !== null)
ensure(`${SYSROOT}/lib/ld-linux-aarch64.so.1`, 'libc6-arm64-cross', () => existsSync(`${SYSROOT}/lib/ld-linux-aarch64.so.1`))

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-arm64-'))
let ok = false
try {
  const [built] = await buildRelease(join(dir, 'release'), ['linux-arm64'])
  if (!built?.file) throw new Error(`build failed: ${built?.error}`)
  const qemu = ['qemu-aarch64-static', '-L', SYSROOT, built.file]
  const version = Bun.spawnSync([...qemu, '--version'], { stdout: 'pipe' }).stdout.toString().trim()

  const t0 = performance.now()
  const proc = Bun.spawn(qemu, {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', HOME: dir, MCP_ILERT_LISTEN_PORT: '0', MCP_ILERT_TCP_PORT: '0', MCP_ILERT_METRICS_LISTEN_PORT: '0' },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  let log = ''
  void (async () => {
    for await (const c of proc.stderr) log += new TextDecoder().decode(c)
  })()
  const line = async (msg: string) => {
    for (let i = 0; i < 1200; i++) {
      const l = log.split('\n').find((x) => x.includes(`"msg":"${msg}`))
      if (l) return JSON.parse(l) as Record<string, any>
      if (proc.exitCode !== null) break
      await Bun.sleep(25)
    }
    throw new Error(`no "${msg}" line:\n${log}`)
  }
  const sim = await line('No ilert key configured')
  const started = await line('mcp-ilert started.')
  const startMs = performance.now() - t0
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  const rssIdle = rss()

  const post = (body: string) => fetch(`${started.http}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const seed = await post('{"mcp_id":"abc-123","source":"monitoring-ng","priority":2,"summary":"CPU usage above threshold","details":"host: web-01, cpu: 92%"}')
  let alert: any
  for (let i = 0; i < 400 && !alert; i++) {
    alert = ((await (await fetch(`${sim.simulator}/api/alerts`)).json()) as any[]).find((a) => a.alertKey === 'abc-123')
    if (!alert) await Bun.sleep(50)
  }
  const quickStart = seed.status === 202 && alert?.priority === 'HIGH'

  // Short ingest run: EVENTS events in JSON-array batches over 100 alert keys (coalesced on delivery).
  const t1 = performance.now()
  let accepted = 0
  for (let i = 0; i < EVENTS; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => ({ mcp_id: `k-${(i + j) % 100}`, priority: 3, summary: `event ${i + j}` }))
    const r = await post(JSON.stringify(batch))
    accepted += ((await r.json()) as { accepted?: number }).accepted ?? 0
  }
  const ingestS = (performance.now() - t1) / 1000
  const rssAfter = rss()
  proc.kill('SIGTERM')
  const code = await proc.exited

  const rows = [
    ['binary', `${version} (linux-arm64, ${(Bun.file(built.file).size / 1e6).toFixed(1)} MB) under qemu-aarch64-static`],
    ['quick start', quickStart ? 'ok: seed event -> HIGH alert abc-123 at the embedded simulator' : `FAILED (status ${seed.status}, alert ${JSON.stringify(alert)})`],
    ['start time', `${Math.round(startMs)} ms (spawn -> "mcp-ilert started.")`],
    ['RSS idle', `${rssIdle.toFixed(1)} MB (qemu process, emulator included)`],
    ['ingest run', `${accepted} of ${EVENTS} events accepted in ${ingestS.toFixed(2)} s = ${Math.round(accepted / ingestS)} events/s (HTTP, batches of ${BATCH}, durable queue)`],
    ['RSS after run', `${rssAfter.toFixed(1)} MB`],
    ['SIGTERM', `exit ${code}`],
  ]
  for (const [k, v] of rows) console.log(`${k!.padEnd(14)} ${v}`)
  ok = quickStart && accepted === EVENTS && code === 0
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(ok ? 0 : 1)
