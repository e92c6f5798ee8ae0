/**
 * A Node >= 22 binary for tools that need it (the MCP conformance suite), without making every
 * install of the project download one: PATH's node if new enough, else the npm registry's
 * node-linux-<arch> package installed on first use into node_modules/.cache (not a dependency,
 * so `npm install` still works on every platform).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

const NODE22_VERSION = '22.23.3'

export function nodeMajor(bin: string): number | undefined {
  try {
    const r = Bun.spawnSync([bin, '--version'])
    return r.exitCode === 0 ? Number(/^v(\d+)/.exec(r.stdout.toString())?.[1]) : undefined
  } catch {
    return undefined
  }
}

export type Node22 = { kind: 'found'; bin: string } | { kind: 'missing'; reason: string }

export function findNode22(root: string): Node22 {
  const pathNode = Bun.which('node')
  if (pathNode && (nodeMajor(pathNode) ?? 0) >= 22) return { kind: 'found', bin: pathNode }
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) {
    return { kind: 'missing', reason: `PATH has Node ${pathNode ? nodeMajor(pathNode) : 'none'} and no packaged Node for ${process.platform}-${process.arch}` }
  }
  const pkg = `node-linux-${process.arch}`
  const prefix = join(root, 'node_modules', '.cache', 'mcp-ilert-node22')
  const bin = join(prefix, 'node_modules', pkg, 'bin', 'node')
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true })
    const r = Bun.spawnSync(['npm', 'install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${NODE22_VERSION}`], { stdout: 'pipe', stderr: 'pipe' })
    if (r.exitCode !== 0) return { kind: 'missing', reason: `npm install ${pkg}@${NODE22_VERSION} failed: ${r.stderr.toString().slice(-300)}` }
  }
  return (nodeMajor(bin) ?? 0) >= 22 ? { kind: 'found', bin } : { kind: 'missing', reason: `${bin} does not run` }
}
