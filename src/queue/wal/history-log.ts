/**
 * The key history's own log (dispatch/key-history.ts: what this bridge has open in ilert per key).
 * It used to be written whole into every checkpoint: at 110,000 keys that blocked the event loop
 * 17-35 ms per compaction, every few seconds under 10,000 new alert keys a second, and those
 * stalls were the durable store's p99 latency. Now every change is appended here (batched:
 * written every FLUSH_AT changes, once a second, or before a checkpoint), and the file is
 * rewritten whole only when most of it is superseded, so a compaction costs what the live lanes
 * cost.
 *
 * The file is an operation log in the WAL's framing (frame.ts): HistoryBaseline records (set the
 * baseline; `c`: forget every key, else drop the keys whose state is the new baseline) and
 * HistoryKeys records (keys now open, closed, unknown, or back to the baseline). A rewrite is
 * written to a temporary file, synced and renamed as `history-<generation>.log`; the newest
 * generation is the one read.
 *
 * Why it may lag or lead the checkpoint: before a checkpoint is written this log is flushed and
 * synced, so it holds every change up to that checkpoint. It may hold later ones too; the replay
 * of the log tail after the checkpoint then sets them again, and since a change sets a state (not
 * a difference) the result is the same. Changes after the last sync that a crash loses are in
 * that tail. A file that is damaged before its end is not trusted: the history becomes unknown,
 * which only makes the bridge send RESOLVEs it could have cancelled.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { KeyHistory, KeyState } from '../../dispatch/key-history'
import { fsyncDir, unlinkQuietly } from './files'
import { FrameWriter, readFrame, RecordType, zeroFrom } from './frame'

const HISTORY = /^history-(\d{10})\.log$/
const HISTORY_TMP = /^history-\d{10}\.log\.tmp$/
const historyName = (n: number) => `history-${String(n).padStart(10, '0')}.log`
/** Keys per HistoryKeys record in a rewrite. */
const CHUNK = 2000
/** A rewrite is due once the file is over twice what a rewrite would write, plus this. */
const REWRITE_SLACK = 1024 * 1024
/** Pending changes that are written at once rather than at the next once-a-second flush. */
const FLUSH_AT = 512
/** Bytes a key takes in a rewrite, for that estimate. */
const KEY_BYTES_GUESS = 48

/** A change waiting to be written: the key's new state, or 'x' (back to the baseline). */
type Change = KeyState | 'x'

interface KeysRecord {
  o?: string[]
  c?: string[]
  u?: string[]
  x?: string[]
}

export interface LoadedHistory {
  baseline: 'closed' | 'unknown'
  keys: Map<string, KeyState>
}

/** The newest history file of `dir`, replayed; undefined when there is none or it is damaged before its end. */
export function loadHistory(dir: string): LoadedHistory | undefined {
  const gen = newestGeneration(dir)
  if (gen === undefined) return undefined
  let data: Buffer
  try {
    data = readFileSync(join(dir, historyName(gen)))
  } catch {
    return undefined
  }
  try {
    return replayHistory(data)
  } catch {
    return undefined // a record that does not parse inside a whole frame: not trusted either
  }
}

function replayHistory(data: Buffer): LoadedHistory | undefined {
  let baseline: 'closed' | 'unknown' | undefined
  const keys = new Map<string, KeyState>()
  for (let offset = 0; ; ) {
    const f = readFrame(data, offset)
    if (f.kind === 'end') break
    if (f.kind === 'bad') {
      // A cut or unchecked last frame is a write a crash interrupted (its changes are in the log tail).
      if (f.why === 'short' || f.frameEnd >= data.length || zeroFrom(data, f.offset)) break
      return undefined
    }
    for (const r of f.records) {
      const v = JSON.parse(r.text) as { b?: 'closed' | 'unknown'; c?: boolean } & KeysRecord
      if (r.type === RecordType.HistoryBaseline) {
        baseline = v.b === 'closed' ? 'closed' : 'unknown'
        if (v.c === true) keys.clear()
        else for (const [k, s] of keys) if (s === baseline) keys.delete(k)
      } else if (r.type === RecordType.HistoryKeys) {
        if (baseline === undefined) return undefined
        for (const k of v.x ?? []) keys.delete(k)
        for (const k of v.o ?? []) keys.set(k, 'open')
        for (const k of v.c ?? []) keys.set(k, 'closed')
        for (const k of v.u ?? []) keys.set(k, 'unknown')
      }
    }
    offset = f.next
  }
  return baseline === undefined ? undefined : { baseline, keys }
}

function generations(dir: string): number[] {
  const out: number[] = []
  for (const name of readdirSync(dir)) {
    const m = HISTORY.exec(name)
    if (m) out.push(Number(m[1]))
    else if (HISTORY_TMP.test(name)) unlinkQuietly(join(dir, name)) // a rewrite a crash cut short
  }
  return out.sort((a, b) => a - b)
}

function newestGeneration(dir: string): number | undefined {
  return generations(dir).at(-1)
}

