import { describe, expect, test } from 'bun:test'
import { LineFramer, type Frame } from '../../src/ingest/tcp/line-framer'

type Out = { frame: Frame; line: number; text?: string }

/** Pulls frames until need_more/eof (included in the result). */
function drain(f: LineFramer): Out[] {
  const out: Out[] = []
  for (;;) {
    const frame = f.next()
    out.push(frame === 'line' ? { frame, line: f.lineNumber, text: f.text } : { frame, line: f.lineNumber })
    if (frame === 'need_more' || frame === 'eof') return out
  }
}

const lines = (outs: Out[]) => outs.filter((o) => o.frame === 'line').map((o) => [o.line, o.text])
const enc = (s: string) => new TextEncoder().encode(s)

describe('LineFramer', () => {
  test('many lines in one chunk, numbered from 1', () => {
    const f = new LineFramer(100)
    f.push(Buffer.from('a\nbb\nccc\n'))
    expect(drain(f)).toEqual([
      { frame: 'line', line: 1, text: 'a' },
      { frame: 'line', line: 2, text: 'bb' },
      { frame: 'line', line: 3, text: 'ccc' },
      { frame: 'need_more', line: 3 },
    ])
    expect(f.bufferedBytes).toBe(0)
  })

  test('a line split byte by byte, including a multi-byte UTF-8 character', () => {
    const f = new LineFramer(100)
    const bytes = enc('{"summary":"größe ✓"}\nx\n')
    const got: Out[] = []
    for (const b of bytes) {
      f.push(Uint8Array.of(b))
      got.push(...drain(f).filter((o) => o.frame === 'line'))
    }
    expect(lines(got)).toEqual([
      [1, '{"summary":"größe ✓"}'],
      [2, 'x'],
    ])
  })

  test('CRLF is stripped, including when CR and LF arrive in different chunks', () => {
    const f = new LineFramer(100)
    f.push(Buffer.from('one\r\ntwo\r'))
    f.push(Buffer.from('\nthree\r\n'))
    expect(lines(drain(f))).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ])
  })

  test('empty lines are skipped but numbered and counted; whitespace lines are not empty', () => {
    const f = new LineFramer(100)
    f.push(Buffer.from('\n\r\na\n\n'))
    f.push(Buffer.from('\r'))
    f.push(Buffer.from('\n \nb\n'))
    expect(lines(drain(f))).toEqual([
      [3, 'a'],
      [6, ' '],
      [7, 'b'],
    ])
    expect(f.emptyLines).toBe(4)
    expect(f.lineNumber).toBe(7)
  })

  test('a line of exactly maxLineBytes passes, with or without CR; one byte more is too_long', () => {
    const f = new LineFramer(4)
    f.push(Buffer.from('abcd\nabcd\r\nabcde\n'))
    f.push(Buffer.from('ab'))
    f.push(Buffer.from('cd\r'))
    f.push(Buffer.from('\nab'))
    f.push(Buffer.from('cde\nok\n'))
    expect(drain(f)).toEqual([
      { frame: 'line', line: 1, text: 'abcd' },
      { frame: 'line', line: 2, text: 'abcd' },
      { frame: 'too_long', line: 3 },
      { frame: 'line', line: 4, text: 'abcd' },
      { frame: 'too_long', line: 5 },
      { frame: 'line', line: 6, text: 'ok' },
      { frame: 'need_more', line: 6 },
    ])
  })

  test('an oversize line is discarded as it arrives, never buffered whole', () => {
    const max = 1024
    const f = new LineFramer(max)
    f.push(Buffer.from('{"a":1}\n' + 'x'.repeat(100)))
    expect(lines(drain(f))).toEqual([[1, '{"a":1}']])
    let peak = 0
    const chunk = Buffer.alloc(4096, 0x78)
    for (let sent = 0; sent < 1 << 20; sent += chunk.length) {
      f.push(chunk)
      expect(f.next()).toBe('need_more')
      peak = Math.max(peak, f.bufferedBytes)
    }
    expect(peak).toBeLessThanOrEqual(max + 1)
    f.push(Buffer.from('yyy\n{"b":2}\n'))
    expect(drain(f)).toEqual([
      { frame: 'too_long', line: 2 },
      { frame: 'line', line: 3, text: '{"b":2}' },
      { frame: 'need_more', line: 3 },
    ])
  })

  test('pause mid-chunk: the remainder stays inside and later pushes queue behind it', () => {
    const f = new LineFramer(100)
    f.push(Buffer.from('1\n2\n3'))
    expect(f.next()).toBe('line')
    expect(f.text).toBe('1')
    // caller stops here (queue full); more data arrives meanwhile
    expect(f.bufferedBytes).toBe(3)
    f.push(Buffer.from('3\n4\n'))
    expect(f.bufferedBytes).toBe(7)
    expect(lines(drain(f))).toEqual([
      [2, '2'],
      [3, '33'],
      [4, '4'],
    ])
    expect(f.bufferedBytes).toBe(0)
  })

  test('end() delivers a final unterminated line, then eof', () => {
    const f = new LineFramer(100)
    f.push(Buffer.from('a\nlast'))
    f.end()
    expect(drain(f)).toEqual([
      { frame: 'line', line: 1, text: 'a' },
      { frame: 'line', line: 2, text: 'last' },
      { frame: 'eof', line: 2 },
    ])
    f.push(Buffer.from('ignored\n'))
    expect(f.next()).toBe('eof')
  })

  test('end() while discarding reports the final line as too_long', () => {
    const f = new LineFramer(2)
    f.push(Buffer.from('abcdef'))
    f.end()
    expect(drain(f)).toEqual([
      { frame: 'too_long', line: 1 },
      { frame: 'eof', line: 1 },
    ])
  })

  test('accepts plain Uint8Array views with an offset', () => {
    const backing = enc('zzz{"x":1}\nzzz')
    const f = new LineFramer(100)
    f.push(backing.subarray(3, 11))
    expect(lines(drain(f))).toEqual([[1, '{"x":1}']])
  })
})
