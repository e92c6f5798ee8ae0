/**
 * Checkpoints: the live lanes (every pending call with its body, merged count, sequence range and
 * attempts), the recent send history and the open storm digests, written when most of the log is
 * superseded, so the segments it covers can be deleted (Redis's AOF rewrite and Kafka's
 * compaction, on our lanes). The key history has its own log (history-log.ts).
 * Written to a temporary file, synced, then renamed: a checkpoint either exists whole or not at
 * all. Its records use the log's framing (frame.ts); the last record says how many entries came
 * before it, so a file cut short is refused rather than half loaded.
 */
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Entry } from '../../dispatch/coalesce'
import type { KeyState } from '../../dispatch/key-history'
import type { IlertEventBody } from '../../pipeline/ilert-event'
import { FRAME_HEADER, FrameWriter, readFrame, RECORD_HEADER, RecordType } from './frame'
import { checkpointName, fsyncDir, readAt } from './files'

/**
 * 2: entries may be CheckpointRawEntry records. 3: the key history is no longer inside (it has its
 * own log, history-log.ts). Versions 1 and 2 are read as before, their history with them.
 */
export const CHECKPOINT_VERSION = 3
const READS_VERSIONS = [1, 2, 3]

export interface CheckpointHeader {
  v: number
  /** Sequence number the next event gets. */
  nextSeq: number
  /** First segment not covered by this checkpoint. */
  segment: number
  /** Wall-clock time it was written (epoch ms). */
  at: number
}

/** One pending call as a checkpoint stores it. */
export interface CheckpointEntry {
  /** Lane key. */
  k: string
  b: IlertEventBody
  c: number
  f: number
  l: number
  a: number
  /** Acceptance time of its oldest event, epoch ms. */
  t: number
  /** Stored bytes the entry stands for (its live-set share). */
  n: number
}

export interface CheckpointData {
  header: CheckpointHeader
  sends: Map<string, number[]>
  /** Integration keys whose storm digest is open in ilert. */
  digests: Set<string>
  /**
   * What was open in ilert per key: 'log' (version 3: in the history log), or from the checkpoint
   * itself (version 2), or undefined (a checkpoint written before it was kept).
   */
  history: 'log' | { baseline: 'closed' | 'unknown'; keys: [string, KeyState][] } | undefined
  bytes: number
  /** Raw entries that no longer validate (the config changed), left out. */
  dropped: number
}

export interface CheckpointSource {
  header: CheckpointHeader
  /** Calls `emit` for every pending entry, lane by lane, oldest entry first. */
  forEachEntry(emit: (laneKey: string, entry: Entry) => void): void
  /** The entry's whole body (a spilled one is read back from disk). */
  bodyOf(entry: Entry): IlertEventBody
  /** Told where each entry's record landed: the file offset of its payload, its length and its type. */
  placed?(entry: Entry, at: number, len: number, type: RecordType): void
  sends: ReadonlyMap<string, readonly number[]>
  digests: ReadonlySet<string>
  /** performance.now() → epoch ms offset. */
  epochOffset: number
}

const FRAME_TARGET = 1024 * 1024
const STATE_OF: Record<string, KeyState> = { o: 'open', c: 'closed', u: 'unknown' }

/** Writes checkpoint `header.segment` into `dir` in one go; returns its size in bytes. */
export function writeCheckpoint(dir: string, src: CheckpointSource): number {
  const w = new CheckpointWriter(dir, src.header, src.epochOffset)
  try {
    src.forEachEntry((k, e) => {
      const placed = w.entry(k, e, src.bodyOf)
      src.placed?.(e, placed.at, placed.len, placed.type)
    })
    return w.finish(src.sends, src.digests)
  } catch (err) {
    w.abandon()
    throw err
  }
}

/**
 * A checkpoint being written: entries go in one at a time (so a large live set can be written a
 * few lanes per event-loop turn, log-store.ts), frames of about 1 MiB reach the temporary file as
 * they fill, and `finish` syncs it and renames it into place. Until then the file does not count:
 * `abandon` (or a crash) leaves the log as it was.
 */
