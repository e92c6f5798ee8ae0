/**
 * The host's release binary, built once per source state: `scripts/build-release.ts` for the host
 * target into a temp folder keyed by a hash of src/, package.json, the build script (its flags)
 * and the Bun version, so every test file of a run (and the next run on an unchanged tree) shares
 * one build.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildRelease, hostTarget } from '../../scripts/build-release'

const ROOT = join(import.meta.dir, '..', '..')

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) hashTree(h, p)
    else h.update(p.slice(ROOT.length)).update(readFileSync(p))
  }
}

let built: Promise<string> | undefined

export function releaseBinary(): Promise<string> {
  return (built ??= (async () => {
    const target = hostTarget()
    if (!target) throw new Error(`no release target for ${process.platform}-${process.arch}`)
    const h = createHash('sha256').update(Bun.version).update(readFileSync(join(ROOT, 'package.json'))).update(readFileSync(join(ROOT, 'scripts', 'build-release.ts')))
    hashTree(h, join(ROOT, 'src'))
    const out = join(tmpdir(), `mcp-ilert-release-${h.digest('hex').slice(0, 16)}`)
    const file = join(out, `mcp-ilert-${target}`)
    if (existsSync(file) && existsSync(join(out, 'SHA256SUMS'))) return file // SHA256SUMS is written last
    const [r] = await buildRelease(out, [target])
    if (!r?.file) throw new Error(`bun build --compile failed: ${r?.error}`)
    return r.file
  })())
}
