#!/usr/bin/env node
/**
 * npm/npx launcher: the bridge is TypeScript run by Bun, but `npx mcp-ilert` starts Node. This finds
 * the Bun binary shipped by the `bun` npm dependency (or `bun` on PATH), runs src/main.ts with it,
 * forwards SIGINT/SIGTERM/SIGHUP once each, and exits with the child's code (128+N if it died of signal N).
 * Plain CommonJS with no dependencies so it works on any Node >= 18.
 */
'use strict'
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const MAIN = path.join(__dirname, '..', 'src', 'main.ts')
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP']
/** Repeats of one signal closer than this are one event (a terminal's Ctrl-C reaches npm and us both). */
const DEDUPE_MS = 250
/** The npm package ships a small placeholder bun.exe that its postinstall replaces with the real binary. */
const MIN_BINARY_BYTES = 1024 * 1024

/** The `bun` dependency's binary if its postinstall ran, else `bun` from PATH. */
function findBun() {
  try {
    const pkg = require.resolve('bun/package.json', { paths: [path.join(__dirname, '..')] })
    const exe = path.join(path.dirname(pkg), 'bin', 'bun.exe')
    if (fs.statSync(exe).size >= MIN_BINARY_BYTES) return { kind: 'package', path: exe }
  } catch {
    // not installed here: fall through to PATH
  }
  return { kind: 'path', path: 'bun' }
}

function explain(bun, err) {
  const lines = [`mcp-ilert: cannot start the Bun runtime (${bun.path}): ${err.code || err.message}`]
  if (bun.kind === 'path') {
    lines.push(
      'The `bun` npm dependency has no usable binary, usually because its postinstall script did not run',
      '(installed with --ignore-scripts, or scripts not allowed). Fix it with:',
      '  npm rebuild bun',
      'or install Bun (https://bun.sh) so that `bun` is on PATH.',
    )
  } else {
    lines.push('The bundled binary exists but could not be executed; try `npm rebuild bun`, or check the file is executable.')
  }
  process.stderr.write(lines.join('\n') + '\n')
}

function main() {
  const bun = findBun()
  // Own process group (not on Windows, where that opens a console), so signals reach Bun only via us: once.
  const child = spawn(bun.path, [MAIN, ...process.argv.slice(2)], {
    stdio: 'inherit',
    detached: process.platform !== 'win32',
  })
  const last = {}
  const forward = (signal) => {
    const now = Date.now()
    if (last[signal] !== undefined && now - last[signal] < DEDUPE_MS) return
    last[signal] = now
    try {
      child.kill(signal)
    } catch {
      // child already gone
    }
  }
  for (const signal of SIGNALS) process.on(signal, forward)
  child.on('error', (err) => {
    explain(bun, err)
    process.exit(127)
  })
  child.on('exit', (code, signal) => {
    if (signal) process.exit(128 + (os.constants.signals[signal] || 0))
    process.exit(code === null ? 1 : code)
  })
}

main()
