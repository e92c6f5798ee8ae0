/**
 * A private nats-server with JetStream for one test file (`-js -p <free port> -sd <tmpdir>`), so
 * tests never touch a shared server on 4222. Installed from Debian (nats-server) when missing.
 * restart() stops it and starts it again on the same port and store directory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureProgram, freeTcpPort, spawnDaemon } from './external'

export interface NatsServer {
  url: string
  port: number
  stop(signal?: NodeJS.Signals): Promise<void>
  start(): Promise<void>
  /** Removes the store directory (after stop). */
  remove(): void
  output(): string
}

export async function startNatsServer(extraArgs: string[] = []): Promise<NatsServer> {
  const bin = await ensureProgram('nats-server', 'nats-server')
  const port = await freeTcpPort()
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-nats-'))
  let proc: ReturnType<typeof spawnDaemon> | undefined
  let log = ''
  const start = async () => {
    proc = spawnDaemon([bin, '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, ...extraArgs])
    const until = Date.now() + 10_000
    while (!proc.output().includes('Server is ready')) {
      if (proc.exitCode !== null || Date.now() > until) throw new Error(`nats-server did not start:\n${proc.output()}`)
      await Bun.sleep(20)
    }
  }
  await start()
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    async stop(signal = 'SIGTERM') {
      if (!proc) return
      log += proc.output()
      proc.kill(signal)
      await proc.exited
      proc = undefined
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
    output: () => log + (proc?.output() ?? ''),
  }
}
