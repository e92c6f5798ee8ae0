/**
 * A Mosquitto broker of the test's own (`mosquitto -c <config>` on free ports, in a temporary
 * directory), so MQTT tests control its listeners (plain, TLS), its password file and its
 * lifetime, and never share sessions with the machine's broker. Installs Debian's mosquitto when
 * it is missing (external.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureProgram, freeTcpPort, spawnDaemon } from './external'
import { waitFor } from './harness'

export interface Mosquitto {
  dir: string
  /** Port of the first listener. */
  port: number
  /** Every listener's port, in the order given. */
  ports: number[]
  output(): string
  stop(): Promise<void>
}

export interface ListenerSpec {
  /** Extra lines under this listener (certfile, require_certificate...). */
  lines?: string[]
}

/**
 * Starts mosquitto with one listener per spec on 127.0.0.1; `global` lines (password_file,
 * allow_anonymous, ...) go first. Resolves once every listener accepts TCP connections.
 */
export async function startMosquitto(listeners: ListenerSpec[] = [{}], global: string[] = ['allow_anonymous true']): Promise<Mosquitto> {
  const bin = await ensureProgram('mosquitto', 'mosquitto')
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'))
  const ports: number[] = []
  for (const _ of listeners) ports.push(await freeTcpPort())
  const conf = [
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    // As root (CI), mosquitto would switch to the user "mosquitto", which cannot read the test's
    // certificate and password files: stay root. Other users keep running as themselves anyway.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    ...global,
    ...listeners.flatMap((l, i) => [`listener ${ports[i]} 127.0.0.1`, ...(l.lines ?? [])]),
    '',
  ].join('\n')
  const confFile = join(dir, 'mosquitto.conf')
  writeFileSync(confFile, conf)
  const daemon = spawnDaemon([bin, '-c', confFile])
  for (const port of ports) {
    await waitFor(`mosquitto to listen on ${port}: ${daemon.output()}`, async () => {
      if (daemon.exitCode !== null) throw new Error(`mosquitto exited (${daemon.exitCode}): ${daemon.output()}`)
      try {
        const s = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } })
        s.end()
        return true
      } catch {
        return false
      }
    })
  }
  return {
    dir,
    port: ports[0]!,
    ports,
    output: () => daemon.output(),
    async stop() {
      daemon.kill()
      await daemon.exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
