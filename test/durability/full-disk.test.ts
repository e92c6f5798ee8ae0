/**
 * Audit finding 16.2: on a full disk the first ilert answer killed the bridge, and a restart on the
 * still-full disk died again (a crash loop). Now a full store never stops the process: it stops
 * acknowledging (HTTP 503 storage_full, TCP error line), reports not ready, keeps serving health
 * and metrics and delivering what it holds, starts on a full disk, and resumes by itself when
 * space returns. The disk is a real small tmpfs (the test runs as root, as CI does); without root
 * the same scenario runs on queue.max_disk_bytes.
 */
import { afterAll, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSimulator } from '../../src/simulator/simulator'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'

const base = mkdtempSync(join(tmpdir(), 'mcp-ilert-fulldisk-'))
const mnt = join(base, 'disk')
mkdirSync(mnt)
const asRoot = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]).status === 0
afterAll(() => {
  if (asRoot) spawnSync('umount', ['-l', mnt])
  rmSync(base, { recursive: true, force: true })
})

/** Fills the disk (tmpfs) or the store's byte budget, leaving almost nothing; returns the bytes it wrote. */
function fill(): number {
  if (!asRoot) return 0
  let wrote = 0
  // Ever smaller chunks until ENOSPC: what is left is less than a page.
  for (const size of [64 * 1024, 4096]) {
    for (;;) {
      try {
        writeFileSync(join(mnt, `filler-${fillers++}`), Buffer.alloc(size, 1))
        wrote += size
      } catch {
        break
      }
    }
  }
  return wrote
}

/**
 * Fills the disk until it stays full: the bridge frees room by itself a moment later (segments a
 * compaction covers are deleted off the event loop, a sealed segment loses its unwritten zeros),
 * and an event that fits in that room is rightly accepted.
 */
async function fillUntilFull(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    fill()
    await Bun.sleep(200)
    if (fill() === 0) return
  }
}
let fillers = 0

function unfill(): void {
  if (!asRoot) return
  for (let i = 0; i < fillers; i++) rmSync(join(mnt, `filler-${i}`), { force: true })
}

const post = (url: string, events: object[]) => fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) })

test(`a full ${asRoot ? 'disk (tmpfs)' : 'store (queue.max_disk_bytes)'}: no crash, no lying ack, not ready, delivery goes on; a restart on it works; ingest resumes when space returns`, async () => {
  const sim = createSimulator({ port: 0, rateLimit: { perKey: 0 }, faults: { forceStatus: 503 } })
  const { url } = await sim.start()
  const queue = join(mnt, 'queue')
  const config = writeConfig(
    base,
    `listen: { port: 0 }
tcp: { port: 0 }
metrics: { enabled: true, listen_port: 0 }
ilert: { api_url: "${url}", integration_key: "il1api-full-disk-key" }
queue: { path: "${queue}", segment_bytes: 65536${asRoot ? '' : ', max_disk_bytes: 400000'} }
rate_limit: { per_minute: 100000, per_key_per_minute: 100000 }
retries: { max_attempts: 3, base_interval_seconds: 0.05, max_interval_seconds: 0.1 }
dispatch: { drain_timeout_seconds: 1 }
logging: { level: info }
`,
  )
  let bridge = await startBridge(config)
  try {
    // Pending calls while ilert is down (503: an outage, nothing dead-lettered).
    const held = Array.from({ length: 30 }, (_, i) => ({ alert_key: `held-${i}`, summary: `held ${i}`, details: 'x'.repeat(500) }))
    expect((await post(bridge.httpUrl, held)).status).toBe(202)
    fill()
    // Fill what is left through ingest until the store refuses.
    let refused: Response | undefined
    for (let i = 0; i < 400 && refused === undefined; i++) {
      const r = await post(bridge.httpUrl, Array.from({ length: 20 }, (_, j) => ({ alert_key: `fill-${i}-${j}`, summary: 'fill', details: 'y'.repeat(800) })))
      if (r.status !== 202) refused = r
    }
    expect(refused?.status).toBe(503)
    expect(((await refused!.json()) as { reason: string }).reason).toBe('storage_full')
    await fillUntilFull() // and what the refused batch left, or the bridge freed since
    const ready = await fetch(`${bridge.httpUrl}/readyz`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { reason: string }).reason).toBe('storage_unavailable')
    // TCP: an error line naming storage_full, then the bridge closes; no ack for the line.
    // (A segment made ahead has room of its own: lines that still fit there are rightly acknowledged.)
    const c = await connectClient(bridge.tcpPort)
    let sent = 0
    while (!c.closed && sent < 20) {
      sent++
      await c.send(JSON.stringify({ alert_key: `tcp-when-full-${sent}`, summary: 'no room', details: 'z'.repeat(20_000) }) + '\n')
      await waitFor('an ack or the close', () => c.closed || (c.lastAck()?.ack ?? 0) >= sent, 10_000)
    }
    expect(c.closed).toBe(true)
    expect(c.errors().at(-1)).toMatchObject({ reason: 'storage_full' })
    const tcpAcked = c.lastAck()?.accepted ?? 0
    expect(tcpAcked).toBe(sent - 1) // every line but the refused one

    // ilert answers again, and one event is refused with 400 (a dead letter that cannot be stored yet):
    // outcome records and the dead letter cannot be written, and the process must live on.
    sim.setFaults({ forceStatus: 400, forceStatusKeys: ['held-0'] })
    await waitFor('held events delivered on the full disk', () => sim.alerts().filter((a) => a.alertKey.startsWith('held-')).length === 29, 20_000)
    expect((await fetch(`${bridge.httpUrl}/healthz`)).status).toBe(200)
    expect(bridge.proc.exitCode).toBeNull()

    // kill -9 and a restart on the still-full disk: it starts, serves health, is not ready.
    await bridge.kill('SIGKILL')
    bridge = await startBridge(config)
    expect((await fetch(`${bridge.httpUrl}/healthz`)).status).toBe(200)
    const notReady = await fetch(`${bridge.httpUrl}/readyz`)
    expect(notReady.status).toBe(503)
    expect(((await notReady.json()) as { reason: string }).reason).toBe('storage_unavailable')

    // Space returns: ingest resumes by itself.
    unfill()
    await waitFor('ready again', async () => (await fetch(`${bridge.httpUrl}/readyz`)).status === 200, 15_000)
    expect((await post(bridge.httpUrl, [{ alert_key: 'after', summary: 'room again' }])).status).toBe(202)
    sim.setFaults({ forceStatus: undefined, forceStatusKeys: undefined })
    await waitFor('the new event delivered', () => sim.alerts().some((a) => a.alertKey === 'after'), 15_000)
    for (let i = 1; i <= tcpAcked; i++) await waitFor(`acknowledged TCP line ${i} delivered`, () => sim.alerts().some((a) => a.alertKey === `tcp-when-full-${i}`), 15_000)
    // Every acknowledged event reached ilert (or the dead letters): none of the held ones is lost.
    await waitFor('held-0 dead-lettered', async () => {
      const r = await fetch(`${bridge.httpUrl}/admin/dead-letters`)
      return ((await r.json()) as { items: { event: { alertKey: string } }[] }).items.some((d) => d.event.alertKey === 'held-0')
    }, 15_000)
  } finally {
    await bridge.kill('SIGTERM')
    await sim.stop()
  }
}, 90_000)
