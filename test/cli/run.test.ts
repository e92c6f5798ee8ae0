// runCli end to end, in process: exit codes, what goes to stdout/stderr, and the run hand-off.
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, type CliOutcome } from '../../src/cli/run'
import { REPO_ROOT, SEED_FULL, tempFile } from '../config/fixtures'

const PKG_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const outcome: CliOutcome = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
  })
  return { outcome, stdout, stderr }
}

/** The seed's full config without its tls section, whose files do not exist on this machine. */
const SEED_NO_TLS = SEED_FULL.replace(/^tls:\n(  .*\n)+/m, '')

const API_KEY = 'api-key-secret-0123456789'
const INTEGRATION_KEY = 'il1int-secret-abcdef'

describe('runCli', () => {
  test('--version prints the package.json version', async () => {
    const r = await cli(['--version'])
    expect(r.stdout).toBe(`mcp-ilert ${PKG_VERSION}\n`)
    expect(r.outcome).toEqual({ kind: 'exit', code: 0 })
  })

  test('--help lists the flags, the env convention and where to read more', async () => {
    const r = await cli(['--help'])
    expect(r.outcome).toEqual({ kind: 'exit', code: 0 })
    for (const s of ['--config FILE', '-c,', '--check-config FILE', '--version', '--help', 'simulator', 'MCP_ILERT_A_B_C', 'ILERT_API_KEY', 'README.md', 'examples/config.local.yaml']) {
      expect(r.stdout).toContain(s)
    }
    expect(r.stdout).toContain('MCP_ILERT_RATE_LIMIT_PER_KEY_PER_MINUTE')
  })

  test('a usage error goes to stderr with exit 2', async () => {
    const r = await cli(['--confg', 'x'])
    expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
    expect(r.stderr).toBe('mcp-ilert: unknown option "--confg" (did you mean "--config"?)\nRun "mcp-ilert --help" for usage.\n')
    expect(r.stdout).toBe('')
  })

  describe('--check-config', () => {
    test('valid: exit 0, masked YAML on stdout, warnings on stderr', async () => {
      const r = await cli(['--check-config', tempFile(SEED_NO_TLS)])
      expect(r.outcome).toEqual({ kind: 'exit', code: 0 })
      expect(r.stdout).toContain('configuration OK')
      expect(r.stdout).toContain('per_minute: 120')
      expect(r.stdout).toContain('api_key: "[set, 26 chars]"')
      expect(r.stdout).toContain('# Delivers to: https://api.ilert.com')
      expect(r.stderr).toContain('warning: listen.address is 0.0.0.0, not a loopback address')
      expect(r.stderr).toContain('auth.tokens is empty')
    })

    test('stdout and stderr contain no secret, from the file or the environment', async () => {
      const file = tempFile(`ilert:\n  api_key: "${API_KEY}"\n  webhook_key: "hook-secret-xyz"\n`)
      const r = await cli(['--check-config', file], { ILERT_INTEGRATION_KEY: INTEGRATION_KEY })
      expect(r.outcome).toEqual({ kind: 'exit', code: 0 })
      expect(r.stdout).toContain('integration_key: "[set, 20 chars]"')
      expect(r.stdout).toContain('# From the environment: ILERT_INTEGRATION_KEY -> ilert.integration_key')
      for (const secret of [API_KEY, INTEGRATION_KEY, 'hook-secret-xyz']) {
        expect(r.stdout + r.stderr).not.toContain(secret)
        expect(r.stdout + r.stderr).not.toContain(secret.slice(-4))
      }
    })

    test('reports the simulator as the target when nothing points at ilert', async () => {
      const r = await cli(['--check-config', tempFile('')])
      expect(r.stdout).toContain('# Delivers to: the bundled ilert simulator')
    })

    test('invalid: exit 2, the message on stderr, nothing on stdout', async () => {
      const file = tempFile('rate_limit:\n  per_key_per_minute: 0\n')
      const r = await cli(['--check-config', file])
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toBe(`mcp-ilert: invalid configuration: ${file}:2:3: rate_limit.per_key_per_minute: must be >= 1 (got 0)\n`)
      expect(r.stdout).toBe('')
    })

    test('a bad environment value fails the check too', async () => {
      const r = await cli(['--check-config', tempFile('')], { MCP_ILERT_TCP_PORT: 'x' })
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toContain('MCP_ILERT_TCP_PORT')
    })

    test('the seed config as written: its TLS files do not exist here, so exit 2 naming both', async () => {
      const r = await cli(['--check-config', tempFile(SEED_FULL)])
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toContain('error: tls.cert_file: cannot read /etc/ssl/certs/mcp.pem (no such file or directory)\nerror: tls.key_file: cannot read /etc/ssl/private/mcp.key')
      expect(r.stdout).toContain('2 problem(s) would stop the start')
    })

    test('reports every problem that would stop the start at once, exit 2', async () => {
      const notADir = tempFile('x') // a regular file: nothing can be created below it
      const file = tempFile(
        `ilert:\n  api_url: https://api.ilert.com\ntls:\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\nqueue:\n  path: ${notADir}/queue\n`,
      )
      const r = await cli(['--check-config', file])
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines).toContain(`error: queue.path ${notADir}/queue is not a writable directory (${notADir} is not a directory): set queue.path or MCP_ILERT_QUEUE_PATH to one the bridge's user can write`)
      expect(lines).toContain('error: tls.cert_file: cannot read /nonexistent/cert.pem (no such file or directory)')
      expect(lines).toContain('error: tls.key_file: cannot read /nonexistent/key.pem (no such file or directory)')
      expect(lines.some((l) => l.startsWith('warning: no ilert.integration_key'))).toBe(true)
      expect(r.stdout).toContain('3 problem(s) would stop the start')
    })

    test('warnings alone keep exit 0 and name the queue location', async () => {
      const dir = tempFile('x') + '.d'
      const r = await cli(['--check-config', tempFile(`queue:\n  path: ${dir}\n`)])
      expect(r.outcome).toEqual({ kind: 'exit', code: 0 })
      expect(r.stderr).toContain('warning: no ilert key and no ilert.api_url: events go to the bundled ilert simulator')
      expect(r.stdout).toContain(`# Queue: durable, in ${dir}`)
    })

    test('missing file: exit 2', async () => {
      const r = await cli(['--check-config', '/nonexistent.yaml'])
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toContain('cannot read config file /nonexistent.yaml: no such file')
    })
  })

  describe('run', () => {
    test('hands back the config, the simulator decision and the warnings, printing nothing', async () => {
      const r = await cli(['--config', tempFile(SEED_NO_TLS)], { MCP_ILERT_TCP_PORT: '7001' })
      if (r.outcome.kind !== 'run') throw new Error(r.stderr)
      expect(r.outcome.config.tcp.port).toBe(7001)
      expect(r.outcome.config.rate_limit.per_minute).toBe(120)
      expect(r.outcome.embedded).toBe(false)
      expect(r.outcome.warnings.length).toBeGreaterThan(0)
      expect(r.stdout + r.stderr).toBe('')
    })

    test('no config and no key: embedded simulator', async () => {
      const r = await cli([])
      expect(r.outcome).toMatchObject({ kind: 'run', embedded: true, warnings: [] })
    })

    test('an unusable queue.path refuses the start with one clear line', async () => {
      const notADir = tempFile('x')
      const r = await cli([], { MCP_ILERT_QUEUE_PATH: `${notADir}/q` })
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toBe(`mcp-ilert: cannot start: queue.path ${notADir}/q is not a writable directory (${notADir} is not a directory): set queue.path or MCP_ILERT_QUEUE_PATH to one the bridge's user can write\n`)
    })

    test('an invalid config exits 2 before anything starts', async () => {
      const r = await cli(['-c', tempFile('listen:\n  prot: 1\n')])
      expect(r.outcome).toEqual({ kind: 'exit', code: 2 })
      expect(r.stderr).toContain('unknown key "listen.prot" (did you mean "listen.port"?)')
    })
  })
})
