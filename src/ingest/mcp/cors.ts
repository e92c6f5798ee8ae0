/**
 * CORS for browser clients on origins listed in mcp.allowed_origins (and loopback, which the
 * origin guard already admits): the preflight (OPTIONS) is answered before auth, since browsers
 * send it without credentials, and every answer to an admitted Origin carries
 * Access-Control-Allow-Origin plus the MCP headers a browser client must be able to read.
 * Requests without an Origin (server-side clients) get no CORS headers at all.
 */
const ALLOW_HEADERS = 'authorization, content-type, accept, mcp-protocol-version, mcp-session-id, mcp-method, mcp-name, last-event-id'
const EXPOSE_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate, retry-after'

export interface Cors {
  preflight(req: Request): Response
  wrap(req: Request, res: Response): Response
}

/** The guard has already rejected foreign origins, so any Origin seen here is admitted. */
export function createCors(_allowedOrigins: readonly string[]): Cors {
  const stamp = (origin: string | null, headers: Headers) => {
    headers.append('vary', 'Origin')
    if (origin === null) return
    headers.set('access-control-allow-origin', origin)
    headers.set('access-control-expose-headers', EXPOSE_HEADERS)
  }
  return {
    preflight(req) {
      const headers = new Headers({ allow: 'POST, OPTIONS' })
      const origin = req.headers.get('origin')
      stamp(origin, headers)
      if (origin !== null) {
        headers.set('access-control-allow-methods', 'POST, OPTIONS')
        headers.set('access-control-allow-headers', ALLOW_HEADERS)
        headers.set('access-control-max-age', '600')
      }
      return new Response(null, { status: 204, headers })
    },
    wrap(req, res) {
      const origin = req.headers.get('origin')
      if (origin === null) return res
      const out = new Response(res.body, res)
      stamp(origin, out.headers)
      return out
    },
  }
}
