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

/** Writes checkpoint `header.segment` into `dir`; returns its size in bytes. */
export function writeCheckpoint(dir: string, src: CheckpointSource): number {
  const name = checkpointName(src.header.segment)
  const tmp = join(dir, `${name}.tmp`)
  const fd = openSync(tmp, 'w', 0o600)
  let size = 0
  let written = false
  try {
    const w = new FrameWriter(FRAME_TARGET * 2)
    const flush = () => {
      if (w.empty) return
      const bytes = w.seal()
      writeSync(fd, bytes)
      size += bytes.length
      w.reset()
    }
    w.addText(RecordType.CheckpointHeader, JSON.stringify(src.header))
    let entries = 0
    src.forEachEntry((k, e) => {
      const t = Math.round(e.acceptedAt + src.epochOffset)
      const at = w.length
      // An entry whose body is its newest event as received keeps that text: serializing every
      // pending body was most of a compaction, and a compaction 15 % of a durable storm's CPU.
      const raw = e.spill === undefined ? e.raw : undefined
      const type = raw !== undefined ? RecordType.CheckpointRawEntry : RecordType.CheckpointEntry
      const n =
        raw !== undefined
          ? w.addText(type, `{"k":${JSON.stringify(k)},"c":${e.count},"f":${e.firstSeq},"l":${e.lastSeq},"a":${e.attempts},"t":${t},"n":${e.bytes}}\n${raw}`)
          : w.addText(type, JSON.stringify({ k, b: src.bodyOf(e), c: e.count, f: e.firstSeq, l: e.lastSeq, a: e.attempts, t, n: e.bytes } satisfies CheckpointEntry))
      src.placed?.(e, size + at + RECORD_HEADER, n - RECORD_HEADER, type)
      entries++
      if (w.length > FRAME_TARGET) flush()
    })
    for (const [i, t] of src.sends) if (t.length > 0) w.addText(RecordType.CheckpointSends, JSON.stringify({ i, t }))
    if (src.digests.size > 0) w.addText(RecordType.CheckpointDigests, JSON.stringify({ i: [...src.digests] }))
    w.addText(RecordType.CheckpointEnd, JSON.stringify({ entries }))
    flush()
    fsyncSync(fd)
    written = true
  } finally {
    closeSync(fd)
    if (!written) rmSync(tmp, { force: true })
  }
  renameSync(tmp, join(dir, name))
  fsyncDir(dir)
  return size
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
