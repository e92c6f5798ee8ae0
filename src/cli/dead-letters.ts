/**
 * `mcp-ilert dead-letters list|replay|purge`: lets a person inspect and act on the durable
 * dead-letters of queue.path. Beside a running bridge (it holds the queue's lock) the command asks
 * that bridge through its admin API, so it works whatever the load and never fights it for the
 * files; with no bridge running it opens the store itself (a replay goes into the log, and the
 * next start delivers it).
 */
import { existsSync } from 'node:fs'
import { loadConfig } from '../config/load'
import type { Config } from '../config/schema'
import { decodeStoredEvent, explainStoredEvent } from '../ingest/accept'
import { createNormalizer } from '../pipeline/normalize'
import type { DeadLetter, ReplayReport, Selection } from '../queue/dead-letters'
import { openQueueStore } from '../queue/open-store'
import { hasDeadLetterDb, openDeadLetterDb } from '../queue/sqlite-db'
import { SqliteDeadLetters } from '../queue/sqlite-dead-letters'
import { lockHolder, readOwner } from '../queue/wal/queue-lock'
import type { CliIo } from './io'

export const DEAD_LETTERS_USAGE = `Usage: mcp-ilert dead-letters <list|replay|purge> [--config FILE] [--id N]... [--all] [--limit N] [--force]

  list               print dead letters as JSON lines, newest last (integration keys masked)
  replay --id N|--all  move dead letters back into the queue at their place in their alert key's order
                     (attempts reset); ones that newer delivered events of their key superseded are
                     reported and kept, unless --force
  purge --id N|--all   delete dead letters for good

Works on the durable store in queue.path of the given config (queue.durable must be true). When a
bridge is running on that store, the command goes through its admin API (listen.* and an admin token
from the same config).
`

type Parsed =
  | { kind: 'ok'; action: 'list' | 'replay' | 'purge'; configFile?: string; sel?: Selection; limit: number; force: boolean }
  | { kind: 'error'; message: string }

export function parseDeadLetterArgs(argv: readonly string[]): Parsed {
  const action = argv[0]
  if (action !== 'list' && action !== 'replay' && action !== 'purge') return { kind: 'error', message: 'expected list, replay or purge' }
  let configFile: string | undefined
  const ids: number[] = []
  let all = false
  let force = false
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
    else if (a === '--force' && action === 'replay') force = true
    else return { kind: 'error', message: `unexpected argument "${a}"` }
  }
  if (action === 'list') return { kind: 'ok', action, configFile, limit, force }
  if (all === ids.length > 0) return { kind: 'error', message: `${action} needs --all or one or more --id N (not both)` }
  return { kind: 'ok', action, configFile, limit, force, sel: all ? { kind: 'all' } : { kind: 'ids', ids } }
}

type Parsedok = Extract<Parsed, { kind: 'ok' }>

export async function runDeadLetters(argv: string[], io: CliIo): Promise<number> {
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
  const config = r.config
  const q = config.queue
  if (!q.durable) {
    io.stderr.write("mcp-ilert dead-letters: queue.durable is false, so dead letters live in the bridge's memory: use GET /admin/dead-letters on the running bridge.\n")
    return 2
  }
  if (!existsSync(q.path)) {
    io.stderr.write(`mcp-ilert dead-letters: no durable store at ${q.path} (queue.path)\n`)
    return 1
  }
  try {
    const holder = lockHolder(q.path)
    if (holder !== undefined) return await viaRunningBridge(config, p, io, holder)
    return await direct(config, p, io)
  } catch (err) {
    io.stderr.write(`mcp-ilert dead-letters: ${(err as Error).message}\n`)
    return 1
  }
}

