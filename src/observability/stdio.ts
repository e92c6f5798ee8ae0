/**
 * Writers for the process's stdout and stderr (fds 1 and 2) that do not touch `process.stdout` /
 * `process.stderr`: in Bun the first access to either builds a stream and loads node:stream, 9 to
 * 15 ms of every cold start on a small machine, for the one log line a start writes.
 * Writes are synchronous, as Node's are for files, pipes and terminals on Linux, so lines keep
 * their order and none is lost at exit. Should the descriptor be non-blocking and full (EAGAIN),
 * the rest of that write and every later one go through the stream instead, still in order.
 * Any other failure (EPIPE: the reader went away) drops that write: a log line must never throw
 * into the data path that wrote it.
 */
import { writeSync } from 'node:fs'

export interface OutStream {
  write(text: string): unknown
}

export function fdWriter(fd: 1 | 2): OutStream {
  let stream: NodeJS.WriteStream | undefined
  return {
    write(text) {
      if (stream !== undefined) return stream.write(text)
      const bytes = Buffer.from(text)
      let off = 0
      try {
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false
        stream = fd === 1 ? process.stdout : process.stderr
        return stream.write(bytes.subarray(off))
      }
      return true
    },
  }
}

export const stdoutWriter = fdWriter(1)
export const stderrWriter = fdWriter(2)
