/**
 * One owner per queue.path: two bridges on one store would each deliver every event, spending
 * ilert's per-key budget twice. The owner holds `LOCK`, a symbolic link whose target is its pid
 * (created atomically, and a short link needs no data block, so this works on a full disk too). A
 * second process finds it and refuses to start, naming that pid. A lock left by a process that no
 * longer exists (kill -9, a crash) is taken over. Released by `release()`.
 */
import { readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const LOCK_FILE = 'LOCK'
/** Where the owner says how to reach it (its admin API), so `dead-letters` can ask it instead of the files. */
export const OWNER_FILE = 'owner.json'

export interface OwnerInfo {
  pid: number
  /** Base URL of the bridge's HTTP listener (no credentials). */
  url: string
}

export function writeOwner(dir: string, info: OwnerInfo): void {
  try {
    writeFileSync(join(dir, OWNER_FILE), JSON.stringify(info) + '\n', { mode: 0o600 })
  } catch {
    // a full disk: the CLI falls back to listen.* from the config
  }
}

export function clearOwner(dir: string): void {
  rmSync(join(dir, OWNER_FILE), { force: true })
}

/** The owner's published address, if it is the live holder of the lock. */
export function readOwner(dir: string, pid: number): OwnerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerInfo
    return info.pid === pid && typeof info.url === 'string' ? info : undefined
  } catch {
    return undefined
  }
}

export class QueueLockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`queue.path ${path} is in use by another mcp-ilert process (pid ${pid}); stop it first, or give this one its own queue.path`)
  }
}

export interface LockHandle {
  release(): void
}

/** Queue directories this process holds (a pid equal to ours in a lock is ours only if listed here). */
const heldHere = new Set<string>()

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid holding the lock of `dir`, if a live process holds it. */
export function lockHolder(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readlinkSync(join(dir, LOCK_FILE)), 10)
    return alive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

export function acquireQueueLock(dir: string): LockHandle {
  const file = join(dir, LOCK_FILE)
  const key = resolve(dir)
  if (heldHere.has(key)) throw new QueueLockedError(dir, process.pid)
  for (let tries = 0; tries < 3; tries++) {
    try {
      symlinkSync(String(process.pid), file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = lockHolder(dir)
      if (holder !== undefined) throw new QueueLockedError(dir, holder)
      try {
        unlinkSync(file) // stale: its process is gone
      } catch {
        // someone else took it over first: the next round sees theirs
      }
      continue
    }
    let released = false
    heldHere.add(key)
    return {
      release() {
        if (released) return
        released = true
        heldHere.delete(key)
        try {
          if (readlinkSync(file) === String(process.pid)) unlinkSync(file)
        } catch {
          // already gone
        }
      },
    }
  }
  throw new Error(`queue.path ${dir}: could not take its ${LOCK_FILE}`)
}
