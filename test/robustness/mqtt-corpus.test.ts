/**
 * The bad-input corpus over MQTT: every input is published at QoS 1 (with mqtt.js, to a Mosquitto
 * of this test's own) on the topic the bridge subscribes to, each followed by a valid event, on
 * both queues. A malformed payload must be acknowledged (it does not block the topic: the valid
 * message after it arrives; and once the bridge is gone the broker holds nothing unacknowledged
 * for its session), counted in mcp_rejected_events_total{transport="mqtt",reason} and logged
 * with its reason; every accepted input reaches the ilert simulator.
 */
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Stack, waitFor } from '../helpers/harness'
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto'
import { type Case, corpus, type GroupName, validEvent } from './corpus'
import { delta, expectDelivered, expectNoPollution, expectRejectionCounts, jsonDepthLimit, rejectedByReason, startRobustStack, STORES, withControl } from './support'

const T = 'mqtt' as never
const run = `${process.pid}-${Date.now().toString(36)}`
let broker: Mosquitto
let pub: MqttClient

beforeAll(async () => {
  broker = await startMosquitto()
  pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `corpus-pub-${run}`, reconnectPeriod: 0 })
})
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
})

for (const store of STORES) {
  describe(`MQTT corpus, ${store} queue`, () => {
    let stack: Stack
    const topic = `corpus/${run}/${store}`
    const clientId = `mcp-ilert-corpus-${run}-${store}`
    beforeAll(async () => {
      stack = await startRobustStack({
        store,
        config: { mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, topics: [topic], client_id: clientId, reconnect_min_seconds: 0.1 } },
      })
      await waitFor('bridge subscribed', () => stack.log.lines.some((l) => l.includes('mqtt subscribed')))
    })
    afterAll(() => stack.stop())

    test(`runs on the ${store} queue`, () => {
      expect(stack.app.config.queue.durable).toBe(store === 'durable')
    })

    async function runGroup(name: string, cases: Case[]) {
      const before = await rejectedByReason(stack, T)
      const after = cases.map((_, i) => `mqtt-${store}-${name}-after-${i}`)
      await withControl(stack, `mqtt-${store}-${name}`, async () => {
        for (const [i, k] of cases.entries()) {
          await pub.publishAsync(topic, Buffer.from(k.line), { qos: 1 })
          await pub.publishAsync(topic, validEvent(after[i]!), { qos: 1 })
        }
        await expectDelivered(stack, [...cases.map((k) => k.expect), ...after.map((alertKey) => ({ kind: 'accepted' as const, alertKey }))], `mqtt ${name}`)
      }, { tcp: false })
      const reasons = cases.flatMap((k) => (k.expect.kind === 'rejected' ? [k.expect.reason] : []))
      expectRejectionCounts(delta(await rejectedByReason(stack, T), before), reasons)
      // Logged, at most once a second per reason (log-throttle.ts; the next line says how many were
      // suppressed): so each reason must have been logged with the topic, by this group or shortly before.
      const logged = stack.log.lines.filter((l) => l.includes('mqtt message is not') && l.includes(topic))
      for (const r of new Set(reasons.filter((r): r is string => typeof r === 'string'))) {
        expect({ reason: r, logged: logged.some((l) => l.includes(`"reason":"${r}"`)) }).toEqual({ reason: r, logged: true })
      }
    }

    const groups = corpus(`mqtt-${store}`, { maxJsonDepth: jsonDepthLimit() })
    for (const name of Object.keys(groups) as GroupName[]) {
      test(`${name}: ${groups[name].length} payloads, each followed by a valid one: bad ones acknowledged, counted, logged; the rest delivered`, () => runGroup(name, groups[name]))
    }

    test('a payload over mqtt.max_payload_bytes is acknowledged and counted as payload_too_large', () =>
      runGroup('oversize', [{ name: '70,000-byte payload', line: new TextEncoder().encode(validEvent(`mqtt-${store}-big`, { details: 'd'.repeat(70_000) })), expect: { kind: 'rejected', reason: 'payload_too_large' } }]))

    test('no prototype pollution after the corpus', () => {
      expectNoPollution()
    })

    test('once the bridge is gone, the broker holds nothing unacknowledged for its session', async () => {
      await stack.stop()
      const got: string[] = []
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId, clean: false, reconnectPeriod: 0 })
      c.on('message', (_t, p) => got.push(p.toString().slice(0, 80)))
      // Mosquitto resends a session's unacknowledged messages right after CONNACK.
      await Bun.sleep(500)
      await c.endAsync()
      expect(got).toEqual([])
    })
  })
}
