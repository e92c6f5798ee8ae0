/**
 * The MQTT source against a real Mosquitto (started here on a free port) with mosquitto_pub at
 * QoS 1: events in our shape and in ilert's arrive at the ilert simulator; payloads that are not
 * events are acknowledged, counted and do not block the topic. Then the bridge (a real child
 * process on a durable queue) is killed with SIGKILL and restarted while messages are being
 * published: every message arrives (at least once; duplicates only as at-least-once allows).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startBridge, writeConfig } from '../helpers/bridge-process'
import { ensureProgram, freeTcpPort, spawnDaemon } from '../helpers/external'
import { startStack, type Stack, TEST_KEY, waitFor } from '../helpers/harness'
import { createSimulator } from '../../src/simulator/simulator'

let broker: ReturnType<typeof spawnDaemon>
let brokerUrl: string
let brokerPort: number
let pub: string
const run = `${process.pid}-${Date.now().toString(36)}`

beforeAll(async () => {
  const mosquitto = await ensureProgram('mosquitto', 'mosquitto')
  pub = await ensureProgram('mosquitto_pub', 'mosquitto-clients')
  brokerPort = await freeTcpPort()
  broker = spawnDaemon([mosquitto, '-p', String(brokerPort)])
  brokerUrl = `mqtt://127.0.0.1:${brokerPort}`
  await waitFor(`mosquitto to listen: ${broker.output()}`, async () => {
    try {
      const s = await Bun.connect({ hostname: '127.0.0.1', port: brokerPort, socket: { data() {} } })
      s.end()
      return true
    } catch {
      return false
    }
  })
})
afterAll(async () => {
  broker.kill()
  await broker.exited
})

async function publish(topic: string, messages: string[]) {
  const p = Bun.spawn([pub, '-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1', '-t', topic, '-l'], { stdin: 'pipe', stderr: 'pipe' })
  for (const m of messages) p.stdin.write(m + '\n')
  await p.stdin.end()
  expect(await p.exited).toBe(0)
}

describe('MQTT source (in-process bridge)', () => {
  let stack: Stack
  const topic = `mcp-ilert-test/${run}/a`
  beforeAll(async () => {
    stack = await startStack({ config: { mqtt: { url: brokerUrl, topics: [`mcp-ilert-test/${run}/#`], client_id: `mcp-ilert-test-${run}-a`, reconnect_min_seconds: 0.1 } } })
    await waitFor('subscribed', () => stack.log.lines.some((l) => l.includes('mqtt subscribed')))
  })
  afterAll(() => stack.stop())

  test('our event shape and ilert\'s Event body both arrive; bad payloads are acknowledged, counted, and do not block the topic', async () => {
    await publish(topic, [
      JSON.stringify({ summary: 'pump 3 pressure low', alert_key: `mq-ours-${run}`, priority: 2 }),
      'not json at all',
      JSON.stringify({ summary: 'x', priority: 9 }),
      JSON.stringify({ integrationKey: TEST_KEY, eventType: 'alert', summary: 'lower-case type' }),
      JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: 'ilert shaped', alertKey: `mq-ilert-${run}`, priority: 'HIGH' }),
    ])
    const ours = await waitFor('our event', () => stack.sim.alerts().find((a) => a.alertKey === `mq-ours-${run}`))
    expect(ours.summary).toBe('pump 3 pressure low')
    const theirs = await waitFor('ilert event', () => stack.sim.alerts().find((a) => a.alertKey === `mq-ilert-${run}`))
    expect(theirs.priority).toBe('HIGH')
    expect(await stack.metric('mcp_in_events_total', { transport: 'mqtt' })).toBe(2)
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'mqtt', reason: 'invalid_json' })).toBe(1)
    expect(await stack.metric('mcp_rejected_events_total', { transport: 'mqtt', reason: 'schema' })).toBe(2)
    expect(stack.log.lines.some((l) => l.includes('mqtt message is not') && l.includes(topic))).toBe(true)
  })
})

describe('MQTT source across a bridge restart (durable queue)', () => {
  test('SIGKILL and restart of the bridge while 150 messages are published at QoS 1: all arrive', async () => {
    const sim = createSimulator({ address: '127.0.0.1', port: 0, rateLimit: { perKey: 0 } })
    const { url } = await sim.start()
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-restart-'))
    const topic = `mcp-ilert-test/${run}/restart`
    const config = writeConfig(
      dir,
      [
        'listen: { port: 0 }',
        'tcp: { enabled: false }',
        'metrics: { enabled: false }',
        'mcp: { enabled: false }',
        `ilert: { api_url: "${url}", integration_key: "${TEST_KEY}" }`,
        'rate_limit: { per_minute: 100000, per_key_per_minute: 100000 }',
        `queue: { durable: true, path: "${join(dir, 'queue')}" }`,
        `mqtt: { url: "${brokerUrl}", topics: ["${topic}"], client_id: "mcp-ilert-restart-${run}", reconnect_min_seconds: 0.1, reconnect_max_seconds: 1 }`,
        '',
      ].join('\n'),
    )
    const subscribed = async (b: Awaited<ReturnType<typeof startBridge>>) => waitFor('bridge subscribed', () => b.stderr().includes('mqtt subscribed'), 15_000)
    let bridge = await startBridge(config)
    try {
      await subscribed(bridge)
      const N = 150
      const p = Bun.spawn([pub, '-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1', '-t', topic, '-l'], { stdin: 'pipe', stderr: 'pipe' })
      let restarted: Promise<void> | undefined
      for (let i = 0; i < N; i++) {
        p.stdin.write(JSON.stringify({ summary: `restart message ${i}`, alert_key: `mq-restart-${run}-${i}` }) + '\n')
        await p.stdin.flush()
        await Bun.sleep(4)
        if (i === 50) {
          const old = bridge
          restarted = (async () => {
            await old.kill('SIGKILL')
            bridge = await startBridge(config)
            await subscribed(bridge)
          })()
        }
      }
      await p.stdin.end()
      expect(await p.exited).toBe(0)
      await restarted
      await waitFor('all messages at ilert', () => new Set(sim.events().map((e) => e.alertKey)).size >= N, 30_000)
      const keys = sim.events().map((e) => e.alertKey)
      for (let i = 0; i < N; i++) expect(keys).toContain(`mq-restart-${run}-${i}`)
      // At least once: a message stored but not yet PUBACKed when the bridge died comes again.
      expect(keys.length - N).toBeLessThanOrEqual(5)
    } finally {
      await bridge.kill('SIGTERM')
      await sim.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
