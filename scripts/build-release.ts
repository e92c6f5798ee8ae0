/**
 * `npm run build:release`: standalone executables of the bridge (`bun build --compile`) for every
 * release target into dist/release/, plus SHA256SUMS. Cross targets need Bun's runtime for that
 * platform, which Bun fetches from the npm registry (@oven/bun-linux-aarch64, ...); a target whose
 * runtime cannot be fetched is reported and skipped, and the command fails only when the host's
 * own target fails.
 *
 *   bun scripts/build-release.ts [--out DIR] [--targets linux-x64,linux-arm64,darwin-arm64]
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const TARGETS = {
  'linux-x64': 'bun-linux-x64',
  'linux-arm64': 'bun-linux-arm64',
  'darwin-arm64': 'bun-darwin-arm64',
} as const
export type Target = keyof typeof TARGETS

/**
 * `bun build` flags of every release binary. --bytecode ships JSC bytecode instead of source for
 * the runtime to parse: a cold start to ready in 42 ms instead of 98 ms on this machine (it needs
 * --format=esm for main.ts's top-level await). --splitting keeps what the bridge imports only when
 * configured (MQTT, NATS, SQLite for dead letters, the MCP SDK's parts, the simulator...) in chunks
 * of their own inside the binary, loaded on first import: as one bundle, all of it was loaded at
 * start. Idle RSS 51.3-51.5 -> 47.9-48.0 MB in memory, 50.5-51.1 -> 49.3 MB durable; cold start
 * unchanged (bench/PROFILE.md, thirteenth pass).
 */
export const COMPILE_FLAGS = ['--compile', '--bytecode', '--format=esm', '--splitting'] as const

const ROOT = resolve(import.meta.dir, '..')

export function hostTarget(): Target | undefined {
  const t = `${process.platform === 'darwin' ? 'darwin' : process.platform}-${process.arch}`
  return t in TARGETS ? (t as Target) : undefined
}

function revision(): string {
  const r = Bun.spawnSync(['git', 'rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, stdout: 'pipe', stderr: 'ignore' })
  if (r.exitCode !== 0) return 'unknown'
  const dirty = Bun.spawnSync(['git', 'status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, stdout: 'pipe' }).stdout.toString().trim()
  return r.stdout.toString().trim() + (dirty ? '-dirty' : '')
}

export interface Built {
  target: Target
  file?: string
  sha256?: string
  error?: string
}

/** Builds `targets` into `out`; returns what was built (or why not) per target. */
export async function buildRelease(out: string, targets: Target[]): Promise<Built[]> {
  mkdirSync(out, { recursive: true })
  const rev = revision()
  const results: Built[] = []
  for (const target of targets) {
    const file = join(out, `mcp-ilert-${target}`)
    rmSync(file, { force: true })
    const proc = Bun.spawnSync(
      [process.execPath, 'build', ...COMPILE_FLAGS, `--target=${TARGETS[target]}`, '--define', `MCP_ILERT_BUILD_REVISION=${JSON.stringify(rev)}`, join(ROOT, 'src', 'main.ts'), '--outfile', file],
      { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' },
    )
    if (proc.exitCode !== 0) {
      const why = (proc.stderr.toString() + proc.stdout.toString()).trim().split('\n').slice(-3).join(' | ')
      results.push({ target, error: why || `exit ${proc.exitCode}` })
      continue
    }
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex')
    results.push({ target, file, sha256 })
  }
  const sums = results.filter((r) => r.sha256).map((r) => `${r.sha256}  mcp-ilert-${r.target}\n`)
  writeFileSync(join(out, 'SHA256SUMS'), sums.join(''))
  return results
}

if (import.meta.main) {
  const argv = process.argv.slice(2)
  const opt = (name: string) => {
    const i = argv.indexOf(name)
    return i === -1 ? undefined : argv[i + 1]
  }
  const out = resolve(opt('--out') ?? join(ROOT, 'dist', 'release'))
  const targets = (opt('--targets')?.split(',') ?? Object.keys(TARGETS)) as Target[]
  for (const t of targets) if (!(t in TARGETS)) throw new Error(`unknown target ${t} (known: ${Object.keys(TARGETS).join(', ')})`)
  const results = await buildRelease(out, targets)
  for (const r of results) console.log(r.file ? `built   ${r.target}  ${r.sha256}  ${r.file}` : `skipped ${r.target}: ${r.error}`)
  console.log(`checksums: ${join(out, 'SHA256SUMS')}`)
  const host = hostTarget()
  process.exit(results.some((r) => r.target === host && !r.file) ? 1 : 0)
}