async function direct(config: Config, p: Parsedok, io: CliIo): Promise<number> {
  const q = config.queue
  if (p.action === 'replay') {
    const rl = config.rate_limit
    const normalizer = createNormalizer(config.mapping, config.ilert.integration_key || config.ilert.webhook_key)
    const store = await openQueueStore(q, {
      rate: { perKey: rl.per_key_per_minute, windowMs: rl.window_seconds * 1000, marginMs: rl.margin_seconds * 1000 },
      deadLetterCapacity: config.dispatch.dead_letter_capacity,
      decodeRaw: decodeStoredEvent(normalizer),
      // Opening the store replays it: what this configuration no longer accepts goes to the dead letters, as at a bridge's start.
      explainRaw: explainStoredEvent(normalizer, config.ilert.integration_key || config.ilert.webhook_key),
      invalidAtStart: (r) => {
        if (r.deadLettered > 0) io.stderr.write(`${r.deadLettered} stored event(s) no longer pass validation with this configuration and were moved to the dead letters (reason replay_invalid)\n`)
        if (r.dropped > 0) io.stderr.write(`${r.dropped} stored event(s) that no longer pass validation could not be written to the dead letters and were dropped: ${r.error}\n`)
      },
    })
    try {
      reportReplay(io, await store.replay(p.sel!, p.force))
    } finally {
      store.close()
    }
    return 0
  }
  if (!hasDeadLetterDb(q.path)) {
    io.stderr.write(`mcp-ilert dead-letters: no durable store at ${q.path} (queue.path)\n`)
    return 1
  }
  const db = openDeadLetterDb(q.path, q.sync)
  try {
    const store = new SqliteDeadLetters(db)
    if (p.action === 'list') {
      for (const d of store.list(p.limit)) io.stdout.write(JSON.stringify(d) + '\n')
      io.stderr.write(`${store.size} dead letter(s) in ${q.path}\n`)
    } else io.stdout.write(`purged ${store.purge(p.sel!)}\n`)
    return 0
  } finally {
    db.close()
  }
}

/** The running bridge's admin API, from the same config: listen.*, TLS, an admin token. */
async function viaRunningBridge(config: Config, p: Parsedok, io: CliIo, pid: number): Promise<number> {
  const l = config.listen
  const host = l.address === '0.0.0.0' || l.address === '::' ? '127.0.0.1' : l.address.includes(':') ? `[${l.address}]` : l.address
  const published = readOwner(config.queue.path, pid)?.url ?? `${config.tls.cert_file ? 'https' : 'http'}://${host}:${l.port}`
  const base = `${published}/admin/dead-letters`
  const token = config.auth.admin_tokens[0] ?? config.auth.tokens[0]
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  // The bridge's own certificate may not name the address the CLI dials; it is our own process on this host.
  const tls = config.tls.cert_file ? { tls: { rejectUnauthorized: false } } : {}
  const ask = async (path: string, init: RequestInit = {}) => {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, { ...init, headers, ...tls, signal: AbortSignal.timeout(120_000) })
    } catch (err) {
      throw new Error(`a bridge (pid ${pid}) holds ${config.queue.path}, but its admin API at ${base} did not answer (${(err as Error).message})`)
    }
    const text = await res.text()
    if (!res.ok) throw new Error(`the running bridge (pid ${pid}) answered ${res.status}: ${text.slice(0, 300)}`)
    return JSON.parse(text) as Record<string, unknown>
  }
  if (p.action === 'list') {
    const r = await ask(`?limit=${p.limit}`)
    for (const d of r.items as DeadLetter[]) io.stdout.write(JSON.stringify(d) + '\n')
    io.stderr.write(`${r.size} dead letter(s) in ${config.queue.path} (asked the running bridge, pid ${pid})\n`)
    return 0
  }
  const body = JSON.stringify(p.sel!.kind === 'all' ? { all: true } : { ids: p.sel!.ids })
  const r = await ask(`/${p.action}${p.action === 'replay' && p.force ? '?force=true' : ''}`, { method: 'POST', body })
  if (p.action === 'replay') reportReplay(io, r as unknown as ReplayReport)
  else io.stdout.write(`purged ${r.purged}\n`)
  return 0
}

function reportReplay(io: CliIo, r: ReplayReport): void {
  io.stdout.write(`replayed ${r.replayed}\n`)
  if ((r.invalid ?? []).length > 0) {
    io.stderr.write(`${r.invalid.length} dead letter(s) not replayed: their event as received still does not pass validation with this configuration (ids ${r.invalid.join(', ')}); fix the configuration (see their lastAnswer), then replay them\n`)
  }
  if (r.superseded.length > 0) {
    io.stderr.write(`${r.superseded.length} dead letter(s) not replayed: newer delivered events of their alert key superseded them (ids ${r.superseded.join(', ')}); --force sends them anyway\n`)
  }
}