export class CheckpointWriter {
  private readonly tmp: string
  private readonly name: string
  private fd: number
  private readonly w = new FrameWriter(FRAME_TARGET * 2)
  private size = 0
  private entries = 0

  constructor(
    private readonly dir: string,
    header: CheckpointHeader,
    /** performance.now() → epoch ms offset. */
    private readonly epochOffset: number,
  ) {
    this.name = checkpointName(header.segment)
    this.tmp = join(dir, `${this.name}.tmp`)
    this.fd = openSync(this.tmp, 'w', 0o600)
    this.w.addText(RecordType.CheckpointHeader, JSON.stringify(header))
  }

  /** Appends one pending call of lane `k`; returns where its record's payload lands in the file. */
  entry(k: string, e: Entry, bodyOf: (e: Entry) => IlertEventBody): { at: number; len: number; type: RecordType } {
    const w = this.w
    const t = Math.round(e.acceptedAt + this.epochOffset)
    const at = w.length
    // An entry whose body is its newest event as received keeps that text: serializing every
    // pending body was most of a compaction, and a compaction 15 % of a durable storm's CPU.
    const raw = e.spill === undefined ? e.raw : undefined
    const type = raw !== undefined ? RecordType.CheckpointRawEntry : RecordType.CheckpointEntry
    const n =
      raw !== undefined
        ? w.addText(type, `{"k":${JSON.stringify(k)},"c":${e.count},"f":${e.firstSeq},"l":${e.lastSeq},"a":${e.attempts},"t":${t},"n":${e.bytes}}\n${raw}`)
        : w.addText(type, JSON.stringify({ k, b: bodyOf(e), c: e.count, f: e.firstSeq, l: e.lastSeq, a: e.attempts, t, n: e.bytes } satisfies CheckpointEntry))
    const placed = { at: this.size + at + RECORD_HEADER, len: n - RECORD_HEADER, type }
    this.entries++
    if (w.length > FRAME_TARGET) this.flush()
    return placed
  }

  /** Writes the send history, the open digests and the trailer, syncs, renames into place; returns the size. */
  finish(sends: ReadonlyMap<string, readonly number[]>, digests: ReadonlySet<string>): number {
    const w = this.w
    for (const [i, t] of sends) if (t.length > 0) w.addText(RecordType.CheckpointSends, JSON.stringify({ i, t }))
    if (digests.size > 0) w.addText(RecordType.CheckpointDigests, JSON.stringify({ i: [...digests] }))
    w.addText(RecordType.CheckpointEnd, JSON.stringify({ entries: this.entries }))
    this.flush()
    fsyncSync(this.fd)
    closeSync(this.fd)
    this.fd = -1
    renameSync(this.tmp, join(this.dir, this.name))
    fsyncDir(this.dir)
    return this.size
  }

  /** Gives up: the temporary file goes, nothing else changed. */
  abandon(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd)
      } catch {
        // already closed
      }
      this.fd = -1
    }
    rmSync(this.tmp, { force: true })
  }

  private flush(): void {
    const w = this.w
    if (w.empty) return
    const bytes = w.seal()
    writeSync(this.fd, bytes)
    this.size += bytes.length
    w.reset()
  }
}

export class CheckpointDamaged extends Error {}

/**
 * The body of a CheckpointRawEntry's text (after its first newline), or of a CheckpointEntry's;
 * undefined when a raw text no longer validates (the config changed).
 */
export function checkpointBody(type: RecordType, text: string, decodeRaw: (text: string) => IlertEventBody | undefined): IlertEventBody | undefined {
  if (type === RecordType.CheckpointRawEntry) {
    const parts = splitRawEntry(text)
    return parts === undefined ? undefined : decodeRaw(parts.raw)
  }
  return (JSON.parse(text) as CheckpointEntry).b
}

/** A CheckpointRawEntry's parts: its fields (JSON, up to the first newline) and the text after it. */
function splitRawEntry(text: string): { fields: string; raw: string } | undefined {
  const nl = text.indexOf('\n')
  return nl < 0 ? undefined : { fields: text.slice(0, nl), raw: text.slice(nl + 1) }
}

