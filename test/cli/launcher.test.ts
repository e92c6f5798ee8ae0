// bin/mcp-ilert.cjs run by real Node: against the real entry point, and against stand-in entry points
// (in a temp copy of the package layout) to check argument passing, exit codes, signals and errors.
import { describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../config/fixtures'

const NODE = Bun.which('node')
const LAUNCHER = join(REPO_ROOT, 'bin', 'mcp-ilert.cjs')
const PKG_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version

async function node(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
  const proc = Bun.spawn([NODE!, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? { PATH: process.env.PATH }, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { stdout, stderr, code }
}

/** A temp package: bin/mcp-ilert.cjs, node_modules -> the repo's, and src/main.ts = `main`. */
function fakePackage(main: string, withNodeModules = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-launcher-'))
  mkdirSync(join(dir, 'bin'))
  mkdirSync(join(dir, 'src'))
  copyFileSync(LAUNCHER, join(dir, 'bin', 'mcp-ilert.cjs'))
  writeFileSync(join(dir, 'src', 'main.ts'), main)
  if (withNodeModules) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'))
  return join(dir, 'bin', 'mcp-ilert.cjs')
}

/** Reads a child's stdout until `marker` appears; returns everything read so far. */
async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<{ text: string; rest: () => Promise<string> }> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!text.includes(marker)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value)
  }
  const rest = async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return text
      text += decoder.decode(value)
    }
  }
  return { text, rest }
}

describe.skipIf(!NODE)('bin/mcp-ilert.cjs', () => {
  test('is executable and starts with a node shebang', () => {
    const text = readFileSync(LAUNCHER, 'utf8')
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(LAUNCHER).mode & 0o111).not.toBe(0)
  })

  describe.skipIf(!existsSync(join(REPO_ROOT, 'src', 'main.ts')))('with the real src/main.ts', () => {
    test('--version', async () => {
      const r = await node([LAUNCHER, '--version'])
      expect(r).toEqual({ stdout: `mcp-ilert ${PKG_VERSION}\n`, stderr: '', code: 0 })
    })

    test('--check-config examples/config.full.yaml (its TLS files do not exist here: exit 2, all reported)', async () => {
      const r = await node([LAUNCHER, '--check-config', 'examples/config.full.yaml'])
      expect(r.code).toBe(2)
      expect(r.stdout).toContain('2 problem(s) would stop the start (see stderr) (examples/config.full.yaml)')
      expect(r.stderr).toContain('error: tls.cert_file: cannot read /etc/ssl/certs/mcp.pem')
      expect(r.stdout).toContain('api_key: "[set, 26 chars]"')
      expect(r.stdout).not.toContain('XXXXXXXX')
      expect(r.stdout.trimEnd().endsWith('max_clients: 1000')).toBe(true) // all of it (mcp.oauth is the last section), not cut off by the exit
      expect(r.stderr).toContain('warning: listen.address is 0.0.0.0')
    })

    test('--check-config with a broken file exits 2', async () => {
      const r = await node([LAUNCHER, '--check-config', 'package.json'])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('invalid configuration')
    })
  })

  test('passes arguments through and exits with the child code', async () => {
    const launcher = fakePackage('console.log(JSON.stringify(process.argv.slice(2))); process.exit(7)\n')
    const r = await node([launcher, '--config', 'a b.yaml', '-x'])
    expect(r.stdout).toBe('["--config","a b.yaml","-x"]\n')
    expect(r.code).toBe(7)
  })

  test('forwards SIGTERM to the child and exits with its code', async () => {
    const launcher = fakePackage(
      "process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(0) })\nconsole.log('ready')\nsetInterval(() => {}, 1000)\n",
    )
    const proc = Bun.spawn([NODE!, launcher], { stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH } })
    const out = await readUntil(proc.stdout, 'ready')
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(await out.rest()).toBe('ready\nchild got SIGTERM\n')
  })

  test('a child killed by a signal gives 128 + signal number', async () => {
    const launcher = fakePackage("console.log('ready')\nsetInterval(() => {}, 1000)\n")
    const proc = Bun.spawn([NODE!, launcher], { stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH } })
    await readUntil(proc.stdout, 'ready')
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(143)
  })

  /** A child that counts SIGINTs for 500 ms after the first, then prints the count. */
  const COUNT_SIGINTS =
    "let n = 0\nprocess.on('SIGINT', () => { if (n++ === 0) setTimeout(() => { console.log('sigints ' + n); process.exit(0) }, 500) })\nconsole.log('ready')\nsetInterval(() => {}, 1000)\n"

  test('two SIGINTs 20 ms apart (npm and the terminal both deliver one) reach the child once', async () => {
    const proc = Bun.spawn([NODE!, fakePackage(COUNT_SIGINTS)], { stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH } })
    const out = await readUntil(proc.stdout, 'ready')
    proc.kill('SIGINT')
    await Bun.sleep(20)
    proc.kill('SIGINT')
    expect(await proc.exited).toBe(0)
    expect(await out.rest()).toBe('ready\nsigints 1\n')
  })

  // Ctrl-C to the whole foreground group (the bridge shares the launcher's group, so it gets the
  // kernel's copy and the launcher's): test/cli/launcher-lifecycle.test.ts, against the real bridge.

  test('without a usable Bun it explains how to fix it', async () => {
    const launcher = fakePackage('process.exit(0)\n', false)
    const bin = mkdtempSync(join(tmpdir(), 'mcp-ilert-path-'))
    symlinkSync(NODE!, join(bin, 'node'))
    const r = await node([launcher, '--version'], { env: { PATH: bin } })
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('cannot start the Bun runtime')
    expect(r.stderr).toContain('npm rebuild bun')
  })
})
