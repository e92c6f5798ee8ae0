/**
 * A child process whose stderr carries the bridge's JSON log lines: collects them, and finds a
 * line by its message (e.g. the start line, to read bound ports).
 */
import type { Subprocess } from 'bun'

export function logProcess(cmd: string[], opts: { env: Record<string, string | undefined>; cwd?: string }) {
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn(cmd, { ...opts, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const reap = () => proc.kill(9)
  process.once('exit', reap)
  void proc.exited.then(() => process.off('exit', reap))
  let text = ''
  const decoder = new TextDecoder()
  const done = (async () => {
    for await (const chunk of proc.stderr) text += decoder.decode(chunk)
  })()
  const line = async (msg: string, ms = 15_000): Promise<Record<string, any>> => {
    const until = Date.now() + ms
    for (;;) {
      const found = text.split('\n').find((l) => l.includes(`"msg":"${msg}`))
      if (found) return JSON.parse(found) as Record<string, any>
      if (proc.exitCode !== null || Date.now() > until) throw new Error(`no "${msg}" log line (exit ${proc.exitCode}):\n${text}`)
      await Bun.sleep(25)
    }
  }
  return {
    proc,
    line,
    stderr: () => text,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      proc.kill(signal)
      const code = await proc.exited
      await done
      return code
    },
  }
}

/** The one child of `pid` (the command bwrap runs), or undefined once it is gone. */
export function childOf(pid: number): number | undefined {
  const out = Bun.spawnSync(['pgrep', '-P', String(pid)]).stdout.toString().trim()
  const child = Number(out.split('\n')[0])
  return Number.isInteger(child) && child > 1 ? child : undefined
}
