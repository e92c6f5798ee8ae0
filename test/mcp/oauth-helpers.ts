/**
 * The OAuth flow as a connector drives it, over real sockets: register a client (RFC 7591), open
 * the authorization URL with a PKCE S256 challenge, post the sign-in form (as the browser would),
 * follow the redirect to the code, and exchange it at the token endpoint. Every response body and
 * header seen is kept, so a test can check that no ilert key leaked into any of them.
 */
import { createHash, randomBytes } from 'node:crypto'

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function createFlow(base: string) {
  const seen: string[] = []
  const record = async (res: Response) => {
    const text = await res.clone().text()
    seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`)
    return res
  }
  const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() }).then(record)

  return {
    seen,
    record,
    form,
    async register(redirectUris: string[], name = 'test connector') {
      const res = await record(await fetch(`${base}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: name, redirect_uris: redirectUris, token_endpoint_auth_method: 'none' }) }))
      return { res, body: (await res.json()) as any }
    },
    authorizeUrl(p: { clientId: string; redirectUri: string; challenge: string; state?: string; resource?: string; method?: string }) {
      const u = new URL(`${base}/oauth/authorize`)
      const q = { response_type: 'code', client_id: p.clientId, redirect_uri: p.redirectUri, code_challenge: p.challenge, code_challenge_method: p.method ?? 'S256', state: p.state ?? 'st-1', resource: p.resource ?? `${base}/mcp`, scope: 'mcp' }
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v)
      return u.toString()
    },
    async openSignIn(url: string) {
      const res = await record(await fetch(url, { redirect: 'manual' }))
      const html = await res.text()
      return { res, html, requestId: /name="request_id" value="([^"]+)"/.exec(html)?.[1] }
    },
    signIn(requestId: string, credential: string) {
      return form(`${base}/oauth/authorize`, { request_id: requestId, credential })
    },
    token(fields: Record<string, string>) {
      return form(`${base}/oauth/token`, fields)
    },
    /** register → authorize → sign in → code → tokens. */
    async full(credential: string, redirectUri = 'http://127.0.0.1:9/callback') {
      const { body: client } = await this.register([redirectUri])
      const { verifier, challenge } = pkce()
      const { requestId } = await this.openSignIn(this.authorizeUrl({ clientId: client.client_id, redirectUri, challenge }))
      const signed = await this.signIn(requestId!, credential)
      const location = new URL(signed.headers.get('location')!)
      const code = location.searchParams.get('code')!
      const tok = await this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: client.client_id, code_verifier: verifier, resource: `${base}/mcp` })
      return { client, code, verifier, redirectUri, location, tokens: (await tok.json()) as any }
    },
  }
}
