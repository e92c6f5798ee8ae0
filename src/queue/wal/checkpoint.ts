/**
 * Checkpoints: the live lanes (every pending call with its body, merged count, sequence range and
 * attempts) and the recent send history, written when most of the log is superseded, so the
 * segments it covers can be deleted (Redis's AOF rewrite and Kafka's compaction, on our lanes).
 * Written to a temporary file, synced, then renamed: a checkpoint either exists whole or not at
 * all. Its records use the log's framing (frame.ts); the last record says how many entries came
 * before it, so a file cut short is refused rather than half loaded.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Entry } from '../../dispatch/coalesce'
import type { IlertEventBody } from '../../pipeline/ilert-event'
import { FrameWriter, readFrame, RecordType } from './frame'
import { checkpointName, fsyncDir } from './files'

export const CHECKPOINT_VERSION = 1

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
  entries: CheckpointEntry[]
  sends: Map<string, number[]>
  bytes: number
}

export interface CheckpointSource {
  header: CheckpointHeader
  /** Calls `emit` for every pending entry, lane by lane, oldest entry first. */
  forEachEntry(emit: (laneKey: string, entry: Entry) => void): void
  sends: ReadonlyMap<string, readonly number[]>
  /** performance.now() → epoch ms offset. */
  epochOffset: number
}

const FRAME_TARGET = 1024 * 1024

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
      const rec: CheckpointEntry = { k, b: e.body, c: e.count, f: e.firstSeq, l: e.lastSeq, a: e.attempts, t: Math.round(e.acceptedAt + src.epochOffset), n: e.bytes }
      w.addText(RecordType.CheckpointEntry, JSON.stringify(rec))
      entries++
      if (w.length > FRAME_TARGET) flush()
    })
    for (const [i, t] of src.sends) if (t.length > 0) w.addText(RecordType.CheckpointSends, JSON.stringify({ i, t }))
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

/** Reads a checkpoint; throws CheckpointDamaged naming the file and offset when it is not whole. */
export function readCheckpoint(dir: string, segment: number): CheckpointData {
  const file = join(dir, checkpointName(segment))
  const data = readFileSync(file)
  let header: CheckpointHeader | undefined
  const entries: CheckpointEntry[] = []
  const sends = new Map<string, number[]>()
  let ended = false
  let offset = 0
  for (;;) {
    const f = readFrame(data, offset)
    if (f.kind === 'end') break
    if (f.kind === 'bad') throw new CheckpointDamaged(`checkpoint ${file} is damaged at offset ${f.offset} (${f.why})`)
    for (const r of f.records) {
      const v = JSON.parse(r.text)
      if (r.type === RecordType.CheckpointHeader) header = v as CheckpointHeader
      else if (r.type === RecordType.CheckpointEntry) entries.push(v as CheckpointEntry)
      else if (r.type === RecordType.CheckpointSends) sends.set(v.i, v.t)
      else if (r.type === RecordType.CheckpointEnd) {
        if (v.entries !== entries.length) throw new CheckpointDamaged(`checkpoint ${file} holds ${entries.length} entries, its trailer says ${v.entries}`)
        ended = true
      }
    }
    offset = f.next
  }
  if (header === undefined || !ended) throw new CheckpointDamaged(`checkpoint ${file} is incomplete (no ${header ? 'trailer' : 'header'})`)
  if (header.v !== CHECKPOINT_VERSION) throw new CheckpointDamaged(`checkpoint ${file} has format version ${header.v}; this mcp-ilert reads ${CHECKPOINT_VERSION}`)
  return { header, entries, sends, bytes: data.length }
}
