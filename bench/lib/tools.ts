/**
 * External tools the benchmarks use, installed from Debian's packages when missing (as root, with
 * `apt-get update` first if the package lists are empty). Never fatal: what cannot be installed is
 * reported with the reason, and the scenario that needs it records that in its results.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { log, which } from './common'

export const TOOLS = {
  wrk: { bin: 'wrk', pkgs: ['wrk'] },
  alertmanager: { bin: 'prometheus-alertmanager', pkgs: ['prometheus-alertmanager'] },
  'syslog-ng': { bin: 'syslog-ng', pkgs: ['syslog-ng-core', 'syslog-ng-mod-http'] },
  'rsvg-convert': { bin: 'rsvg-convert', pkgs: ['librsvg2-bin'] },
} as const

export type Tool = keyof typeof TOOLS

let updated = false

function apt(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 })
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ') }
}

function listsEmpty(): boolean {
  try {
    return readdirSync('/var/lib/apt/lists').filter((f) => f.endsWith('_Packages')).length === 0
  } catch {
    return true
  }
}

/** Makes sure `tool` is on PATH; returns undefined when it is, or why it is not. */
export function ensureTool(tool: Tool): string | undefined {
  const t = TOOLS[tool]
  if (which(t.bin)) return undefined
  if (process.getuid?.() !== 0) return `${t.bin} not installed and not root (apt-get install ${t.pkgs.join(' ')})`
  if (!which('apt-get')) return `${t.bin} not installed and apt-get is not available`
  log(`installing ${t.pkgs.join(' ')} from Debian's packages…`)
  if (!updated && listsEmpty()) {
    const u = apt(['update'])
    updated = true
    if (!u.ok) return `apt-get update failed: ${u.out}`
  }
  let r = apt(['install', '-y', '--no-install-recommends', ...t.pkgs])
  if (!r.ok && !updated) {
    updated = true
    apt(['update'])
    r = apt(['install', '-y', '--no-install-recommends', ...t.pkgs])
  }
  if (!r.ok) return `apt-get install ${t.pkgs.join(' ')} failed: ${r.out}`
  return which(t.bin) ? undefined : `${t.bin} still not on PATH after installing ${t.pkgs.join(' ')}`
}
