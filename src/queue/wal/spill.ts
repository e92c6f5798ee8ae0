/**
 * Bodies kept on disk only (queue.max_memory_bytes, issue 16.4). The log already holds every
 * pending call's body in a record, so beyond the memory bound an entry keeps no copy: it points
 * at the record (a segment's, or a checkpoint's) and keeps a skeleton of the fields scheduling
 * reads (integration key, event type, alert key, priority, labels). The body is read back with
 * one pread when its call leaves, or when a checkpoint rewrites it. A start over a large backlog
 * works the same way, so memory stays bounded however much is queued.
 */
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import type { IlertEventBody } from '../../pipeline/ilert-event'
import { checkpointBody } from './checkpoint'
import { readAt } from './files'
import { RecordType } from './frame'

/** Where a spilled body lives: a record's payload in one of the queue's files. */
export interface SpillRef {
  /** File name in queue.path (a segment or a checkpoint). */
  readonly file: string
  /** Byte offset of the record's payload, and its length. */
  readonly at: number
  readonly len: number
  readonly type: RecordType
  /** For a RawBatch record: the item that is this entry's event. */
  readonly item: number
}

/**
 * What a spilled entry keeps of its body. Labels stay because a merge unions them (and they may
 * be the union of several events, which no single record holds); the record supplies the rest.
 * A skeleton is never sent: the dispatcher asks the store for the whole body first.
 */
export function skeletonOf(body: IlertEventBody): IlertEventBody {
  const s: IlertEventBody = { integrationKey: body.integrationKey, eventType: body.eventType, summary: '' }
  if (body.alertKey !== undefined) s.alertKey = body.alertKey
  if (body.priority !== undefined) s.priority = body.priority
  if (body.labels !== undefined) s.labels = body.labels
  return s
}

/** Reads spilled bodies back, with one read descriptor per file kept open until it is deleted. */
export class SpillReader {
  private readonly fds = new Map<string, number>()

  constructor(
    private readonly dir: string,
    private readonly decodeRaw: (text: string) => IlertEventBody | undefined,
  ) {}

  /** The whole body for a spilled entry whose skeleton is `skeleton`; throws when it cannot be read. */
  read(ref: SpillRef, skeleton: IlertEventBody): IlertEventBody {
    const buf = Buffer.allocUnsafe(ref.len)
    if (!readAt(this.fdOf(ref.file), buf, ref.at)) throw new Error(`${ref.file} ends before offset ${ref.at + ref.len}`)
    const body = decode(ref, buf.toString('utf8'), this.decodeRaw)
    if (body === undefined) throw new Error(`the record at ${ref.file}:${ref.at} no longer validates`)
    return skeleton.labels === undefined || body.labels === skeleton.labels ? body : { ...body, labels: skeleton.labels }
  }

  /** Closes the descriptor of a file about to be deleted (refs into it were moved to a checkpoint). */
  forget(file: string): void {
    const fd = this.fds.get(file)
    if (fd === undefined) return
    this.fds.delete(file)
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
  }

  close(): void {
    for (const file of [...this.fds.keys()]) this.forget(file)
  }

  private fdOf(file: string): number {
    let fd = this.fds.get(file)
    if (fd === undefined) {
      fd = openSync(join(this.dir, file), 'r')
      this.fds.set(file, fd)
    }
    return fd
  }
}

function decode(ref: SpillRef, text: string, decodeRaw: (text: string) => IlertEventBody | undefined): IlertEventBody | undefined {
  switch (ref.type) {
    case RecordType.Raw:
      return decodeRaw(text)
    case RecordType.Body:
      return JSON.parse(text) as IlertEventBody
    case RecordType.Replayed:
      return (JSON.parse(text) as { b: IlertEventBody }).b
    case RecordType.CheckpointEntry:
    case RecordType.CheckpointRawEntry:
      return checkpointBody(ref.type, text, decodeRaw)
    case RecordType.RawBatch: {
      const items = JSON.parse(text) as unknown[]
      return decodeRaw(JSON.stringify(items[ref.item]))
    }
    default:
      return undefined
  }
}