/**
 * Reads a checkpoint one frame at a time (a checkpoint is the whole backlog, which may be larger
 * than memory), handing each entry to `onEntry` with the file offset, length and type of its
 * record (a raw entry also with the text its body was decoded from); an entry whose text no longer
 * validates goes to `onInvalid` (with its newest sequence number and event count), or without one
 * is counted in `dropped`. Throws CheckpointDamaged naming the file and offset
 * when it is not whole.
 */
export function readCheckpoint(
  dir: string,
  segment: number,
  decodeRaw: (text: string) => IlertEventBody | undefined,
  onEntry: (e: CheckpointEntry, at: number, len: number, type: RecordType, raw: string | undefined) => void,
  onInvalid?: (raw: string, lastSeq: number, count: number) => void,
): CheckpointData {
  const file = join(dir, checkpointName(segment))
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    let header: CheckpointHeader | undefined
    const sends = new Map<string, number[]>()
    const digests = new Set<string>()
    let history: CheckpointData['history']
    let entries = 0
    let dropped = 0
    let ended = false
    const head = Buffer.allocUnsafe(FRAME_HEADER)
    for (let pos = 0; pos < size; ) {
      if (size - pos < FRAME_HEADER) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (short)`)
      if (!readAt(fd, head, pos)) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (short)`)
      const end = pos + FRAME_HEADER + head.readUInt32LE(0)
      if (end > size) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (short)`)
      const data = Buffer.allocUnsafe(end - pos)
      if (!readAt(fd, data, pos)) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (short)`)
      const f = readFrame(data, 0)
      if (f.kind !== 'frame') throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (${f.kind === 'bad' ? f.why : 'empty'})`)
      for (const r of f.records) {
        if (r.type === RecordType.CheckpointRawEntry) {
          if (header === undefined) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (an entry before its header)`)
          const parts = splitRawEntry(r.text)
          const b = parts === undefined ? undefined : decodeRaw(parts.raw)
          entries++
          if (b !== undefined) onEntry({ ...(JSON.parse(parts!.fields) as Omit<CheckpointEntry, 'b'>), b }, pos + r.at, r.size - RECORD_HEADER, r.type, parts!.raw)
          else if (parts !== undefined && onInvalid !== undefined) {
            const f = JSON.parse(parts.fields) as Omit<CheckpointEntry, 'b'>
            onInvalid(parts.raw, f.l, f.c)
          } else dropped++
          continue
        }
        const v = JSON.parse(r.text)
        if (r.type === RecordType.CheckpointHeader) {
          header = v as CheckpointHeader
          if (!READS_VERSIONS.includes(header.v)) throw new CheckpointDamaged(`checkpoint ${file} has format version ${header.v}; this mcp-ilert reads ${READS_VERSIONS.join(', ')}`)
          if (header.v >= 3) history = 'log'
        } else if (r.type === RecordType.CheckpointEntry) {
          if (header === undefined) throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${pos} (an entry before its header)`)
          onEntry(v as CheckpointEntry, pos + r.at, r.size - RECORD_HEADER, r.type, undefined)
          entries++
        } else if (r.type === RecordType.CheckpointSends) sends.set(v.i, v.t)
        else if (r.type === RecordType.CheckpointDigests) for (const ik of v.i as string[]) digests.add(ik)
        else if (r.type === RecordType.CheckpointHistory) {
          if (history === 'log') continue
          history ??= { baseline: v.b === 'closed' ? 'closed' : 'unknown', keys: [] }
          for (const [k, s] of v.k as [string, string][]) history.keys.push([k, STATE_OF[s] ?? 'unknown'])
        }
        else if (r.type === RecordType.CheckpointEnd) {
          if (v.entries !== entries) throw new CheckpointDamaged(`checkpoint ${file} holds ${entries} entries, its trailer says ${v.entries}`)
          ended = true
        }
      }
      pos = end
    }
    if (header === undefined || !ended) throw new CheckpointDamaged(`checkpoint ${file} is incomplete (no ${header ? 'trailer' : 'header'})`)
    return { header, sends, digests, history, bytes: size, dropped }
  } finally {
    closeSync(fd)
  }
}
