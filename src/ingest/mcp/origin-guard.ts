/**
 * DNS-rebinding protection for /mcp (MCP transport spec; 2025-11-25: an invalid Origin MUST get
 * 403). The Host header must name loopback, the listen address, or a host in mcp.allowed_hosts;
 * an Origin header, when a browser sends one, must be a loopback origin or listed in
 * mcp.allowed_origins. Server-side clients (ChatGPT, mcp-remote, Inspector) send no Origin.
 */
export type GuardOutcome = { kind: 'allowed' } | { kind: 'denied'; reason: 'host' | 'origin'; message: string }

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '::1']

const hostnameOf = (v: string): string => {
  try {
    return new URL(v.includes('://') ? v : `http://${v}`).hostname.toLowerCase()
  } catch {
    return ''
  }
}

const originOf = (v: string): string => {
  try {
    return new URL(v).origin.toLowerCase()
  } catch {
    return ''
  }
}

export interface OriginGuardOptions {
  listenAddress: string
  allowedHosts: readonly string[]
  allowedOrigins: readonly string[]
}

/** `hostOnly` for the OAuth endpoints, which browsers reach from the bridge's own page or other sites' redirects. */
export function createOriginGuard(opts: OriginGuardOptions): (req: Request, hostOnly?: boolean) => GuardOutcome {
  const hosts = new Set([...LOOPBACK, ...opts.allowedHosts.map(hostnameOf)])
  if (opts.listenAddress !== '0.0.0.0' && opts.listenAddress !== '::') hosts.add(hostnameOf(opts.listenAddress.includes(':') && !opts.listenAddress.startsWith('[') ? `[${opts.listenAddress}]` : opts.listenAddress))
  const origins = new Set(opts.allowedOrigins.map(originOf).filter((o) => o !== '' && o !== 'null'))
  return (req, hostOnly = false) => {
    const host = req.headers.get('host') ?? ''
    if (!hosts.has(hostnameOf(host))) return { kind: 'denied', reason: 'host', message: `Invalid Host header: ${host.slice(0, 100) || '(none)'}` }
    const origin = req.headers.get('origin')
    if (origin === null || hostOnly) return { kind: 'allowed' }
    const o = originOf(origin)
    if (o !== '' && o !== 'null' && (LOOPBACK.includes(hostnameOf(o)) || origins.has(o))) return { kind: 'allowed' }
    return { kind: 'denied', reason: 'origin', message: `Invalid Origin: ${origin.slice(0, 100)}` }
  }
}
