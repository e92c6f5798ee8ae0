/**
 * How the process stops. The first SIGINT/SIGTERM (or the launcher's lifeline closing) starts the
 * graceful drain; a second signal, at least REPEAT_WINDOW_MS later, forces the exit at once and says
 * how many events stay queued. Repeats closer than that are one event: a terminal's Ctrl-C reaches
 * the bridge directly and again through the npm launcher, which shares its process group.
 *
 * The lifeline: bin/mcp-ilert.cjs holds the write end of a pipe on our fd MCPILERT_LIFELINE_FD. It
 * never writes; EOF means the launcher died without a word (kill -9, OOM killer), so we drain and
 * exit rather than linger as an orphan holding the ports.
 */
import type { Logger } from '../observability/logger'

/** 1 s: under load the launcher's forwarded copy of one Ctrl-C has arrived more than 250 ms after the original. */
export const REPEAT_WINDOW_MS = 1000
/** Environment variable naming the lifeline fd (outside the MCP_ILERT_ config namespace). */
export const LIFELINE_ENV = 'MCPILERT_LIFELINE_FD'
/** Exit code of a forced exit (as a shell reports a process stopped by Ctrl-C). */
export const EXIT_FORCED = 130

export interface ShutdownOptions {
  log: Logger
  /** Stops the App (drains within its deadline) and anything started beside it. */
  drain(): Promise<void>
  /** Events accepted but not yet delivered, for the forced-exit message. */
  undelivered(): number
  durable: boolean
  drainSeconds: number
  exit(code: number): void
  now?: () => number
}

export type ShutdownTrigger = 'SIGINT' | 'SIGTERM' | 'launcher_gone'

export function createShutdown(o: ShutdownOptions) {
  const now = o.now ?? Date.now
  let startedAt: number | undefined
  return {
    get stopping() {
      return startedAt !== undefined
    },
    trigger(reason: ShutdownTrigger): void {
      const t = now()
      if (startedAt === undefined) {
        startedAt = t
        o.log.info('Stopping: no new events accepted, draining the queue (Ctrl-C again to exit at once).', { signal: reason, deadlineSeconds: o.drainSeconds })
        void o.drain().then(
          () => o.exit(0),
          (err: unknown) => {
            o.log.error('Drain failed.', { error: err as Error })
            o.exit(1)
          },
        )
        return
      }
      if (reason === 'launcher_gone' || t - startedAt < REPEAT_WINDOW_MS) return
      const n = o.undelivered()
      const where = o.durable ? 'stay in the durable queue for the next start' : 'are lost (queue.durable is false)'
      o.log.warn(`Forced exit: ${n} undelivered event(s) ${where}.`, { signal: reason, events: n })
      o.exit(EXIT_FORCED)
    },
  }
}

/** Calls `onClose` once the launcher's end of the lifeline pipe is closed. */
export function watchLifeline(fd: number, onClose: () => void, log: Logger): void {
  void (async () => {
    try {
      const reader = Bun.file(fd).stream().getReader()
      for (;;) if ((await reader.read()).done) break
    } catch (err) {
      log.warn('Cannot watch the launcher lifeline; the bridge will not notice if the launcher dies.', { fd, error: err as Error })
      return
    }
    log.warn('The launcher exited without stopping the bridge; stopping.')
    onClose()
  })()
}
