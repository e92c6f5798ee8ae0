// No PUBACK leaves before the commit that covers its message, and PUBACKs leave in order, now that
// the MQTT source reads on while a commit is under way (src/ingest/mqtt/puback-gate.ts). Seen from
// the broker's side: a Mosquitto of the test's own logs every PUBACK it receives (log_type debug),
// while the bridge's fdatasync is held through the App's syncFn hook.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import mqtt, { type MqttClient } from 'mqtt'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatePubacks } from '../../src/ingest/mqtt/puback-gate'
import { startStack, waitFor } from '../helpers/harness'
import { heldSync } from '../helpers/held-sync'
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto'

const run = `${process.pid}-${Date.now().toString(36)}`
let broker: Mosquitto
let pub: MqttClient
const dir = mkdtempSync(join(tmpdir(), 'mqtt-puback-gate-'))
beforeAll(async () => {
  broker = await startMosquitto([{}], ['allow_anonymous true', 'log_type debug'])
  pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `pub-${run}` })
})
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('PUBACK after the commit (a real broker)', () => {
  test('with the sync held, messages are staged but not acknowledged; once it returns, every PUBACK arrives, in order', async () => {
    const clientId = `bridge-${run}`
    const topic = `gate/${run}`
    const sync = heldSync()
    sync.hold()
    const stack = await startStack({
      config: { queue: { durable: true, path: join(dir, 'q') }, mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, topics: [topic], client_id: clientId } },
      app: { syncFn: sync.syncFn },
    })
    const pubacks = () => broker.output().split('\n').filter((l) => l.includes(`Received PUBACK from ${clientId}`))
    try {
      await waitFor('bridge subscribed', () => stack.log.lines.some((l) => l.includes('mqtt subscribed')), 15_000)
      const N = 5
      for (let i = 0; i < N; i++) void pub.publishAsync(topic, JSON.stringify({ summary: `gate ${i}`, alert_key: `gate-${run}-${i}` }), { qos: 1 })
      // All five read while the first sync is held (the first written, the rest staged behind it):
      // the source did not wait for the commit before reading on.
      await waitFor('all read', async () => (await stack.metric('mcp_in_events_total', { transport: 'mqtt' })) + stack.app.ingestor.stagedCount() === N)
      await Bun.sleep(300)
      expect(pubacks()).toEqual([])
      sync.release()
      await waitFor('every PUBACK at the broker', () => pubacks().length === N, 10_000)
      const mids = pubacks().map((l) => Number(/Mid: (\d+)/.exec(l)![1]))
      expect(mids).toEqual([...mids].sort((a, b) => a - b))
    } finally {
      sync.release()
      await stack.stop()
    }
  }, 30_000)
})

describe('the gate alone', () => {
  /** A stand-in with the one method the gate wraps, recording what reaches the wire. */
  const fakeClient = () => {
    const sent: string[] = []
    const client = { _sendPacket: (p: { cmd: string; messageId?: number }, cb?: () => void) => (sent.push(`${p.cmd}${p.messageId ?? ''}`), cb?.()) }
    return { client, sent }
  }
  const deferred = () => {
    let resolve!: (ok: boolean) => void
    return { promise: new Promise<boolean>((r) => (resolve = r)), resolve }
  }

  test('a PUBACK waits for its commit, later ones wait for earlier ones, and mqtt.js reads on at once', async () => {
    const { client, sent } = fakeClient()
    const gate = gatePubacks(client as never, () => sent.push('reconnect'))
    const [a, b] = [deferred(), deferred()]
    gate.hold(1, a.promise)
    gate.hold(2, b.promise)
    let readOn = 0
    client._sendPacket({ cmd: 'puback', messageId: 1 }, () => readOn++)
    client._sendPacket({ cmd: 'puback', messageId: 2 }, () => readOn++)
    client._sendPacket({ cmd: 'pingreq' })
    expect(readOn).toBe(2)
    expect(sent).toEqual(['pingreq'])
    b.resolve(true)
    await Bun.sleep(1)
    expect(sent).toEqual(['pingreq']) // 2 is committed, but 1 is not yet
    a.resolve(true)
    await gate.settle()
    expect(sent).toEqual(['pingreq', 'puback1', 'puback2'])
  })

  test('a failed commit: no PUBACK for it or after it, and the connection is dropped once', async () => {
    const { client, sent } = fakeClient()
    const gate = gatePubacks(client as never, () => sent.push('reconnect'))
    const ok = Promise.resolve(true)
    gate.hold(1, ok)
    gate.hold(2, Promise.resolve(false))
    gate.hold(3, ok)
    for (const id of [1, 2, 3]) client._sendPacket({ cmd: 'puback', messageId: id })
    await gate.settle()
    expect(sent).toEqual(['puback1', 'reconnect'])
  })
})
