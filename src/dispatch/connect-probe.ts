/**
 * Connect timeout for the ilert client. Bun's fetch has no separate connect phase, so a blackholed
 * ilert would only show up when the whole request deadline passes. While the origin is "cold"
 * (no answer yet, or the last call failed at the transport), we first open a bare TCP connection
 * with its own deadline; only when that succeeds does the real request go out.
 */
import { connect } from 'node:net'

export type ProbeResult = { kind: 'ok' } | { kind: 'error'; reason: 'connect_timeout' | 'network'; message: string }

export function probeConnect(url: URL, timeoutMs: number): Promise<ProbeResult> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ kind: 'error', reason: 'connect_timeout', message: `no connection to ${url.host} within ${timeoutMs} ms` })
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ kind: 'ok' })
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ kind: 'error', reason: 'network', message: `cannot connect to ${url.host}: ${err.message}` })
    })
  })
}
