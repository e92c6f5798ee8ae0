/**
 * `mcp-ilert dead-letters list|replay|purge`: lets a person inspect and act on the durable
 * dead-letter store directly in queue.path, with or without a running bridge (SQLite WAL lets
 * both work on the file; a running bridge notices replayed events within a second).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../config/load'
import type { Selection } from '../queue/dead-letters'
import { DB_FILE, openStoreDb } from '../queue/sqlite-db'
import { SqliteDeadLetters } from '../queue/sqlite-dead-letters'
import type { CliIo } from './io'

export const DEAD_LETTERS_USAGE = `Usage: mcp-ilert dead-letters <list|replay|purge> [--config FILE] [--id N]... [--all] [--limit N]

  list               print dead letters as JSON lines, newest last (integration keys masked)
  replay --id N|--all  move dead letters back into the queue (attempts reset); they are delivered again
  purge --id N|--all   delete dead letters for good

Works on the durable store in queue.path of the given config (queue.durable must be true).
`

type Parsed =
  | { kind: 'ok'; action: 'list' | 'replay' | 'purge'; configFile?: string; sel?: Selection; limit: number }
  | { kind: 'error'; message: string }

export function parseDeadLetterArgs(argv: readonly string[]): Parsed {
  const action = argv[0]
  if (action !== 'list' && action !== 'replay' && action !== 'purge') return { kind: 'error', message: 'expected list, replay or purge' }
  let configFile: string | undefined
  const ids: number[] = []
  let all = false
  let limit = 100
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!
    const next = argv[i + 1]
    if ((a === '--config' || a === '-c') && next) {
      configFile = next
      i++
    } else if (a === '--id' && next && /^[1-9][0-9]*$/.test(next)) {
      ids.push(Number(next))
      i++
    } else if (a === '--limit' && next && /^[1-9][0-9]*$/.test(next)) {
      limit = Number(next)
      i++
    } else if (a === '--all') all = true
    else return { kind: 'error', message: `unexpected argument "${a}"` }
  }
  if (action === 'list') return { kind: 'ok', action, configFile, limit }
  if (all === ids.length > 0) return { kind: 'error', message: `${action} needs --all or one or more --id N (not both)` }
  return { kind: 'ok', action, configFile, limit, sel: all ? { kind: 'all' } : { kind: 'ids', ids } }
}

export function runDeadLetters(argv: string[], io: CliIo): number {
  const p = parseDeadLetterArgs(argv)
  if (p.kind === 'error') {
    io.stderr.write(`mcp-ilert dead-letters: ${p.message}\n${DEAD_LETTERS_USAGE}`)
    return 2
  }
  const r = loadConfig({ ...(p.configFile ? { file: p.configFile } : {}), env: io.env })
  if (r.kind === 'error') {
    io.stderr.write(`mcp-ilert: invalid configuration: ${r.message}\n`)
    return 2
  }
  const q = r.config.queue
  if (!q.durable) {
    io.stderr.write('mcp-ilert dead-letters: queue.durable is false, so dead letters live in the bridge\'s memory: use GET /admin/dead-letters on the running bridge.\n')
    return 2
  }
  if (!existsSync(join(q.path, DB_FILE))) {
    io.stderr.write(`mcp-ilert dead-letters: no durable store at ${q.path} (queue.path)\n`)
    return 1
  }
  const db = openStoreDb({ path: q.path, sync: q.sync, maxDiskBytes: 0 })
  try {
    const store = new SqliteDeadLetters(db)
    if (p.action === 'list') {
      for (const d of store.list(p.limit)) io.stdout.write(JSON.stringify(d) + '\n')
      io.stderr.write(`${store.size} dead letter(s) in ${q.path}\n`)
    } else if (p.action === 'replay') io.stdout.write(`replayed ${store.replay(p.sel!)}\n`)
    else io.stdout.write(`purged ${store.purge(p.sel!)}\n`)
    return 0
  } finally {
    db.close()
  }
}
