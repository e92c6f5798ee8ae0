/**
 * What the write-ahead log's tests share: a stand-in for validate + normalize, offering events
 * by alert key, a store's lanes as comparable text, and waiting for compaction's deletions.
 */
import { expect } from 'bun:test'
import { readdirSync } from 'node:fs'
import type { IlertEventBody, QueuedEvent } from '../../src/pipeline/ilert-event'
import { laneKeyFor } from '../../src/pipeline/ilert-event'
import type { LogStore, LogStoreOptions } from '../../src/queue/log-store'

/** Raw records are replayed through this stand-in for validate + normalize: our event shape is {k, s, t} here. */
export const decodeRaw = (text: string): IlertEventBody | undefined => {
  const v = JSON.parse(text) as { k?: string; s: string; t?: IlertEventBody['eventType']; bad?: boolean }
  if (v.bad) return undefined
  return { integrationKey: 'ik-1', eventType: v.t ?? 'ALERT', summary: v.s, ...(v.k ? { alertKey: v.k } : {}) }
}

/** A store's options for `path`: small segments, sync normal, no disk bound. */
export function logStoreOptions(path: string, extra: Partial<LogStoreOptions> = {}): LogStoreOptions {
  return { path, capacity: 1000, sync: 'normal', segmentBytes: 64 * 1024, maxDiskBytes: 0, maxMemoryBytes: 1 << 30, rate: { perKey: 50, windowMs: 60_000, marginMs: 0 }, decodeRaw, ...extra }
}

/** Offers one event for alert key `k` (none: an event of its own), as received text. */
export function offer(s: LogStore, k: string | undefined, summary: string, t: IlertEventBody['eventType'] = 'ALERT') {
  const raw = JSON.stringify({ ...(k ? { k } : {}), s: summary, t })
  const body = decodeRaw(raw)!
  const ev: QueuedEvent = { id: 0, body, laneKey: laneKeyFor(k), acceptedAt: performance.now(), attempts: 0 }
  return s.offer(ev, raw)
}

/** Every lane as "key: TYPExcount(summary)@attempts" lists, sorted by key. */
export function snapshot(s: LogStore): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const src of s.table.sources.values()) for (const lane of src.lanes.values()) out[lane.key] = lane.entries.map((e) => `${e.body.eventType}x${e.count}(${e.body.summary})@${e.attempts}`)
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

/** Waits until the files the newest checkpoint covers are deleted (that happens off the event loop). */
export async function compactedFilesGone(path: string): Promise<void> {
  const numberOf = (f: string) => Number(/-(\d+)\./.exec(f)![1])
  const covered = () => {
    const files = readdirSync(path).filter((f) => f.endsWith('.wal') || f.endsWith('.ckpt'))
    const newest = Math.max(...files.filter((f) => f.endsWith('.ckpt')).map(numberOf))
    return files.filter((f) => numberOf(f) < newest)
  }
  for (let i = 0; i < 400 && covered().length > 0; i++) await Bun.sleep(5)
  expect(covered()).toEqual([])
}
