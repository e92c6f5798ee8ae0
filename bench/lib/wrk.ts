/**
 * Runs wrk (Debian's package; installed by bench/run.ts when missing) on the load-generator core
 * with bench/wrk/post-bodies.lua, and returns its summary.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BENCH, LOAD_CORE, pinned, which } from './common'

export interface WrkResult {
  requests: number
  durationSec: number
  requestsPerSec: number
  errors: { connect: number; read: number; write: number; status: number; timeout: number }
  latencyUs: { p50: number; p99: number; p999: number; max: number; mean: number }
}

export function wrkAvailable(): boolean {
  return which('wrk') !== undefined
}

export function writeBodies(dir: string, name: string, bodies: string[]): string {
  const f = join(dir, `${name}.bodies`)
  writeFileSync(f, bodies.join('\n') + '\n')
  return f
}

export async function runWrk(o: { url: string; bodiesFile: string; path?: string; contentType?: string; connections: number; seconds: number; threads?: number }): Promise<WrkResult> {
  const args = [
    'wrk',
    `-t${o.threads ?? 1}`,
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    join(BENCH, 'wrk', 'post-bodies.lua'),
    o.url,
    '--',
    o.bodiesFile,
    o.path ?? '/events',
    o.contentType ?? 'application/json',
  ]
  const p = Bun.spawn(pinned(LOAD_CORE, args), { stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '))
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${err || out}`)
  const j = JSON.parse(line.slice('WRKJSON '.length))
  const durationSec = j.duration_us / 1e6
  return {
    requests: j.requests,
    durationSec,
    requestsPerSec: j.requests / durationSec,
    errors: { connect: j.connect, read: j.read, write: j.write, status: j.status, timeout: j.timeout },
    latencyUs: { p50: j.lat_p50_us, p99: j.lat_p99_us, p999: j.lat_p999_us, max: j.lat_max_us, mean: j.lat_mean_us },
  }
}

export function wrkErrors(r: WrkResult): number {
  const e = r.errors
  return e.connect + e.read + e.write + e.status + e.timeout
}
