// The key history's own log (src/queue/wal/history-log.ts): what a start reads back is exactly
// what the bridge knew, through any mix of changes, bound evictions, forgetting, flushes and
// rewrites; a torn last write is tolerated, damage before the end is not trusted; and a
// compaction of the durable store no longer writes every key into its checkpoint.
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KeyHistory, type KeyState } from '../../src/dispatch/key-history'
import { laneKeyFor, type IlertEventBody } from '../../src/pipeline/ilert-event'
import { LogStore } from '../../src/queue/log-store'
import { HistoryLog, loadHistory } from '../../src/queue/wal/history-log'
import { storeScratch } from '../helpers/store-scratch'

const scratch = storeScratch('history')
const tmp = scratch.dir

/** A history whose every change goes to a log in `dir`, as the durable store wires it. */
function logged(dir: string, baseline: 'closed' | 'unknown', max: number): { h: KeyHistory; log: HistoryLog } {
  const h = new KeyHistory(baseline, max)
  const log = new HistoryLog(dir)
  log.rewrite(h)
  h.listener = { key: (k, s) => log.note(k, s), baseline: (b, c) => log.noteBaseline(b, c) }
  return { h, log }
}
const state = (h: KeyHistory) => ({ baseline: h.baseline, keys: Object.fromEntries([...h.entries()].sort(([a], [b]) => a.localeCompare(b))) })
const loaded = (dir: string) => {
  const l = loadHistory(dir)
  return l && { baseline: l.baseline, keys: Object.fromEntries([...l.keys].sort(([a], [b]) => a.localeCompare(b))) }
}

describe('history log', () => {
  test('read back, it is the history as it was at the last flush, through changes, evictions, forgetting and rewrites', () => {
    const dir = tmp()
    const { h, log } = logged(dir, 'closed', 40)
    let seed = 7
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const states: KeyState[] = ['open', 'closed', 'unknown']
    let checked = 0
    for (let i = 0; i < 3000; i++) {
      const r = rnd()
      if (r < 0.002) h.forget()
      else if (r < 0.9) h.set(`ik-${Math.floor(rnd() * 2)}`, `key-${Math.floor(rnd() * 60)}`, states[Math.floor(rnd() * 3)]!)
      else if (r < 0.95) {
        log.flush()
        expect(loaded(dir)).toEqual(state(h))
        checked++
      } else if (r < 0.96) log.rewrite(h)
    }
    log.sync()
    expect(loaded(dir)).toEqual(state(h))
    // The bound was passed under the 'closed' baseline, so it was given up, and that was logged too.
    expect(h.baseline).toBe('unknown')
    expect(checked).toBeGreaterThan(50)
    // One generation is kept: each rewrite removes the one before.
    expect(readdirSync(dir).filter((f) => f.startsWith('history-'))).toHaveLength(1)
    log.close()
  })

  test('a burst of new keys is written in pieces as it comes, not all at the once-a-second flush', () => {
    // 10,000 new alert keys a second made that one flush a 4-14 ms stall of the event loop.
    const dir = tmp()
    const { h, log } = logged(dir, 'closed', 100_000)
    for (let i = 0; i < 1100; i++) h.set('ik-1', `burst-${i}`, 'open')
    const early = loaded(dir)!
    const written = Object.keys(early.keys).length
    expect(written).toBeGreaterThanOrEqual(1024) // written as they came, 512 at a time...
    expect(written).toBeLessThan(1100) // ...and the rest still waits for the next flush
    for (const k of Object.keys(early.keys)) expect(early.keys[k]).toBe('open')
    log.flush()
    expect(loaded(dir)).toEqual(state(h))
    log.close()
  })

  test('a torn last write is a crash mid-append: what came before it is kept', () => {
    const dir = tmp()
    const { h, log } = logged(dir, 'closed', 1000)
    h.set('ik', 'a', 'open')
    log.flush()
    const [file] = readdirSync(dir).filter((f) => f.startsWith('history-'))
    const whole = readFileSync(join(dir, file!))
    h.set('ik', 'b', 'open')
    log.flush()
    const after = readFileSync(join(dir, file!))
    writeFileSync(join(dir, file!), after.subarray(0, whole.length + Math.floor((after.length - whole.length) / 2)))
    expect(loaded(dir)).toEqual({ baseline: 'closed', keys: { 'ik\na': 'open' } })
    log.close()
  })

  test('a rewrite a crash cut short (its temporary file) is ignored and removed', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'history-0000000099.log.tmp'), 'half a rewrite')
    const { h, log } = logged(dir, 'closed', 1000)
    h.set('ik', 'a', 'open')
    log.sync()
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(loaded(dir)).toEqual({ baseline: 'closed', keys: { 'ik\na': 'open' } })
    log.close()
  })

  test('damage before the end is not trusted: no history (the store then treats every key as unknown)', () => {
    const dir = tmp()
    const { h, log } = logged(dir, 'closed', 1000)
    h.set('ik', 'a', 'open')
    log.flush()
    h.set('ik', 'b', 'open')
    log.flush()
    log.close()
    const [file] = readdirSync(dir).filter((f) => f.startsWith('history-'))
    const data = readFileSync(join(dir, file!))
    data[12] = data[12]! ^ 0xff // inside the first frame
    writeFileSync(join(dir, file!), data)
    expect(loadHistory(dir)).toBeUndefined()
  })
})

