/**
 * Micro-benchmark behind bench/PROFILE.md §1 and §4: the durable store's write patterns in
 * bun:sqlite (WAL, synchronous NORMAL, the product's events table): one INSERT per row vs a 64-row
 * INSERT inside the same 400-row transaction (about one TCP chunk), and one DELETE transaction
 * per delivered call vs one per 20 calls. Usage: taskset -c 0 bun bench/micro/sqlite-store.ts
 */
import { Database } from 'bun:sqlite'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'

const DIR = `${tmpdir()}/mcp-ilert-micro-sqlite`
const body = JSON.stringify({
  integrationKey: 'il1api-bench-0000-0001',
  eventType: 'ALERT',
  summary: 'CPU usage above threshold',
  priority: 'HIGH',
  severity: 2,
  alertKey: 'web-0042-cpu',
  details: 'host: web-0042, cpu: 92%',
  labels: { source: 'probe-07' },
  customDetails: { mcp_id: 'web-0042-cpu', source: 'probe-07', tags: ['cpu', 'prod'], mcp_priority: 2, level: 'high' },
})

function open(tag: string): Database {
  const dir = `${DIR}/${tag}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const db = new Database(`${dir}/queue.sqlite`, { create: true, strict: true })
  db.run('PRAGMA journal_mode = WAL')
  db.run('PRAGMA synchronous = NORMAL')
  db.run('CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, lane TEXT NOT NULL, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)')
  return db
}

const ROWS = 400_000
const CHUNK = 400
const BLOCK = 64
for (const mode of ['one row per INSERT', '64 rows per INSERT', 'one row per INSERT', '64 rows per INSERT']) {
  const db = open('insert')
  const one = db.prepare('INSERT INTO events (body, lane, accepted_at, attempts) VALUES (?1, ?2, ?3, ?4)')
  const blk = db.prepare('INSERT INTO events (body, lane, accepted_at, attempts) VALUES ' + Array.from({ length: BLOCK }, () => '(?,?,?,?)').join(','))
  const tx = db.transaction((n: number) => {
    let i = 0
    if (mode.startsWith('64'))
      for (; i + BLOCK <= n; i += BLOCK) {
        const args: (string | number)[] = []
        for (let j = 0; j < BLOCK; j++) args.push(body, 'web-0042-cpu', 1, 0)
        blk.run(...args)
      }
    for (; i < n; i++) one.run(body, 'web-0042-cpu', 1, 0)
  })
  const t = performance.now()
  for (let k = 0; k < ROWS / CHUNK; k++) tx(CHUNK)
  const ms = performance.now() - t
  console.log(`${mode.padEnd(20)} ${((ms * 1000) / ROWS).toFixed(2)} µs/row  ${Math.round((ROWS / ms) * 1000)} rows/s`)
  db.close()
}

{
  const db = open('delete')
  const one = db.prepare('INSERT INTO events (body, lane, accepted_at, attempts) VALUES (?1, ?2, ?3, ?4)')
  db.transaction(() => {
    for (let i = 0; i < 100_000; i++) one.run(body, 'x', 1, 0)
  })()
  const rm = db.prepare('DELETE FROM events WHERE id = ?1')
  let t = performance.now()
  for (let id = 1; id <= 40_000; id++) db.transaction(() => rm.run(id))()
  console.log(`DELETE, one transaction per call    ${(((performance.now() - t) * 1000) / 40_000).toFixed(2)} µs/id`)
  t = performance.now()
  for (let id = 40_001; id <= 80_000; id += 20)
    db.transaction(() => {
      for (let k = id; k < id + 20; k++) rm.run(k)
    })()
  console.log(`DELETE, one transaction per 20 ids  ${(((performance.now() - t) * 1000) / 40_000).toFixed(2)} µs/id`)
  db.close()
}
rmSync(DIR, { recursive: true, force: true })
