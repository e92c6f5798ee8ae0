/**
 * Debian tools some tests need (promtool, systemd-analyze, bwrap, qemu): found on PATH, or installed
 * with apt-get when running as root (as CI does), or a clear failure saying what to install. Never
 * a silent skip.
 */
export function aptTool(tool: string, pkg: string): string {
  const found = Bun.which(tool)
  if (found) return found
  const root = process.getuid?.() === 0
  if (root) {
    let r = Bun.spawnSync(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.exitCode !== 0) {
      Bun.spawnSync(['apt-get', 'update'], { stdout: 'ignore', stderr: 'ignore' })
      r = Bun.spawnSync(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    }
    const again = Bun.which(tool)
    if (again) return again
    throw new Error(`${tool} is missing and "apt-get install -y ${pkg}" did not provide it:\n${r.stderr.toString().slice(-2000)}`)
  }
  throw new Error(`${tool} is missing: install the Debian package ${pkg} (apt-get install -y ${pkg}) and run the tests again`)
}
