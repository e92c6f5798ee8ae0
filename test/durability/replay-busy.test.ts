/**
 * Audit finding 16.8: `dead-letters replay` beside a busy bridge failed 2 times in 10 with a raw
 * stack trace (the store was busy), and a 100,000-row replay failed every time. The command now
 * asks the running bridge through its admin API (found through queue.path), so it works whatever
 * the load. Here: 20,000 dead letters, replayed by the CLI while TCP load runs; the command
 * succeeds at once, and every replayed event reaches ilert.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDeadLetterDb } from '../../src/queue/sqlite-db'
import { upgradeDeadLetterTable } from '../../src/queue/sqlite-dead-letters'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'

const ROOT = join(import.meta.dir, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-replay-busy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const ROWS = 20_000

test(`replaying ${ROWS.toLocaleString('en')} dead letters with the CLI beside a bridge under TCP load`, async () => {
  const sim = createSimulator({ port: 0, rateLimit: { perKey: 0 } })
  const { url } = await sim.start()
  const queue = join(dir, 'queue')
  const config = writeConfig(
    dir,
    `listen: { port: 0 }
tcp: { port: 0 }
metrics: { enabled: false }
ilert: { api_url: "${url}", integration_key: "il1api-replay-busy-key" }
queue: { path: "${queue}" }
rate_limit: { per_minute: 1000000, per_key_per_minute: 100000 }
dispatch: { concurrency: 64, drain_timeout_seconds: 1 }
logging: { level: info }
`,
  )
  const bridge = await startBridge(config)
  try {
    // Dead letters as a long outage of an earlier run would have left them (written beside the
    // running bridge, which creates the database only with its first dead letter: here, its schema).
    const db = openDeadLetterDb(queue, 'normal')
    upgradeDeadLetterTable(db)
    const ins = db.query("INSERT INTO dead_letters (dead_at, reason, last_answer, attempts, count, body, lane, seq) VALUES ('2026-12-01T00:00:00Z', 'status_400', 'HTTP 400', 1, 1, ?1, ?2, 0)")
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) ins.run(JSON.stringify({ integrationKey: 'il1api-replay-busy-key', eventType: 'ALERT', summary: `dl ${i}`, alertKey: `dl-${i}` }), `dl-${i}`)
    })()
    db.close()
    // Load on the bridge while the replay runs.
    const c = await connectClient(bridge.tcpPort)
    let stop = false
    let sent = 0
    const load = (async () => {
      while (!stop) {
        let text = ''
        for (let i = 0; i < 200; i++) text += JSON.stringify({ alert_key: `load-${sent++ % 500}`, summary: 'load' }) + '\n'
        await c.send(text)
        await Bun.sleep(1)
      }
    })()
    const cli = Bun.spawn([process.execPath, join(ROOT, 'src/main.ts'), 'dead-letters', 'replay', '--all', '--config', config], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
    const [code, out, err] = await Promise.all([cli.exited, new Response(cli.stdout).text(), new Response(cli.stderr).text()])
    stop = true
    await load
    expect({ code, out, err }).toEqual({ code: 0, out: `replayed ${ROWS}\n`, err: '' })
    await waitFor('every replayed event in ilert', () => sim.alerts().filter((a) => a.alertKey.startsWith('dl-')).length === ROWS, 60_000)
    expect(await c.waitForAck(sent, 20_000)).toMatchObject({ ack: sent })
    c.close()
  } finally {
    await bridge.kill('SIGTERM')
    await sim.stop()
  }
}, 90_000)
