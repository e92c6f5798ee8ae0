// mqtt.url is parsed by the bridge (WHATWG URL) instead of by mqtt.js (Node's legacy url.parse,
// which prints a DeprecationWarning into the JSON log): the connection options must be the ones
// mqtt.js derived from the same URL, for every form the README names.
import { describe, expect, test } from 'bun:test'
import { parse } from 'node:url'
import { parseBrokerUrl } from '../../src/ingest/mqtt/broker-url'

/** What mqtt.js's connect() takes from url.parse(brokerUrl, true) (node_modules/mqtt/build/lib/connect/index.js). */
function asMqttJs(url: string): Record<string, unknown> {
  const u = parse(url, true)
  const protocol = u.protocol!.replace(/:$/, '')
  const o: Record<string, unknown> = { protocol, host: u.hostname }
  if (u.port != null) o.port = Number(u.port)
  if (u.auth != null) o.auth = u.auth
  if (Object.keys(u.query).length > 0) o.query = { ...u.query }
  if (protocol.startsWith('ws')) o.path = u.path // mqtt.js deletes it for the other protocols
  return o
}

describe('mqtt.url', () => {
  test.each([
    'mqtt://127.0.0.1:1883',
    'mqtt://broker.example.com',
    'mqtts://broker.example.com:8883',
    'tcp://10.0.0.5:1883',
    'mqtt://bridge:p%40ss%3Aword@broker:1883',
    'mqtt://bridge@broker',
    'mqtt://[::1]:1883',
    'ws://broker:8080/mqtt',
    'wss://broker.example.com/mqtt?clientId=edge-7',
  ])('%s gives the options mqtt.js would have taken from it', (url) => {
    const r = parseBrokerUrl(url)
    expect(r.kind).toBe('ok')
    if (r.kind === 'ok') expect({ ...r.options }).toEqual(asMqttJs(url))
  })

  test.each(['localhost:1883', 'mqtt//127.0.0.1', 'http://127.0.0.1:1883', 'mqtt://', '127.0.0.1', ''])('%p is refused', (url) => {
    expect(parseBrokerUrl(url).kind).toBe('error')
  })

  test('a refused URL is quoted without its credentials', () => {
    const r = parseBrokerUrl('https://bridge:hunter2@broker:1883')
    expect(r.kind === 'error' && r.problem).toContain('"https://[set, 14 chars]@broker:1883"')
    expect(JSON.stringify(r)).not.toContain('hunter2')
  })
})
