/**
 * The promise that matters most: with the durable queue, kill -9 of the bridge under load loses
 * no acknowledged event. The bridge runs as its own process against the simulator in this one;
 * events are sent until the kill, the bridge is restarted on the same queue.path, and the
 * simulator's record must hold every event that got a 202.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-kill9-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('kill -9 under load, restart: every acknowledged event reaches ilert', async () => {
  // A slow ilert keeps most accepted events waiting in the queue when the bridge dies.
  const sim = createSimulator({ port: 0, rateLimit: { perKey: 0 }, faults: { latencyMs: 5 } })
  const { url } = await sim.start()
  const config = writeConfig(
    dir,
    `listen: { port: 0 }
tcp: { enabled: false }
metrics: { enabled: false }
ilert: { api_url: "${url}", integration_key: "il1api-kill9-test-key" }
queue: { durable: true, path: "${join(dir, 'queue')}", sync: normal }
rate_limit: { per_minute: 100000, per_key_per_minute: 100000 }
dispatch: { concurrency: 4, drain_timeout_seconds: 1 }
retries: { base_interval_seconds: 0.05, max_interval_seconds: 0.5, max_attempts: 100 }
logging: { level: info }
`,
  )
  let bridge = await startBridge(config)
  const acked = new Set<string>()
  let sent = 0
  const sender = (async () => {
    for (let batch = 0; batch < 60; batch++) {
      const events = Array.from({ length: 50 }, (_, i) => ({ mcp_id: `k9-${batch}-${i}`, priority: 2, summary: `event ${batch}/${i}` }))
      sent += events.length
      try {
        const res = await fetch(`${bridge.httpUrl}/events`, { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } })
        if (res.status === 202) for (const e of events) acked.add(e.mcp_id)
      } catch {
        return // the bridge is gone: this batch was never acknowledged
      }
    }
  })()
  try {
    await waitFor('some events acknowledged', () => acked.size >= 1000, 20_000)
  } catch (err) {
    await bridge.kill('SIGKILL')
    await sim.stop()
    throw err
  }
  const code = await bridge.kill('SIGKILL')
  expect(code).not.toBe(0)
  await sender
  const deliveredBeforeRestart = new Set(sim.alerts().map((a) => a.alertKey))
  // The kill must have happened with acknowledged events still undelivered, or the test proves nothing.
  expect([...acked].some((k) => !deliveredBeforeRestart.has(k))).toBe(true)

  bridge = await startBridge(config)
  const missing = () => {
    const keys = new Set(sim.alerts().map((a) => a.alertKey))
    return [...acked].filter((k) => !keys.has(k))
  }
  try {
    await waitFor(
      'every acknowledged event in ilert',
      () => missing().length === 0,
      60_000,
    )
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${missing().length} of ${acked.size} missing, e.g. ${missing().slice(0, 5)}\n${bridge.stderr().slice(-2000)}`)
  } finally {
    await bridge.kill('SIGTERM')
    await sim.stop()
  }
  expect(acked.size).toBeGreaterThanOrEqual(1000)
  expect(sent).toBeGreaterThanOrEqual(acked.size)
}, 90_000)
