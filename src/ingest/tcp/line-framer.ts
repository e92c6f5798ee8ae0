/**
 * Per-connection NDJSON line framer. Raw chunks go in with `push`; complete lines come out one
 * at a time with `next()`, a pull API so the caller can stop mid-chunk (queue full) and resume
 * later: the unconsumed remainder stays inside the framer.
 *
 * - A line ends at `\n`; one `\r` before it is stripped (CRLF).
 * - Empty lines (nothing, or only `\r`) are skipped without an error but still numbered and
 *   counted in `emptyLines`. Whitespace-only lines are NOT empty: they reach the caller.
 * - Line numbers are 1-based per connection and count every line, empty ones included.
 * - A line longer than `maxLineBytes` (excluding its `\r\n`) is reported as `too_long` once its
 *   `\n` arrives. Its bytes are never buffered whole: past the limit the framer drops them and
 *   skips to the next `\n`, so it holds at most `maxLineBytes + 1` bytes of a partial line.
 * - After `end()`, a final line without `\n` is delivered, then `eof`.
 *
 * Allocation-light: lines inside one chunk are decoded straight from it; only a line split across
 * chunks is copied, into one reusable carry buffer. Pushed chunks are kept by reference until
 * consumed, so callers must not reuse them (Bun's `data` chunks are fresh per callback).
 */

/** What `next()` found: a line in `text`, an oversize line, a line that is not UTF-8, nothing yet, or the end of input. */
export type Frame = 'line' | 'too_long' | 'bad_utf8' | 'need_more' | 'eof'

import { isUtf8 } from 'node:buffer'

const LF = 10
const CR = 13
const MIN_CARRY = 4096

export class LineFramer {
  /** The last line returned with `line` (CR stripped, decoded as UTF-8). */
  text = ''
  private readonly max: number
  private readonly inputs: Buffer[] = []
  /** Read position inside inputs[0]. */
  private pos = 0
  private carry: Buffer | null = null
  private carryLen = 0
  private discarding = false
  private ended = false
  private lines = 0
  private empties = 0

  constructor(maxLineBytes: number) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError('maxLineBytes must be a positive integer')
    this.max = maxLineBytes
  }

  /** Number of the line last completed (returned or skipped); 0 before the first. */
  get lineNumber(): number {
    return this.lines
  }

  get emptyLines(): number {
    return this.empties
  }

  /** Bytes held: the partial line plus pushed input not consumed yet. */
  get bufferedBytes(): number {
    let n = this.carryLen - this.pos
    for (const b of this.inputs) n += b.length
    return n
  }

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return
    this.inputs.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  /** No more input will come: the next calls flush a final unterminated line, then return `eof`. */
  end(): void {
    this.ended = true
  }

  next(): Frame {
    for (;;) {
      const chunk = this.inputs[0]
      if (chunk === undefined) return this.ended ? this.finalLine() : 'need_more'
      const start = this.pos
      const nl = chunk.indexOf(LF, start)
      if (nl === -1) {
        this.consumeChunk()
        if (!this.discarding) this.append(chunk, start, chunk.length)
        continue
      }
      this.pos = nl + 1
      if (this.pos === chunk.length) this.consumeChunk()
      this.lines++
      if (this.discarding) {
        this.discarding = false
        return 'too_long'
      }
      if (this.carryLen === 0) {
        const end = nl > start && chunk[nl - 1] === CR ? nl - 1 : nl
        if (end === start) {
          this.empties++
          continue
        }
        if (end - start > this.max) return 'too_long'
        return this.decode(chunk, start, end)
      }
      this.append(chunk, start, nl)
      if (this.discarding) {
        this.discarding = false
        return 'too_long'
      }
      const f = this.takeCarry()
      if (f !== 'need_more') return f
    }
  }

  private consumeChunk(): void {
    this.inputs.shift()
    this.pos = 0
  }

  /** Appends to the partial line, or switches to discarding once it cannot fit any more. */
  private append(src: Buffer, start: number, end: number): void {
    const need = this.carryLen + (end - start)
    // +1: a line of exactly max bytes may still be followed by its CR.
    if (need > this.max + 1) {
      this.discarding = true
      this.carryLen = 0
      return
    }
    let carry = this.carry
    if (carry === null || carry.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(this.max + 1, Math.max(need, MIN_CARRY, (carry?.length ?? 0) * 2)))
      if (carry !== null) carry.copy(grown, 0, 0, this.carryLen)
      this.carry = carry = grown
    }
    src.copy(carry, this.carryLen, start, end)
    this.carryLen = need
  }

  /** Turns the completed carry into a frame; `need_more` when it was an empty line. */
  private takeCarry(): Frame {
    const carry = this.carry as Buffer
    const len = this.carryLen
    this.carryLen = 0
    const end = len > 0 && carry[len - 1] === CR ? len - 1 : len
    if (end === 0) {
      this.empties++
      return 'need_more'
    }
    if (end > this.max) return 'too_long'
    return this.decode(carry, 0, end)
  }

  /**
   * Decodes a line. Invalid UTF-8 is reported rather than turned into U+FFFD and delivered
   * altered; decoding never fails, so the bytes are checked only when a U+FFFD shows up.
   */
  private decode(buf: Buffer, start: number, end: number): Frame {
    this.text = buf.toString('utf8', start, end)
    if (this.text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) return 'bad_utf8'
    return 'line'
  }

  private finalLine(): Frame {
    if (this.discarding) {
      this.discarding = false
      this.lines++
      return 'too_long'
    }
    if (this.carryLen === 0) return 'eof'
    this.lines++
    const f = this.takeCarry()
    return f === 'need_more' ? 'eof' : f
  }
}
