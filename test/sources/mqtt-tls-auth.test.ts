/**
 * The MQTT source against a Mosquitto of this test's own with a TLS listener (a CA and a server
 * certificate made here, test-pki.ts) and a password file (mosquitto_passwd -b), no anonymous
 * access: the bridge connects over TLS verifying the broker against mqtt.ca_file, with username
 * and password, over MQTT 3.1.1 and 5; without the CA it refuses the broker, and with a wrong
 * password it is refused, each with a clear log line and without crashing or leaking the password.
 * QoS 1: with the store full (queue.capacity 2, ilert down) the PUBACK is withheld, so after a
 * restart the broker delivers exactly the messages that were not stored, and nothing is lost.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ensureProgram } from '../helpers/external'
import { startStack, type Stack, waitFor } from '../helpers/harness'
import { heldSync } from '../helpers/held-sync'
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto'
import { makeTestPki, type TestPki } from '../security/helpers/test-pki'

const run = `${process.pid}-${Date.now().toString(36)}`
const BRIDGE_PASSWORD = `bridge-secret-${run}`
const PUB_PASSWORD = `pub-secret-${run}`
let pki: TestPki
let broker: Mosquitto
let url: string
let pub: MqttClient

beforeAll(async () => {
  pki = makeTestPki()
  const passwd = await ensureProgram('mosquitto_passwd', 'mosquitto')
  const pwFile = join(pki.dir, 'passwords')
  for (const [i, [user, pass]] of [['bridge', BRIDGE_PASSWORD], ['publisher', PUB_PASSWORD]].entries()) {
    const r = Bun.spawnSync([passwd, ...(i === 0 ? ['-c'] : []), '-b', pwFile, user!, pass!], { stderr: 'pipe' })
    if (r.exitCode !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr.toString()}`)
  }
  broker = await startMosquitto([{ lines: [`certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`] }], ['allow_anonymous false', `password_file ${pwFile}`])
  url = `mqtts://127.0.0.1:${broker.port}`
  pub = await mqtt.connectAsync(url, { ca: await Bun.file(pki.caFile).text(), username: 'publisher', password: PUB_PASSWORD, clientId: `tls-pub-${run}`, reconnectPeriod: 0 })
})
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
  rmSync(pki.dir, { recursive: true, force: true })
})

type MqttOverrides = Record<string, unknown>
const mqttConfig = (name: string, o: MqttOverrides = {}) => ({
  url,
  topics: [`tls/${run}/${name}`],
  client_id: `mcp-ilert-${name}-${run}`,
  username: 'bridge',
  password: BRIDGE_PASSWORD,
  ca_file: pki.caFile,
  reconnect_min_seconds: 0.1,
  reconnect_max_seconds: 1,
  ...o,
})
const subscribed = (stack: Stack) => waitFor('bridge subscribed', () => stack.log.lines.some((l) => l.includes('mqtt subscribed')), 15_000)
const publish = (topic: string, ev: Record<string, unknown>) => pub.publishAsync(topic, JSON.stringify(ev), { qos: 1 })

describe('MQTT over TLS with username and password', () => {
  for (const version of [4, 5] as const) {
    test(`protocol_version ${version}: connects verifying the broker against mqtt.ca_file, authenticated; events arrive`, async () => {
      const name = `v${version}`
      const stack = await startStack({ config: { mqtt: mqttConfig(name, { protocol_version: version }) } })
      try {
        await subscribed(stack)
        await publish(`tls/${run}/${name}`, { summary: `over TLS, MQTT ${version}`, alert_key: `tls-${name}-${run}` })
        const a = await waitFor('event at ilert', () => stack.sim.alerts().find((x) => x.alertKey === `tls-${name}-${run}`))
        expect(a.summary).toBe(`over TLS, MQTT ${version}`)
        // Mosquitto's own account of the connection: protocol (p2 = 3.1.1, p5 = 5) and user.
        await waitFor('broker log', () => broker.output().includes(`as mcp-ilert-${name}-${run} (p${version === 4 ? 2 : 5}, c0, k30, u'bridge')`))
        expect(stack.log.lines.join('\n')).not.toContain(BRIDGE_PASSWORD)
      } finally {
        await stack.stop()
      }
    })
  }

  test('without mqtt.ca_file the broker certificate is not trusted: a clear log line, no connection, no crash', async () => {
    const stack = await startStack({ config: { mqtt: mqttConfig('no-ca', { ca_file: '' }) } })
    try {
      const line = await waitFor('TLS error logged', () => stack.log.lines.find((l) => l.includes('mqtt connection error')), 15_000)
      expect(line).toMatch(/certificate|self[- ]signed|verify/i)
      expect(stack.log.lines.some((l) => l.includes('mqtt subscribed'))).toBe(false)
      expect((await fetch(`${stack.bound.http.url}/healthz`)).status).toBe(200)
    } finally {
      await stack.stop()
    }
  })

  test('a CA file that is PEM but holds no valid certificate stops the start naming mqtt.ca_file', async () => {
    const bad = join(pki.dir, 'not-a-certificate.pem')
    writeFileSync(bad, '-----BEGIN CERTIFICATE-----\nMIIBxyz\n-----END CERTIFICATE-----\n')
    await expect(startStack({ config: { mqtt: mqttConfig('bad-ca', { ca_file: bad }) } })).rejects.toThrow(`mqtt.ca_file: cannot use ${bad} (Invalid CA)`)
  })

  test('a wrong password is refused: a clear log line, no crash, the password never logged', async () => {
    const wrong = `wrong-password-${run}`
    const stack = await startStack({ config: { mqtt: mqttConfig('bad-pass', { password: wrong }) } })
    try {
      const line = await waitFor('refusal logged', () => stack.log.lines.find((l) => l.includes('mqtt connection error')), 15_000)
      expect(line).toMatch(/not authori[sz]ed|bad user ?name or password/i)
      expect(stack.log.lines.some((l) => l.includes('mqtt subscribed'))).toBe(false)
      // It keeps trying (with backoff) and keeps serving everything else.
      const refusals = () => broker.output().split('disconnected, not authorised').length - 1
      const seen = refusals()
      await waitFor('a retry, refused too', () => refusals() > seen, 15_000)
      const r = await fetch(`${stack.bound.http.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary: 'still up', alert_key: `bad-pass-http-${run}` }) })
      expect(r.status).toBe(202)
      const all = stack.log.lines.join('\n')
      expect(all).not.toContain(wrong)
      expect(broker.output()).not.toContain(wrong)
    } finally {
      await stack.stop()
    }
  })
})

describe('MQTT QoS 1: no PUBACK before the store commit', () => {
  test('store full (capacity 2, ilert down): the third message waits unacknowledged; after a restart the broker delivers it and the rest, nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-puback-'))
    const topic = `tls/${run}/puback`
    const config = {
      queue: { durable: true, path: join(dir, 'queue'), capacity: 2 },
      dispatch: { concurrency: 1, drain_timeout_seconds: 1 },
      retries: { max_attempts: 10_000 },
      mqtt: mqttConfig('puback', { topics: [topic], protocol_version: 5 }),
    }
    const N = 5
    const key = (i: number) => `puback-${run}-${i}`
    // ilert answers every event 503: the first two stay pending and fill the store.
    let stack = await startStack({ config, sim: { faults: { forceStatus: 503 } } })
    try {
      await subscribed(stack)
      for (let i = 0; i < N; i++) await publish(topic, { summary: `puback ${i}`, alert_key: key(i) })
      await waitFor('store full', () => stack.app.ingestor.freeSlots() === 0)
      // The bridge took two and holds the third, unacknowledged, until there is room.
      await waitFor('two stored', async () => (await stack.metric('mcp_in_events_total', { transport: 'mqtt' })) === 2)
      await stack.stop()

      // A new bridge on the same store and session, ilert healthy: the two stored events come from
      // the store, the three never acknowledged come again from the broker; none was acknowledged twice.
      stack = await startStack({ config })
      await subscribed(stack)
      await waitFor('all messages at ilert', () => Array.from({ length: N }, (_, i) => key(i)).every((k) => stack.sim.alerts().some((a) => a.alertKey === k)), 20_000)
      const delivered = stack.sim.events().filter((e) => e.alertKey?.startsWith(`puback-${run}-`))
      expect({ receivedOverMqtt: await stack.metric('mcp_in_events_total', { transport: 'mqtt' }), delivered: delivered.map((e) => e.alertKey).sort() }).toEqual({
        receivedOverMqtt: N - 2,
        delivered: Array.from({ length: N }, (_, i) => key(i)).sort(),
      })
    } finally {
      await stack.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  test('a stop while a message is being committed sends its PUBACK before disconnecting: the next start gets no repeat of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-stop-commit-'))
    const topic = `tls/${run}/stop-commit`
    const config = {
      queue: { durable: true, path: join(dir, 'queue') },
      dispatch: { drain_timeout_seconds: 1 },
      mqtt: mqttConfig('stop-commit', { topics: [topic], protocol_version: 5 }),
    }
    // The store's fdatasync, held: the message is written but not yet committed.
    const sync = heldSync()
    // ilert down for the first bridge, so the message is still in the store for the second.
    let stack = await startStack({ config, app: { syncFn: sync.syncFn }, sim: { faults: { forceStatus: 503 } } })
    try {
      await subscribed(stack)
      sync.hold()
      await publish(topic, { summary: 'committed during the stop', alert_key: `stop-commit-${run}` })
      await waitFor('commit under way', () => sync.waiting() > 0)
      const stopped = stack.stop()
      await Bun.sleep(100) // the stop has begun while the sync is held
      sync.release()
      await stopped

      // Same session: whatever the broker still holds unacknowledged it sends first, then the marker.
      stack = await startStack({ config })
      await subscribed(stack)
      await publish(topic, { summary: 'marker', alert_key: `stop-commit-marker-${run}` })
      await waitFor('marker at ilert', () => stack.sim.alerts().some((a) => a.alertKey === `stop-commit-marker-${run}`), 20_000)
      // The committed message came from the store, not again from the broker.
      await waitFor('stored message at ilert', () => stack.sim.alerts().some((a) => a.alertKey === `stop-commit-${run}`), 20_000)
      expect(await stack.metric('mcp_in_events_total', { transport: 'mqtt' })).toBe(1)
    } finally {
      await stack.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
