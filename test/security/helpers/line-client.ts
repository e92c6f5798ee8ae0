/**
 * A reply-collecting NDJSON client over node:net or node:tls, for the security tests: TLS
 * options (CA, client certificate, protocol versions) and the peer certificate are what these
 * tests need, and node:tls exposes them plainly.
 */
import net from 'node:net'
import tls from 'node:tls'

export interface LineClient {
  replies: Record<string, unknown>[]
  readonly closed: boolean
  /** TLS only: the server certificate's subject CN. */
  peerCN(): string | undefined
  write(text: string): void
  waitFor(what: string, ok: (replies: Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>
  waitForClose(timeoutMs?: number): Promise<number>
  end(): void
  destroy(): void
}

export type Connect = { port: number; host?: string } & ({ tls?: undefined } | { tls: tls.ConnectionOptions })

export function connectLines(opts: Connect): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const host = opts.host ?? '127.0.0.1'
    const sock: net.Socket | tls.TLSSocket = opts.tls
      ? tls.connect({ host, port: opts.port, servername: 'localhost', ...opts.tls }, () => resolve(client))
      : net.connect(opts.port, host, () => resolve(client))
    const replies: Record<string, unknown>[] = []
    let text = ''
    let closed = false
    let closedAt = 0
    const waiters = new Set<() => void>()
    const notify = () => {
      for (const w of [...waiters]) w()
    }
    const opened = Date.now()
    sock.on('data', (d) => {
      text += d.toString('utf8')
      let nl: number
      while ((nl = text.indexOf('\n')) !== -1) {
        replies.push(JSON.parse(text.slice(0, nl)) as Record<string, unknown>)
        text = text.slice(nl + 1)
      }
      notify()
    })
    sock.on('close', () => {
      closed = true
      closedAt = Date.now()
      notify()
    })
    sock.on('error', (e) => {
      if (!closed && replies.length === 0 && Date.now() - opened < 50) reject(e)
    })
    const until = (what: string, ok: () => boolean, timeoutMs: number) =>
      new Promise<void>((res, rej) => {
        if (ok()) return res()
        const w = () => {
          if (!ok()) return
          clearTimeout(timer)
          waiters.delete(w)
          res()
        }
        const timer = setTimeout(() => {
          waiters.delete(w)
          rej(new Error(`timed out waiting for ${what}; replies: ${JSON.stringify(replies.slice(-5))}, closed: ${closed}`))
        }, timeoutMs)
        waiters.add(w)
      })
    const client: LineClient = {
      replies,
      get closed() {
        return closed
      },
      peerCN: () => (sock instanceof tls.TLSSocket ? (sock.getPeerCertificate().subject?.CN as string | undefined) : undefined),
      write: (t) => void sock.write(t),
      waitFor: (what, ok, timeoutMs = 5000) => until(what, () => ok(replies), timeoutMs),
      async waitForClose(timeoutMs = 5000) {
        await until('close', () => closed, timeoutMs)
        return closedAt - opened
      },
      end: () => void sock.end(),
      destroy: () => void sock.destroy(),
    }
  })
}

/** A TLS handshake attempt: resolves with the negotiated protocol, or the error message. */
export function tlsProbe(port: number, options: tls.ConnectionOptions): Promise<{ ok: true; protocol: string | null; cn?: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      resolve({ ok: true, protocol: s.getProtocol(), cn: s.getPeerCertificate().subject?.CN as string | undefined })
      s.end()
    })
    s.on('error', (e) => resolve({ ok: false, error: e.message }))
  })
}

export const ackOf = (r: Record<string, unknown>[]) => r.filter((x) => 'ack' in x).at(-1) as { ack: number; accepted: number; rejected: number } | undefined
export const errorsOf = (r: Record<string, unknown>[]) => r.filter((x) => 'error' in x).map((x) => x.error as { line?: number; reason: string; message?: string })
