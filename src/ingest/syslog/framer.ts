/**
 * RFC 6587 framing on one TCP connection, detected from its first byte: a digit means octet
 * counting ("LEN SP MSG"), anything else newline-terminated messages (LF, CR LF tolerated).
 * Frames longer than the limit are skipped unread (reported as `too_long`); an octet count that
 * is not a number ends the connection (`bad_framing`), since the stream cannot be resynchronised.
 */
export type Frame = { kind: 'message'; bytes: Uint8Array } | { kind: 'too_long' } | { kind: 'bad_framing' }

export class SyslogFramer {
  private mode: 'unknown' | 'octet' | 'newline' = 'unknown'
  private buf: Uint8Array = new Uint8Array(0)
  /** Bytes still to be skipped of an over-long frame. */
  private skip = 0
  /** Newline mode: dropping an over-long line until its LF. */
  private dropping = false
  broken = false

  constructor(private readonly max: number) {}

  push(chunk: Uint8Array, out: Frame[]): void {
    if (this.broken) return
    let data = this.buf.length === 0 ? chunk : concat(this.buf, chunk)
    this.buf = new Uint8Array(0)
    if (this.mode === 'unknown' && data.length > 0) this.mode = data[0]! >= 48 && data[0]! <= 57 ? 'octet' : 'newline'
    if (this.mode === 'octet') data = this.octets(data, out)
    else data = this.lines(data, out)
    this.buf = data.length > 0 ? data.slice() : new Uint8Array(0)
  }

  /** The connection ended: a final newline-framed message without LF still counts. */
  end(out: Frame[]): void {
    if (this.mode === 'newline' && this.buf.length > 0 && !this.dropping) out.push({ kind: 'message', bytes: trimCr(this.buf) })
    this.buf = new Uint8Array(0)
  }

  private octets(data: Uint8Array, out: Frame[]): Uint8Array {
    let at = 0
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - at)
        this.skip -= n
        at += n
        if (this.skip > 0) return new Uint8Array(0)
      }
      if (at >= data.length) return new Uint8Array(0)
      let sp = -1
      for (let i = at; i < data.length && i < at + 9; i++) {
        if (data[i] === 32) {
          sp = i
          break
        }
      }
      if (sp === -1) {
        if (data.length - at >= 9) return this.fail(out)
        return data.subarray(at)
      }
      let len = 0
      for (let i = at; i < sp; i++) {
        const d = data[i]! - 48
        if (d < 0 || d > 9) return this.fail(out)
        len = len * 10 + d
      }
      if (sp === at) return this.fail(out)
      if (len > this.max) {
        out.push({ kind: 'too_long' })
        this.skip = len
        at = sp + 1
        continue
      }
      if (data.length - (sp + 1) < len) return data.subarray(at)
      if (len > 0) out.push({ kind: 'message', bytes: data.slice(sp + 1, sp + 1 + len) })
      at = sp + 1 + len
    }
  }

  private lines(data: Uint8Array, out: Frame[]): Uint8Array {
    let at = 0
    for (;;) {
      const nl = data.indexOf(10, at)
      if (nl === -1) {
        const rest = data.subarray(at)
        if (this.dropping) return new Uint8Array(0)
        if (rest.length > this.max) {
          out.push({ kind: 'too_long' })
          this.dropping = true
          return new Uint8Array(0)
        }
        return rest
      }
      if (this.dropping) this.dropping = false
      else if (nl - at > this.max + 1) out.push({ kind: 'too_long' })
      else if (nl > at) {
        const line = trimCr(data.subarray(at, nl))
        if (line.length > 0) out.push({ kind: 'message', bytes: line.slice() })
      }
      at = nl + 1
    }
  }

  private fail(out: Frame[]): Uint8Array {
    this.broken = true
    out.push({ kind: 'bad_framing' })
    return new Uint8Array(0)
  }
}

function trimCr(b: Uint8Array): Uint8Array {
  let end = b.length
  while (end > 0 && (b[end - 1] === 13 || b[end - 1] === 0)) end--
  return b.subarray(0, end)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
