// What `npm pack` ships and which Node versions the package claims: the tarball a user installs
// from holds the launcher, the sources the launcher runs and the deploy kit, and no tests; the
// engines field is no lower than any production dependency that Node itself runs (the launcher
// runs on Node; everything else runs on Bun, whose engines claims say nothing about Node).
import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../config/fixtures'

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> }
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } }> }

/** Production dependencies that only ever run under Bun (imported by src/), never under Node. */
const BUN_ONLY = new Set(['p-queue', '@nats-io/nuid'])
const floor = (range: string) => Number(/>=\s*(\d+)/.exec(range)?.[1] ?? 0)

test('engines.node is >= 20 and no production dependency that Node runs needs more', () => {
  expect(pkg.engines.node).toBe('>=20')
  const needMore = Object.entries(lock.packages)
    .filter(([name, p]) => name !== '' && !p.dev && p.engines?.node && floor(p.engines.node) > floor(pkg.engines.node))
    .map(([name]) => name.replace(/^.*node_modules\//, ''))
  expect(needMore.filter((n) => !BUN_ONLY.has(n))).toEqual([])
})

test('npm pack ships the launcher, the sources, the simulator and the deploy kit, not the tests', () => {
  const r = Bun.spawnSync(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' })
  expect(r.exitCode).toBe(0)
  const files = (JSON.parse(r.stdout.toString()) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path)
  for (const f of ['bin/mcp-ilert.cjs', 'src/main.ts', 'src/simulator/cli.ts', 'deploy/mcp-ilert.service', 'deploy/prometheus/alerts.yml', 'deploy/grafana/mcp-ilert-dashboard.json', 'deploy/helm/mcp-ilert/Chart.yaml', 'examples/config.local.yaml', 'package.json']) {
    expect(files).toContain(f)
  }
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/') || f.startsWith('bench/'))).toEqual([])
})
