/**
 * The MQTT source: subscribes to mqtt.topics on a broker (MQTT 3.1.1 or 5, TLS, username and
 * password) with the `mqtt` client, QoS 1. The PUBACK for a message is sent only once its event is
 * committed to the store, in the order the messages came; the next message is read while the last
 * one's commit is under way, so the broker's in-flight window shares one group commit
 * (puback-gate.ts).
 * A fixed client id with clean_session false (MQTT 5: a session that never expires) makes the
 * broker keep what arrives while the bridge is down. While the queue is full the message waits
 * (no PUBACK, so the broker holds the rest); when a commit fails the connection is dropped without
 * PUBACK, so the broker delivers the message again. Reconnects back off from reconnect_min_seconds,
 * doubling up to reconnect_max_seconds, also after the broker refused the connection (a wrong
 * password is logged, and retried, rather than ending the source for good). A payload that is not an event is acknowledged (so it does
 * not block the topic), counted in mcp_rejected_events_total{transport="mqtt",reason} and logged.
 */
import { readFileSync } from 'node:fs'
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt'
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import { throttleWarnings } from '../../security/log-throttle'
import type { Ingestor } from '../accept'
import { createPayloadDecoder } from './payload'
import { parseBrokerUrl, redactUrl } from './broker-url'
import { gatePubacks, type PubackGate } from './puback-gate'

const T = 'mqtt'

export interface MqttSource {
  start(): void
  stop(): Promise<void>
}

