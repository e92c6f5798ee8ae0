#!/usr/bin/env node
/**
 * npm/npx launcher: the bridge is TypeScript run by Bun, but `npx mcp-ilert` starts Node. This finds
 * the Bun binary shipped by the `bun` npm dependency (or `bun` on PATH), runs src/main.ts with it,
 * and makes sure the bridge never outlives it:
 *  - SIGINT/SIGTERM/SIGHUP sent to this PID are forwarded once each (the bridge drains as usual);
 *  - the bridge stays in our process group (no `detached`), so a terminal's Ctrl-C or a group kill
 *    reaches it directly too;
 *  - we hold the write end of a pipe on the bridge's fd 3 (MCPILERT_LIFELINE_FD=3): if we die without a
 *    word (kill -9, OOM killer), the kernel closes it and the bridge drains and exits on EOF;
 *  - under `npx` (npm_command=exec) we also watch our own parent: if npm dies, we stop the bridge.
 * Exits with the child's code (128+N if it died of signal N).
 * Plain CommonJS with no dependencies so it works on any Node the engines field allows.
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
/** How often, under npx, we check that npm (our parent) is still there. */
const PARENT_POLL_MS = 1000

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
  // Handlers first: a signal that arrived between spawn() and them would kill us with its default
  // action, leaving the bridge to notice only through the lifeline.
  // Handlers run on the event loop, after main() returns, so `child` is set by then.
  const last = {}
  let child
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
  child = spawn(bun.path, [MAIN, ...process.argv.slice(2)], {
    // fd 3: the lifeline. The bridge reads it and never gets data; EOF means we are gone.
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, MCPILERT_LIFELINE_FD: '3' },
  })
  // The pipe must not keep our event loop alive, nor its errors (EPIPE once the child is gone) kill us.
  const lifeline = child.stdio[3]
  if (lifeline) {
    lifeline.on('error', () => {})
    if (typeof lifeline.unref === 'function') lifeline.unref()
  }
  if (process.env.npm_command === 'exec' && process.platform !== 'win32') {
    const parent = process.ppid
    const timer = setInterval(() => {
      if (process.ppid !== parent) forward('SIGTERM')
    }, PARENT_POLL_MS)
    timer.unref()
  }
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
