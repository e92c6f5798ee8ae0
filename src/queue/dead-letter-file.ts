/**
 * Where the durable store keeps its dead letters (queue.sqlite in queue.path), apart from the
 * SQLite code itself: asking whether the file exists must not load bun:sqlite (a bridge that never
 * dead-letters never loads it; see open-durable.ts).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const DB_FILE = 'queue.sqlite'

export const hasDeadLetterDb = (path: string) => existsSync(join(path, DB_FILE))
