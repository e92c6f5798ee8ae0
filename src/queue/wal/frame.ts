/**
 * The on-disk unit of the write-ahead log and of checkpoints: a frame is one group commit.
 *
 *   frame  = u32 payloadLength | u32 crc32(payload) | payload          (little-endian)
 *   payload = record*
 *   record = u8 type | u32 length | bytes                               (bytes: UTF-8 JSON)
 *
 * One CRC per frame (not per record) keeps the hot path at one native checksum call per commit; a
 * frame is written whole or recognised as torn (short, or its CRC does not match). `FrameWriter`
 * builds a frame in one growable buffer: records are encoded straight into it, so an event's bytes
 * are copied once, from the text the transport received.
 */
export const FRAME_HEADER = 8
export const RECORD_HEADER = 5

/** What a record says; the numbers are part of the file format (never renumber). */
export const enum RecordType {
  /** An accepted event as received (our event shape): replayed through validate and normalize. */
  Raw = 1,
  /** An accepted event as an ilert body (a dead-letter replay, a source that builds bodies). */
  Body = 2,
  /** A lane's head call has an outcome (delivered or dead-lettered): {k, i, s}. */
  Complete = 3,
  /** A lane's head call failed and will be retried: {k, i, a}. */
  Attempt = 4,
  /** A call to ilert left for an integration key at a wall-clock time: {i, t}. */
  Sent = 5,
  /** Accepted events as received, all the items of one JSON array (an HTTP batch body), in order. */
  RawBatch = 6,
  /** A dead letter put back at its place in its lane: {s: its sequence number, b: ilert body}. */
  Replayed = 7,
  /** An alert source's storm digest is open in ilert (o: 1, its ALERT left) or resolved (o: 0): {i, o}. */
  Digest = 8,
  /**
   * In a zero-filled segment (prepared-segment.ts), in every frame: the offset below which the
   * segment was known to be on disk when the frame was written (a number). Recovery uses it to tell
   * a torn tail from damage (syncedBeyond).
   */
  Synced = 9,
  /** Checkpoint header: {v, nextSeq, segment, at}. */
  CheckpointHeader = 16,
  /** Checkpoint entry: one pending call (see checkpoint.ts). */
  CheckpointEntry = 17,
  /** Checkpoint send history: {i, t: [...]} for one integration key. */
  CheckpointSends = 18,
  /** Checkpoint trailer: {entries}; a checkpoint without it is incomplete. */
  CheckpointEnd = 19,
  /** Checkpoint: integration keys whose storm digest is open in ilert: {i: [...]}. */
  CheckpointDigests = 20,
  /** Checkpoint (versions 1 and 2; version 3 keeps it in history-log.ts): what is open in ilert per key (dispatch/key-history.ts): {b: baseline, k: [[id, 'o'|'c'|'u'], ...]}, in chunks. */
  CheckpointHistory = 21,
  /**
   * Checkpoint entry whose body is the text its newest event arrived as: the entry's fields as
   * JSON (CheckpointEntry without `b`), a newline, then that text, replayed like a Raw record.
   */
  CheckpointRawEntry = 22,
  /** History log (history-log.ts): the baseline is now b; c: every key forgotten, else the keys at b dropped. */
  HistoryBaseline = 23,
  /** History log: keys now open (o), closed (c), unknown (u), or back at the baseline (x). */
  HistoryKeys = 24,
}

export const crc32 = (bytes: Uint8Array): number => Bun.hash.crc32(bytes) >>> 0

