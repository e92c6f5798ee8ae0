/**
 * The files of one queue.path: numbered segments (`segment-0000000007.wal`, appended by group
 * commits), at most one complete checkpoint (`checkpoint-0000000007.ckpt`: the live lanes as of
 * the start of segment 7, so it covers every segment below 7), and the dead-letter database. Names
 * sort in number order. Also the fsync helpers: a rename is durable only once its directory is.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'

const SEGMENT = /^segment-(\d{10})\.wal$/
const CHECKPOINT = /^checkpoint-(\d{10})\.ckpt$/
/** A checkpoint a crash interrupted (it is renamed into place only once whole). */
const CHECKPOINT_TMP = /^checkpoint-\d{10}\.ckpt\.tmp$/

export const segmentName = (n: number) => `segment-${String(n).padStart(10, '0')}.wal`
export const checkpointName = (n: number) => `checkpoint-${String(n).padStart(10, '0')}.ckpt`

export interface QueueFiles {
  segments: number[]
  checkpoints: number[]
  /** Names of checkpoints never finished (a crash while one was written): garbage. */
  unfinished: string[]
}

export function listQueueFiles(dir: string): QueueFiles {
  const segments: number[] = []
  const checkpoints: number[] = []
  const unfinished: string[] = []
  for (const name of readdirSync(dir)) {
    let m = SEGMENT.exec(name)
    if (m) segments.push(Number(m[1]))
    else if ((m = CHECKPOINT.exec(name))) checkpoints.push(Number(m[1]))
    else if (CHECKPOINT_TMP.test(name)) unfinished.push(name)
  }
  segments.sort((a, b) => a - b)
  checkpoints.sort((a, b) => a - b)
  return { segments, checkpoints, unfinished }
}

/** Total size of every regular file in `dir` (what queue.max_disk_bytes bounds). */
export function dirBytes(dir: string): number {
  let total = 0
  for (const name of readdirSync(dir)) {
    try {
      const st = statSync(join(dir, name))
      if (st.isFile()) total += st.size
    } catch {
      // removed meanwhile
    }
  }
  return total
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // some file systems cannot sync a directory; the rename is then as durable as they make it
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Fills `buf` from `fd` at file offset `pos`; false when the file ends first. */
export function readAt(fd: number, buf: Buffer, pos: number): boolean {
  for (let done = 0; done < buf.length; ) {
    const n = readSync(fd, buf, done, buf.length - done, pos + done)
    if (n === 0) return false
    done += n
  }
  return true
}

/** Deletes `file` if it is still there. */
export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}