/** Appends the changes of one KeyHistory to its file, and rewrites the file when it is mostly superseded. */
export class HistoryLog {
  private fd = -1
  private gen = 0
  private size = 0
  /** Changes since the last write, the newest per key (so one record per state holds them in any order). */
  private pending = new Map<string, Change>()
  private readonly frame = new FrameWriter(64 * 1024)

  constructor(private readonly dir: string) {}

  /**
   * True until a rewrite has succeeded, and again after one failed (a full disk): the file then
   * misses changes, so changes are not noted and the next checkpoint must rewrite it first.
   */
  get needsRewrite(): boolean {
    return this.fd < 0
  }

  /**
   * Records a key's new state (undefined: back to the baseline, or forgotten). Written once a
   * second, or as soon as FLUSH_AT changes are pending: at 10,000 new alert keys a second, one
   * write a second was a 4-14 ms stall of the event loop (bench/PROFILE.md, ninth pass).
   */
  note(id: string, state: KeyState | undefined): void {
    if (this.fd < 0) return
    this.pending.set(id, state ?? 'x')
    if (this.pending.size >= FLUSH_AT) this.flushQuietly()
  }

  /** flush(), for callers on the delivery path: a failed write keeps its changes and is retried by the next flush. */
  flushQuietly(): void {
    try {
      this.flush()
    } catch {
      // kept in the frame and written by the next flush; the log tail holds these changes too
    }
  }

  /** Records a baseline change: `clear`, every key forgotten; else the keys whose state is `b` are dropped. */
  noteBaseline(b: 'closed' | 'unknown', clear: boolean): void {
    if (this.fd < 0) return
    this.addPending()
    this.frame.addText(RecordType.HistoryBaseline, JSON.stringify({ b, c: clear }))
  }

  /** Writes what is pending (not synced: a checkpoint syncs it first, and the log tail holds the rest). */
  flush(): void {
    this.addPending()
    if (this.frame.empty || this.fd < 0) return
    const bytes = this.frame.seal()
    writeSync(this.fd, bytes)
    this.size += bytes.length
    this.frame.reset()
  }

  /** Flushes and syncs: everything noted so far survives a power loss (before a checkpoint). */
  sync(): void {
    this.flush()
    if (this.fd >= 0) fdatasyncSync(this.fd)
  }

  /** Is the file mostly superseded (over twice what a rewrite of `keys` keys would write)? */
  wantsRewrite(keys: number): boolean {
    return this.size > 2 * keys * KEY_BYTES_GUESS + REWRITE_SLACK
  }

  /**
   * Writes `history` whole as the next generation (synced, renamed) and appends to it from then on.
   * On failure nothing is appended any more until a rewrite succeeds (the older file stays, as
   * good as the log tail that follows it).
   */
  rewrite(history: KeyHistory): void {
    this.pending.clear()
    this.frame.reset()
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
    const next = Math.max(this.gen, newestGeneration(this.dir) ?? 0) + 1
    const tmp = join(this.dir, `${historyName(next)}.tmp`)
    const fd = openSync(tmp, 'w', 0o600)
    let size = 0
    try {
      const w = new FrameWriter(256 * 1024)
      const out = () => {
        if (w.empty) return
        const bytes = w.seal()
        writeSync(fd, bytes)
        size += bytes.length
        w.reset()
      }
      w.addText(RecordType.HistoryBaseline, JSON.stringify({ b: history.baseline, c: true }))
      let rec: KeysRecord = {}
      let n = 0
      for (const [k, s] of history.entries()) {
        const list = s === 'open' ? (rec.o ??= []) : s === 'closed' ? (rec.c ??= []) : (rec.u ??= [])
        list.push(k)
        if (++n % CHUNK === 0) {
          w.addText(RecordType.HistoryKeys, JSON.stringify(rec))
          rec = {}
          if (w.length > 1024 * 1024) out()
        }
      }
      if (n % CHUNK !== 0) w.addText(RecordType.HistoryKeys, JSON.stringify(rec))
      out()
      fsyncSync(fd)
    } catch (err) {
      closeSync(fd)
      rmSync(tmp, { force: true })
      throw err
    }
    closeSync(fd)
    renameSync(tmp, join(this.dir, historyName(next)))
    fsyncDir(this.dir)
    this.fd = openSync(join(this.dir, historyName(next)), 'a', 0o600)
    this.gen = next
    this.size = size
    for (const g of generations(this.dir)) if (g < next) unlinkQuietly(join(this.dir, historyName(g)))
  }

  close(): void {
    if (this.fd < 0) return
    try {
      this.sync()
    } catch {
      // what was written stays in the OS; the log tail holds the rest
    }
    closeSync(this.fd)
    this.fd = -1
  }

  private addPending(): void {
    if (this.pending.size === 0) return
    const rec: KeysRecord = {}
    for (const [k, c] of this.pending) {
      const list = c === 'open' ? (rec.o ??= []) : c === 'closed' ? (rec.c ??= []) : c === 'unknown' ? (rec.u ??= []) : (rec.x ??= [])
      list.push(k)
    }
    this.pending = new Map()
    this.frame.addText(RecordType.HistoryKeys, JSON.stringify(rec))
  }
}
