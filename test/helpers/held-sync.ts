/**
 * The durable store's fdatasync as a test controls it (the App's `syncFn` hook): while held, each
 * sync waits until `release()`, so an event is written but its commit, and with it the
 * acknowledgement, is still under way. Used to check that no ack leaves before its sync, and that a
 * stop during a commit still acknowledges what was stored.
 */
import { fdatasync } from 'node:fs'

export function heldSync() {
  let on = false
  const waiting: (() => void)[] = []
  return {
    /** For `startStack({ app: { syncFn } })`. */
    syncFn: async (fd: number) => {
      if (on) await new Promise<void>((r) => waiting.push(r))
      await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())))
    },
    /** From now on every sync waits. */
    hold: () => void (on = true),
    /** Syncs waiting now. */
    waiting: () => waiting.length,
    /** Lets the waiting syncs run and stops holding new ones. */
    release: () => {
      on = false
      for (const r of waiting.splice(0)) r()
    },
  }
}
