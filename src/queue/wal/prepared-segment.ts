/**
 * The next log segment, made ahead of time: a file of zeros as long as a segment, written and
 * synced off the event loop while the active segment fills, then renamed into place at rotation.
 *
 * Why: with queue.sync: full every group commit ends in an fdatasync. On a file that grows, that
 * sync must also commit the new size and the blocks just allocated (a journal commit on ext4);
 * on blocks that already exist it writes the data alone. Measured here (ext4 on virtio, 3 KB per
 * write, pinned): 314-346 us and 90-105 us of CPU per write + fdatasync when appending, 154-183
 * us and 52-54 us into a zero-filled file. PostgreSQL zero-fills its WAL segments for the same
 * reason. Only the store with queue.sync: full uses it; the other modes sync once per segment.
 *
 * Its only content is zeros, so a file left by a crash mid-way is harmless: a start reuses one of
 * the full length and deletes any other. Reading a zero-filled segment stops at the first zero
 * frame header (log-store.ts, recovery).
 */
import { existsSync, renameSync, statfsSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { unlinkQuietly } from './files'

export const PREPARED_NAME = 'segment-prepared.tmp'

/** Zeros written per call while preparing. */
const CHUNK = 64 * 1024
/** A segment is made ahead only while the file system has this many segments' room left. */
const MIN_FREE_SEGMENTS = 4
/** After a failure (a full disk, say), the next attempt waits this long. */
const RETRY_MS = 60_000

export class SegmentPreparer {
  private readonly file: string
  private ready = false
  private busy = false
  private closed = false
  private retryAt = 0
  /** Bytes the prepared file takes on disk now (counted against queue.max_disk_bytes). */
  bytesOnDisk = 0

  constructor(
    private readonly dir: string,
    private readonly bytes: number,
    private readonly failed: (err: Error) => void = () => undefined,
  ) {
    this.file = join(dir, PREPARED_NAME)
    try {
      if (existsSync(this.file)) {
        if (statSync(this.file).size === bytes) {
          this.ready = true
          this.bytesOnDisk = bytes
        } else unlinkQuietly(this.file)
      }
    } catch {
      unlinkQuietly(this.file)
    }
  }

  /** A segment is ready to be taken. */
  get isReady(): boolean {
    return this.ready && !this.closed
  }

  /** Starts making the next segment unless one is ready or being made. */
  prepare(): void {
    if (this.ready || this.busy || this.closed || Date.now() < this.retryAt || !this.roomFor()) return
    this.busy = true
    this.fill().then(
      () => {
        this.busy = false
        if (!this.closed) this.ready = true
      },
      (err: Error) => {
        this.busy = false
        this.bytesOnDisk = 0
        if (this.closed) return // the file may be a later store's by now
        unlinkQuietly(this.file)
        this.retryAt = Date.now() + RETRY_MS
        this.failed(err)
      },
    )
  }

  /**
   * Renames the prepared file to `target` (a new segment's path) when one is ready; false
   * otherwise (the caller creates the segment as an empty file). The caller syncs the directory.
   */
  take(target: string): boolean {
    if (!this.ready || this.closed) return false
    this.ready = false
    this.bytesOnDisk = 0
    try {
      renameSync(this.file, target)
      return true
    } catch {
      unlinkQuietly(this.file)
      return false
    }
  }

  /** Stops preparing; a file being made is left to the next start (which deletes it: too short). */
  close(): void {
    this.closed = true
  }

  /** Zeros must not take the room the log itself needs. */
  private roomFor(): boolean {
    try {
      const s = statfsSync(this.dir)
      return s.bavail * s.bsize >= MIN_FREE_SEGMENTS * this.bytes
    } catch {
      return false
    }
  }

  private async fill(): Promise<void> {
    const zeros = Buffer.alloc(Math.min(CHUNK, this.bytes))
    const fh = await open(this.file, 'w', 0o600)
    try {
      for (let at = 0; at < this.bytes && !this.closed; ) {
        const n = Math.min(zeros.length, this.bytes - at)
        const { bytesWritten } = await fh.write(zeros, 0, n, at)
        at += bytesWritten
        this.bytesOnDisk = at
      }
      if (this.closed) return
      // fsync, not fdatasync: the size and the blocks are what the segment's later syncs must not pay for.
      await fh.sync()
    } finally {
      await fh.close()
    }
  }
}
