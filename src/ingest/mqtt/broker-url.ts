/**
 * mqtt.url, read once with the WHATWG URL parser: checked when the config loads (so a wrong URL
 * stops the start naming mqtt.url, instead of "Missing protocol" or a broker that answers in
 * another protocol), and turned into mqtt.connect's connection options. Given the URL as a
 * string, mqtt.js parses it with Node's legacy url.parse, which prints a DeprecationWarning
 * (DEP0169) to stderr: a line that is not JSON in the bridge's log. The fields are those mqtt.js
 * takes from url.parse: protocol, host, port, auth, query, and the path for WebSockets.
 */
import type { IClientOptions } from 'mqtt'
import { maskUrlCredentials } from '../../security/url-credentials'

/** The schemes mqtt.js connects with over TCP, TLS and WebSockets. */
const PROTOCOLS = new Set(['mqtt', 'mqtts', 'tcp', 'tls', 'ssl', 'ws', 'wss'])

export type BrokerUrl =
  | { kind: 'ok'; options: Pick<IClientOptions, 'protocol' | 'host' | 'port' | 'auth' | 'query' | 'path'> }
  | { kind: 'error'; problem: string }

export function parseBrokerUrl(url: string): BrokerUrl {
  const problem = `is not a broker URL (mqtt://host:1883, mqtts://host:8883 for TLS, ws://host:8080/mqtt or wss://...); got "${redactUrl(url)}"`
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { kind: 'error', problem }
  }
  const protocol = u.protocol.replace(/:$/, '')
  if (!PROTOCOLS.has(protocol) || u.hostname === '') return { kind: 'error', problem }
  const options: Extract<BrokerUrl, { kind: 'ok' }>['options'] = {
    protocol: protocol as IClientOptions['protocol'],
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 literal without its brackets, as url.parse gives it
  }
  if (u.port !== '') options.port = Number(u.port)
  if (u.username !== '') options.auth = decodeURIComponent(u.username) + (u.password === '' ? '' : `:${decodeURIComponent(u.password)}`)
  if (u.search !== '') options.query = Object.fromEntries(u.searchParams)
  if (protocol === 'ws' || protocol === 'wss') options.path = u.pathname + u.search
  return { kind: 'ok', options }
}

/** The broker URL with its credentials masked as everywhere else (mqtt://[set, N chars]@host), for logs and errors. */
export const redactUrl = maskUrlCredentials
