/**
 * Scratch queue directories and the stores opened on them, for the durable-store tests: whatever
 * a test opened is closed after it, and its directories are removed. Call at a test file's top level.
 */
import { afterEach } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function storeScratch(prefix: string) {
  const dirs: string[] = []
  const open: { close(): void }[] = []
  afterEach(() => {
    for (const s of open.splice(0)) s.close()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), `mcp-ilert-${prefix}-`))
    dirs.push(d)
    return d
  }
  return {
    /** A new empty directory. */
    dir,
    /** A queue.path (not yet created) inside a new directory. */
    queuePath: (): string => join(dir(), 'queue'),
    /** `s`, closed after the test unless closed before with `close`. */
    keep<T extends { close(): void }>(s: T): T {
      open.push(s)
      return s
    },
    /** Closes `s` now (a restart), and not again after the test. */
    close(s: { close(): void }): void {
      open.splice(open.indexOf(s), 1)
      s.close()
    },
  }
}
