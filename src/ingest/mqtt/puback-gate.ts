/**
 * PUBACKs in order, each only once its message's commit is done, without holding up the next
 * message. mqtt.js handles incoming PUBLISHes one at a time: it reads the next only after the
 * PUBACK of the last is handed to its `_sendPacket`. Waiting for the commit (an fdatasync with
 * queue.sync: full) before calling back made every message a sync of its own: about 2,100
 * messages/s, against 6,000 in memory. Here the source calls back once a message is staged, and
 * the PUBACK mqtt.js then sends is held until the commit resolves, so the broker's in-flight
 * window (mosquitto: 20 messages by default) shares one group commit. MQTT wants PUBACKs in the
 * order the PUBLISHes came; they leave in that order. A commit that fails sends no PUBACK for
 * it or anything after it and drops the connection, so the broker delivers them again.
 * This wraps mqtt.js's private `_sendPacket` (mqtt 5.16.0, pinned in package-lock.json); the MQTT
 * tests check that no PUBACK leaves before its commit (test/sources/mqtt*.test.ts).
 */
import type { MqttClient } from 'mqtt'

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void

interface Held {
  packet: { cmd: string; messageId?: number }
  gate: Promise<boolean>
  state: 'pending' | 'ok' | 'refused'
}

export interface PubackGate {
  /** The PUBACK for `messageId` waits for `gate` (true: committed; false: no PUBACK, reconnect). */
  hold(messageId: number, gate: Promise<boolean>): void
  /** Resolves once every held PUBACK has gone out (or been refused): for a graceful stop. */
  settle(): Promise<void>
  /** Forgets held PUBACKs: the connection is gone, and the broker delivers those messages again. */
  clear(): void
}

export function gatePubacks(client: MqttClient, onRefused: () => void): PubackGate {
  const gates = new Map<number, Promise<boolean>>()
  const held: Held[] = []
  const target = client as unknown as { _sendPacket: SendPacket }
  const send: SendPacket = target._sendPacket.bind(client)
  const flush = () => {
    while (held.length > 0 && held[0]!.state !== 'pending') {
      const h = held.shift()!
      if (h.state === 'ok') {
        send(h.packet)
        continue
      }
      held.length = 0 // none after a refused one either: MQTT acknowledges in order
      onRefused()
      return
    }
  }
  target._sendPacket = (packet, cb, ...rest) => {
    const gate = packet.cmd === 'puback' && packet.messageId !== undefined ? gates.get(packet.messageId) : undefined
    if (gate === undefined) return send(packet, cb, ...rest)
    gates.delete(packet.messageId!)
    const h: Held = { packet, gate, state: 'pending' }
    held.push(h)
    void gate.then(
      (ok) => {
        h.state = ok ? 'ok' : 'refused'
        flush()
      },
      () => {
        h.state = 'refused'
        flush()
      },
    )
    cb?.() // mqtt.js reads the next message now; this PUBACK goes out once its commit is done
  }
  return {
    hold: (messageId, gate) => void gates.set(messageId, gate),
    async settle() {
      await Promise.allSettled(held.map((h) => h.gate))
      flush()
    },
    clear() {
      held.length = 0
      gates.clear()
    },
  }
}
