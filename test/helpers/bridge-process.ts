/**
 * Runs the real bridge as a child process (`bun src/main.ts --config FILE`), the way a user
 * does, so tests can kill -9 it. Ports are 0 in the config; the bound ones are read from the
 * bridge's "started" log line.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

const ROOT = join(import.meta.dir, '..', '..')

export interface BridgeProcess {
  proc: Subprocess<'ignore', 'ignore', 'pipe'>
  httpUrl: string
  tcpPort: number
  stderr(): string
  kill(signal?: NodeJS.Signals | number): Promise<number | null>
}

export function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'config.yaml')
  writeFileSync(file, yaml)
  return file
}

/** `mcp-ilert dead-letters ARGS` for the durable queue at `queuePath`, as a user runs it (config written into `dir`). */
export async function deadLettersCli(dir: string, queuePath: string, ...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const config = writeConfig(dir, `queue: { durable: true, path: "${queuePath}" }\n`)
  const p = Bun.spawn([process.execPath, join(ROOT, 'src/main.ts'), 'dead-letters', ...args, '--config', config], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '' },
  })
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  return { out, err, code }
}

export async function startBridge(configFile: string, env: Record<string, string> = {}, timeoutMs = 10_000): Promise<BridgeProcess> {
  const proc = Bun.spawn([process.execPath, join(ROOT, 'src/main.ts'), '--config', configFile], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  // Never leave a bridge behind, even when a test fails or times out before it kills it.
  const reap = () => proc.kill(9)
  process.once('exit', reap)
  void proc.exited.then(() => process.off('exit', reap))
  let text = ''
  const reader = proc.stderr.getReader()
  const decoder = new TextDecoder()
  let started: { http: string; tcp: number } | undefined
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      text += decoder.decode(value)
      if (!started) {
        const line = text.split('\n').find((l) => l.includes('"mcp-ilert started."'))
        if (line) {
          const j = JSON.parse(line) as { http: string; tcp: number }
          started = { http: j.http, tcp: j.tcp }
        }
      }
    }
  })()
  const until = Date.now() + timeoutMs
  while (!started) {
    if (proc.exitCode !== null || Date.now() > until) {
      proc.kill(9)
      throw new Error(`bridge did not start (exit ${proc.exitCode}):\n${text}`)
    }
    await Bun.sleep(20)
  }
  return {
    proc,
    httpUrl: started.http,
    tcpPort: started.tcp,
    stderr: () => text,
    async kill(signal = 'SIGKILL') {
      proc.kill(signal)
      const code = await proc.exited
      await pump.catch(() => undefined)
      return code
    },
  }
}
