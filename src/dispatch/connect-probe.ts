/**
 * Connect timeout for the ilert client. Bun's fetch has no separate connect phase, so a blackholed
 * ilert would only show up when the whole request deadline passes. While the origin is "cold"
 * (no answer yet, or the last call failed at the transport), we first open a bare TCP connection
 * with its own deadline; only when that succeeds does the real request go out. Bun.connect rather
 * than node:net, whose module alone costs about 13 ms of every cold start.
 */
export type ProbeResult = { kind: 'ok' } | { kind: 'error'; reason: 'connect_timeout' | 'network'; message: string }

export function probeConnect(url: URL, timeoutMs: number): Promise<ProbeResult> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    let settled = false
    const finish = (r: ProbeResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    const failed = (err: Error) => finish({ kind: 'error', reason: 'network', message: `cannot connect to ${url.host}: ${err.message}` })
    const timer = setTimeout(() => finish({ kind: 'error', reason: 'connect_timeout', message: `no connection to ${url.host} within ${timeoutMs} ms` }), timeoutMs)
    Bun.connect({
      hostname,
      port,
      socket: {
        open(s) {
          s.end()
          finish({ kind: 'ok' })
        },
        data() {},
        error(_s, err) {
          failed(err)
        },
        connectError(_s, err) {
          failed(err)
        },
      },
    }).then(
      // Connected after the deadline: the probe already answered; just let the socket go.
      (s) => {
        if (settled) s.end()
      },
      (err: Error) => failed(err),
    )
  })
}