describe('the durable store keeps the history out of its checkpoints', () => {
  const decodeRaw = (text: string): IlertEventBody | undefined => {
    const v = JSON.parse(text) as { k: string; s: string }
    return { integrationKey: 'ik-1', eventType: 'ALERT', summary: v.s, alertKey: v.k }
  }
  const open = (path: string) => {
    const s = new LogStore({ path, capacity: 10_000, sync: 'normal', segmentBytes: 64 * 1024, maxDiskBytes: 0, maxMemoryBytes: 1 << 30, rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, decodeRaw })
    return scratch.keep(s)
  }
  const offer = (s: LogStore, k: string, summary: string) => {
    const raw = JSON.stringify({ k, s: summary })
    s.offer({ id: 0, body: decodeRaw(raw)!, laneKey: laneKeyFor(k), acceptedAt: performance.now(), attempts: 0 }, raw)
  }

  test('5,000 keys open in ilert: checkpoints stay the size of the lanes, the keys are appended once, a reopen knows them all; a damaged history log leaves them unknown', () => {
    const path = join(tmp(), 'q')
    const a = open(path)
    for (let i = 0; i < 5000; i++) a.table.history.delivered('ik-1', `open-${i}`, 'ALERT')
    const historyFile = () => join(path, readdirSync(path).find((f) => f.startsWith('history-'))!)
    for (let round = 0; round < 300; round++) {
      for (let k = 0; k < 20; k++) offer(a, `key-${k}`, `round ${round} ${'x'.repeat(100)}`)
      a.commit()
    }
    const ckpt = readdirSync(path).filter((f) => f.endsWith('.ckpt')).sort().at(-1)!
    // The checkpoint holds 20 lanes, not 5,000 keys; the history log holds each key about once.
    expect(statSync(join(path, ckpt)).size).toBeLessThan(20 * 1024)
    expect(readFileSync(join(path, ckpt), 'latin1')).not.toContain('open-4999')
    const logText = readFileSync(historyFile(), 'latin1')
    expect(logText.split('open-4999').length - 1).toBe(1)
    a.table.history.delivered('ik-1', 'open-7', 'RESOLVE')
    scratch.close(a)
    const b = open(path)
    expect(b.table.history.baseline).toBe('closed')
    expect(b.table.history.state('ik-1', 'open-4999')).toBe('open')
    expect(b.table.history.state('ik-1', 'open-7')).toBe('closed')
    expect(b.table.history.size).toBe(4999)
    scratch.close(b)
    // A history log damaged before its end: nothing in it is trusted.
    const data = readFileSync(historyFile())
    data[12] = data[12]! ^ 0xff
    writeFileSync(historyFile(), data)
    const c = open(path)
    expect(c.table.history.baseline).toBe('unknown')
    expect(c.table.history.state('ik-1', 'open-4999')).toBe('unknown')
  })
})