/** A frame being built: records appended in place, then `seal()` writes the header. */
export class FrameWriter {
  buf: Buffer
  /** Bytes used, header included. */
  length = FRAME_HEADER
  records = 0

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial)
  }

  get empty(): boolean {
    return this.records === 0
  }

  /** Appends a record whose payload is `text` encoded as UTF-8; returns the record's size in bytes. */
  addText(type: RecordType, text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(RECORD_HEADER + text.length * 3)
    const at = this.length
    const n = this.buf.write(text, at + RECORD_HEADER, 'utf8')
    this.buf[at] = type
    this.buf.writeUInt32LE(n, at + 1)
    this.length = at + RECORD_HEADER + n
    this.records++
    return RECORD_HEADER + n
  }

  /** Finishes the frame: writes length and CRC; returns the bytes to write. */
  seal(): Buffer {
    const payload = this.buf.subarray(FRAME_HEADER, this.length)
    this.buf.writeUInt32LE(payload.length, 0)
    this.buf.writeUInt32LE(crc32(payload), 4)
    return this.buf.subarray(0, this.length)
  }

  /**
   * Empties the writer for the next frame. A buffer grown by a burst shrinks back once a frame
   * uses less than an eighth of it: under a steady storm it keeps its size, instead of being
   * regrown by doubling (and copied each time) for every group commit.
   */
  reset(): void {
    const used = this.length
    this.length = FRAME_HEADER
    this.records = 0
    if (this.buf.length > 4 * 1024 * 1024 && used < this.buf.length / 8) this.buf = Buffer.allocUnsafe(Math.max(64 * 1024, 2 * used))
  }

  /** Undoes every record added after `length` was `mark` (a staged event that was refused). */
  truncate(mark: number, records: number): void {
    this.length = mark
    this.records = records
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + extra) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
}

export interface DecodedRecord {
  type: number
  text: string
  /** Bytes the record takes in its frame. */
  size: number
  /** Index of its payload in the data read (a file offset when the data is the whole file). */
  at: number
}

export type FrameScan =
  | { kind: 'frame'; records: DecodedRecord[]; next: number }
  | { kind: 'end' }
  /** Not a whole, intact frame at `offset`: `short` when the file ends inside it. */
  | { kind: 'bad'; offset: number; why: 'short' | 'checksum' | 'malformed'; frameEnd: number }

/** Reads the frame at `offset` of `data`. */
export function readFrame(data: Uint8Array, offset: number): FrameScan {
  if (offset >= data.length) return { kind: 'end' }
  if (data.length - offset < FRAME_HEADER) return { kind: 'bad', offset, why: 'short', frameEnd: data.length }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const len = view.getUint32(offset, true)
  const crc = view.getUint32(offset + 4, true)
  const start = offset + FRAME_HEADER
  const end = start + len
  if (end > data.length) return { kind: 'bad', offset, why: 'short', frameEnd: data.length }
  const payload = data.subarray(start, end)
  if (len === 0 || crc32(payload) !== crc) return { kind: 'bad', offset, why: 'checksum', frameEnd: end }
  const records: DecodedRecord[] = []
  const decoder = new TextDecoder('utf-8', { fatal: false })
  let p = start
  while (p < end) {
    if (end - p < RECORD_HEADER) return { kind: 'bad', offset, why: 'malformed', frameEnd: end }
    const type = data[p]!
    const n = view.getUint32(p + 1, true)
    if (p + RECORD_HEADER + n > end) return { kind: 'bad', offset, why: 'malformed', frameEnd: end }
    records.push({ type, text: decoder.decode(data.subarray(p + RECORD_HEADER, p + RECORD_HEADER + n)), size: RECORD_HEADER + n, at: p + RECORD_HEADER })
    p += RECORD_HEADER + n
  }
  return { kind: 'frame', records, next: end }
}

/**
 * True when some intact frame after `offset` carries a Synced record beyond `offset`: the bytes at
 * `offset` were on disk before that frame was written, so a bad frame there is damage, not a
 * write torn by a crash. Frames after a bad one cannot be found by their lengths, so every offset
 * is tried (only on the path that reports damage; zeros and implausible lengths are skipped).
 */
export function syncedBeyond(data: Uint8Array, offset: number): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  for (let p = offset + 1; p + FRAME_HEADER <= data.length; p++) {
    const len = view.getUint32(p, true)
    if (len === 0 || p + FRAME_HEADER + len > data.length) continue
    const f = readFrame(data, p)
    if (f.kind !== 'frame') continue
    for (const r of f.records) if (r.type === RecordType.Synced && Number(r.text) > offset) return true
  }
  return false
}

/** True when every byte from `offset` on is zero: nothing was written there (the end of the log in a zero-filled segment). */
export function zeroFrom(data: Uint8Array, offset: number): boolean {
  for (let i = offset; i < data.length; i++) if (data[i] !== 0) return false
  return true
}