export function createMqttSource(cfg: Config['mqtt'], mapping: Config['mapping'], maxJsonDepth: number, ingestor: Ingestor, log: Logger): MqttSource {
  const decode = createPayloadDecoder(mapping, cfg.max_payload_bytes, maxJsonDepth)
  const warn = throttleWarnings(log)
  const minMs = cfg.reconnect_min_seconds * 1000
  const maxMs = cfg.reconnect_max_seconds * 1000
  let client: MqttClient | undefined
  let gate: PubackGate | undefined
  let stopping = false
  /** Messages being stored: stop() lets their commits finish and their PUBACKs go out first. */
  const handling = new Set<Promise<void>>()
  let wakeOnStop = () => {}
  const stopped = new Promise<void>((resolve) => (wakeOnStop = resolve))

  /** Resolves when there is room, or when the source stops (the message then goes without PUBACK). */
  const waitForSpace = () => Promise.race([new Promise<void>((resolve) => ingestor.onSpace(resolve)), stopped])

  type Staged = { kind: 'ack' } | { kind: 'no_ack' } | { kind: 'commit'; committed: Promise<boolean> }

  /**
   * Takes one message into the store, waiting while it has no room (mqtt.js reads nothing more
   * meanwhile, so the broker holds the rest). 'ack': nothing to store (not an event: acknowledged
   * and dropped); 'commit': staged, `committed` says whether its commit succeeded.
   */
  const stage = async (packet: IPublishPacket): Promise<Staged> => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)
    const d = decode(payload)
    if (d.kind === 'error') {
      ingestor.countRejected(T, d.reason)
      warn(`mqtt_${d.reason}`, 'mqtt message is not an event; acknowledged and dropped', { topic: packet.topic, reason: d.reason, message: d.message })
      return { kind: 'ack' }
    }
    for (;;) {
      if (stopping) return { kind: 'no_ack' }
      if (ingestor.shouldPause()) {
        await waitForSpace()
        continue
      }
      const out = ingestor.accept(d.value, T, undefined, d.text)
      if (out.kind === 'full') continue
      if (out.kind === 'invalid') {
        warn(`mqtt_${out.reason}`, 'mqtt message is not a valid event; acknowledged and dropped', { topic: packet.topic, reason: out.reason, field: out.field, message: out.message })
        return { kind: 'ack' }
      }
      const shared = ingestor.commitShared()
      const committed = Promise.resolve(shared).then((c) => {
        if (c.kind === 'ok') return true
        log.error('mqtt message could not be stored; reconnecting without PUBACK so the broker delivers it again', { reason: c.reason })
        return false
      })
      return { kind: 'commit', committed }
    }
  }

  const options = (): IClientOptions => {
    const o: IClientOptions = {
      clientId: cfg.client_id,
      clean: cfg.clean_session,
      protocolVersion: cfg.protocol_version as 4 | 5,
      keepalive: cfg.keepalive_seconds,
      reconnectPeriod: minMs,
      connectTimeout: 10_000,
      resubscribe: true,
      // mqtt.js gives up for good when the broker refuses the CONNECT (bad password, server
      // unavailable...); the bridge keeps trying with its backoff, so fixing the broker side is enough.
      reconnectOnConnackError: true,
    }
    if (cfg.protocol_version === 5 && !cfg.clean_session) o.properties = { sessionExpiryInterval: 0xffffffff }
    if (cfg.username !== '') o.username = cfg.username
    if (cfg.password !== '') o.password = cfg.password
    if (cfg.ca_file !== '') o.ca = readFileSync(cfg.ca_file)
    return o
  }

  return {
    start() {
      const broker = parseBrokerUrl(cfg.url)
      if (broker.kind === 'error') throw new Error(`mqtt.url ${broker.problem}`) // the config check said so first
      let c: MqttClient
      try {
        c = mqtt.connect({ ...broker.options, ...options() })
      } catch (err) {
        // The TLS context is built here: a CA file that is PEM but not a certificate fails with "Invalid CA".
        const why = err instanceof Error ? err.message : String(err)
        throw new Error(cfg.ca_file !== '' && /\bCA\b|certificate|PEM/i.test(why) ? `mqtt.ca_file: cannot use ${cfg.ca_file} (${why})` : `mqtt: ${why}`)
      }
      client = c
      const reconnect = () => {
        // No PUBACK: drop the connection; the broker delivers the message again on the next session.
        if (!stopping) c.end(true, {}, () => c.reconnect())
      }
      const pubacks = gatePubacks(c, reconnect)
      gate = pubacks
      c.handleMessage = (packet, callback) => {
        const done = stage(packet).then(
          async (r) => {
            if (r.kind === 'no_ack') return reconnect()
            if (r.kind === 'ack') return callback()
            if (packet.qos === 1 && packet.messageId !== undefined) {
              // Read on at once; the PUBACK mqtt.js sends on this callback waits for the commit.
              pubacks.hold(packet.messageId, r.committed)
              return callback()
            }
            if (await r.committed) return callback()
            reconnect()
          },
          (err) => {
            log.error('mqtt message handling failed', { error: err as Error })
            reconnect()
          },
        )
        handling.add(done)
        void done.finally(() => handling.delete(done))
      }
      c.on('connect', (connack) => {
        c.options.reconnectPeriod = minMs
        log.info('mqtt connected', { broker: redactUrl(cfg.url), sessionPresent: connack.sessionPresent })
        c.subscribe(cfg.topics, { qos: 1 }, (err, granted) => {
          if (err) return log.error('mqtt subscribe failed', { error: err })
          const refused = (granted ?? []).filter((g) => g.qos !== 1 && g.qos !== 0 && g.qos !== 2)
          if (refused.length > 0) log.error('mqtt broker refused a subscription', { topics: refused.map((g) => g.topic) })
          else log.info('mqtt subscribed', { topics: cfg.topics, qos: 1 })
        })
      })
      c.on('close', () => {
        if (stopping) return
        // PUBACKs still held belong to this connection: the broker delivers those messages again.
        pubacks.clear()
        // Back off: every close without a successful connect in between doubles the wait.
        c.options.reconnectPeriod = Math.min(maxMs, (c.options.reconnectPeriod ?? minMs) * 2)
      })
      c.on('reconnect', () => log.debug('mqtt reconnecting', { in_ms: c.options.reconnectPeriod }))
      c.on('error', (err) => {
        const code = (err as { code?: unknown }).code
        // A numeric code is the broker's CONNACK reason: it refused us (credentials, client id, ...).
        if (typeof code === 'number') warn('mqtt_refused', 'mqtt connection error: the broker refused the connection (check mqtt.username, mqtt.password, mqtt.client_id); retrying with backoff', { broker: redactUrl(cfg.url), error: err.message, code })
        else warn('mqtt_error', 'mqtt connection error', { broker: redactUrl(cfg.url), error: err.message })
      })
    },
    async stop() {
      stopping = true
      wakeOnStop()
      // A message whose commit is under way is stored: its PUBACK must reach the broker before the
      // connection ends, or the broker delivers it again to the next start (a duplicate at ilert).
      await Promise.all(handling)
      await gate?.settle()
      const c = client
      client = undefined
      if (c) await c.endAsync(false).catch(() => undefined)
    },
  }
}
