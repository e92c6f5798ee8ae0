// OAuth 2.1 for hosted connectors, end to end on a real bridge and the simulator: discovery (RFC
// 9728 + RFC 8414, and the 401 pointing to it), the MCP SDK client's own OAuth support (dynamic
// registration, PKCE, token, tool call), a headless Chromium completing the sign-in page with the
// simulator's user key, and the refusals the specs define (wrong key, wrong redirect URI, replayed
// code, wrong verifier, wrong resource, expired, revoked and rotated-out tokens). Every log line
// and every response of these flows is searched for the ilert key.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { createFlow, pkce } from './oauth-helpers'
import { initialize, rpc, startMcpStack, USER_KEY, type McpStack } from './helpers'

/** Debian's chromium (no browser download): installed with apt when absent, else the test fails saying why. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const r = Bun.spawnSync(['apt-get', 'install', '-y', '-q', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdout: 'pipe', stderr: 'pipe' })
  if (!existsSync('/usr/bin/chromium')) throw new Error(`Debian's chromium is needed at /usr/bin/chromium and apt-get install chromium failed: ${r.stderr.toString().slice(-300)}`)
}

const INGEST_TOKEN = 'ingest-token-0123456789abcdef'
const BRIDGE_TOKEN = 'bridge-token-for-oauth-0123456789'

let stack: McpStack
let base: string
let flow: ReturnType<typeof createFlow>
beforeAll(async () => {
  // auth.tokens set: the OAuth endpoints must stay reachable, and anonymous /mcp stays off.
  stack = await startMcpStack({ auth: { tokens: [INGEST_TOKEN] }, mcp: { tokens: [{ token: BRIDGE_TOKEN, name: 'ops-bot', ilert_api_key: USER_KEY }] } })
  base = stack.mcpUrl.replace(/\/mcp$/, '')
  flow = createFlow(base)
})
afterAll(async () => {
  const everything = [...flow.seen, ...stack.log.lines].join('\n')
  expect(everything).not.toContain(USER_KEY)
  expect(everything).not.toContain(BRIDGE_TOKEN)
  await stack.closeAll()
})

const callTool = (token: string, id = 1) => rpc(stack.mcpUrl, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_alert', arguments: { id: 2 } } }, { authorization: `Bearer ${token}`, 'mcp-protocol-version': '2025-11-25' })

describe('discovery', () => {
  test('a 401 on /mcp points to the protected resource metadata, which names the bridge as authorization server', async () => {
    const res = await flow.record(await rpc(stack.mcpUrl, initialize(), { authorization: '' }))
    expect(res.status).toBe(401)
    const challenge = res.headers.get('www-authenticate')!
    const url = /resource_metadata="([^"]+)"/.exec(challenge)![1]!
    expect(url).toBe(`${base}/.well-known/oauth-protected-resource/mcp`)
    const prm = (await (await fetch(url)).json()) as any
    expect(prm).toMatchObject({ resource: `${base}/mcp`, authorization_servers: [base], bearer_methods_supported: ['header'] })
    const as = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as any
    expect(as.issuer).toBe(base)
    expect(as.code_challenge_methods_supported).toEqual(['S256'])
    expect(as.token_endpoint_auth_methods_supported).toEqual(['none'])
    expect(as.client_id_metadata_document_supported).toBe(true)
    for (const k of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint']) expect(as[k]).toStartWith(`${base}/oauth/`)
  })
})

/** An OAuth client provider held in memory, as a connector would keep it. */
class MemoryProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed
  saved?: OAuthTokens
  verifier = ''
  authUrl?: URL
  constructor(readonly redirect: string) {}
  get redirectUrl() {
    return this.redirect
  }
  get clientMetadata() {
    return { client_name: 'sdk-oauth-test', redirect_uris: [this.redirect], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }
  }
  clientInformation() {
    return this.info
  }
  saveClientInformation(i: OAuthClientInformationMixed) {
    this.info = i
  }
  tokens() {
    return this.saved
  }
  saveTokens(t: OAuthTokens) {
    this.saved = t
  }
  redirectToAuthorization(url: URL) {
    this.authUrl = url
  }
  saveCodeVerifier(v: string) {
    this.verifier = v
  }
  codeVerifier() {
    return this.verifier
  }
}

describe('the MCP SDK client with OAuth', () => {
  test('registers, authorizes with PKCE, signs in with the ilert key and calls a tool', async () => {
    const provider = new MemoryProvider('http://127.0.0.1:9/sdk-callback')
    const first = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider })
    await expect(new Client({ name: 'sdk-oauth', version: '0' }).connect(first)).rejects.toThrow(/Unauthorized/)
    expect(provider.info?.client_id).toStartWith('mcpi_client_')
    const auth = provider.authUrl!
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256')
    expect(auth.searchParams.get('resource')).toBe(`${base}/mcp`)
    // The person at the browser: the sign-in page, then the redirect back with the code.
    const { requestId } = await flow.openSignIn(auth.toString())
    const signed = await flow.signIn(requestId!, USER_KEY)
    expect(signed.status).toBe(302)
    const back = new URL(signed.headers.get('location')!)
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:9/sdk-callback')
    expect(back.searchParams.get('iss')).toBe(base)
    await first.finishAuth(back.searchParams.get('code')!)
    expect(provider.saved!.access_token).toStartWith('mcpi_at_')
    expect(provider.saved!.refresh_token).toStartWith('mcpi_rt_')
    const client = new Client({ name: 'sdk-oauth', version: '0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider }))
    try {
      const r = (await client.callTool({ name: 'get_alert', arguments: { id: 2 } })) as any
      expect(r.isError).not.toBe(true)
      expect(r.structuredContent.alert?.id ?? r.structuredContent.id).toBe(2)
    } finally {
      await client.close()
    }
  })
})

describe('headless Chromium on the sign-in page', () => {
  test('a wrong key shows an error, the simulator user key completes the flow, and the token calls tools', async () => {
    ensureChromium()
    const { chromium } = await import('playwright-core')
    let code: string | undefined
    // The connector's redirect target; the browser also asks it for /favicon.ico, which carries no code.
    const callback = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(req) {
        const u = new URL(req.url)
        if (u.pathname === '/callback') code = u.searchParams.get('code') ?? undefined
        return new Response('signed in')
      },
    })
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    try {
      const redirectUri = `http://127.0.0.1:${callback.port}/callback`
      const { body: client } = await flow.register([redirectUri], 'Chromium connector')
      const { verifier, challenge } = pkce()
      const page = await browser.newPage()
      await page.goto(flow.authorizeUrl({ clientId: client.client_id, redirectUri, challenge, state: 'browser-state' }))
      expect(await page.textContent('h1')).toContain('Chromium connector')
      await page.fill('#credential', 'not-a-valid-key')
      await page.click('#allow')
      expect(await page.textContent('[role=alert]')).toContain('ilert refused this API key')
      await page.fill('#credential', USER_KEY)
      await Promise.all([page.waitForURL(/\/callback\?/), page.click('#allow')])
      const landed = new URL(page.url())
      expect(landed.searchParams.get('state')).toBe('browser-state')
      expect(page.url()).not.toContain(USER_KEY)
      expect(code).toStartWith('mcpi_ac_')
      expect(landed.searchParams.get('code')).toBe(code!)
      const tok = (await (await flow.token({ grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri, client_id: client.client_id, code_verifier: verifier })).json()) as any
      expect(tok.token_type).toBe('Bearer')
      const res = await flow.record(await callTool(tok.access_token))
      expect(res.status).toBe(200)
      expect(((await res.json()) as any).result.isError).not.toBe(true)
    } finally {
      await browser.close()
      callback.stop(true)
    }
  }, 60_000)
})

describe('refusals', () => {
  test('wrong key: the form comes back with 401 and no code; no redirect', async () => {
    const { body: client } = await flow.register(['http://127.0.0.1:9/cb'])
    const { challenge } = pkce()
    const { requestId } = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: 'http://127.0.0.1:9/cb', challenge }))
    const res = await flow.signIn(requestId!, 'wrong-key-123')
    expect(res.status).toBe(401)
    expect(res.headers.get('location')).toBeNull()
    expect(await res.text()).toContain('ilert refused this API key')
  })

  test('a redirect URI that was not registered exactly is refused on the page, never redirected to', async () => {
    const { body: client } = await flow.register(['http://127.0.0.1:9/cb'])
    const { challenge } = pkce()
    for (const uri of ['http://127.0.0.1:9/cb/', 'http://127.0.0.1:9/other', 'https://evil.example/cb']) {
      const { res } = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: uri, challenge }))
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
    }
    const bad = await flow.register(['http://evil.example/cb'])
    expect(bad.res.status).toBe(400)
    expect(bad.body.error).toBe('invalid_redirect_uri')
  })

  test('PKCE is S256 only, the resource must be this /mcp, and a wrong verifier gets invalid_grant', async () => {
    const { body: client } = await flow.register(['http://127.0.0.1:9/cb'])
    const { challenge, verifier } = pkce()
    const plain = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: 'http://127.0.0.1:9/cb', challenge, method: 'plain' }))
    expect(new URL(plain.res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request')
    const other = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: 'http://127.0.0.1:9/cb', challenge, resource: 'https://elsewhere.example/mcp' }))
    expect(new URL(other.res.headers.get('location')!).searchParams.get('error')).toBe('invalid_target')
    const { requestId } = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: 'http://127.0.0.1:9/cb', challenge }))
    const code = new URL((await flow.signIn(requestId!, USER_KEY)).headers.get('location')!).searchParams.get('code')!
    const wrong = await flow.token({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9/cb', client_id: client.client_id, code_verifier: pkce().verifier })
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as any).error).toBe('invalid_grant')
    const right = await flow.token({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9/cb', client_id: client.client_id, code_verifier: verifier })
    expect(right.status).toBe(200)
  })

  test('a replayed code is invalid_grant and revokes the tokens issued for it', async () => {
    const f = await flow.full(USER_KEY)
    expect((await callTool(f.tokens.access_token)).status).toBe(200)
    const again = await flow.token({ grant_type: 'authorization_code', code: f.code, redirect_uri: f.redirectUri, client_id: f.client.client_id, code_verifier: f.verifier })
    expect(again.status).toBe(400)
    expect(((await again.json()) as any).error).toBe('invalid_grant')
    const after = await callTool(f.tokens.access_token)
    expect(after.status).toBe(401)
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  test('refresh tokens rotate; a rotated-out refresh token is invalid_grant and ends the grant', async () => {
    const f = await flow.full(USER_KEY)
    const r1 = (await (await flow.token({ grant_type: 'refresh_token', refresh_token: f.tokens.refresh_token, client_id: f.client.client_id })).json()) as any
    expect(r1.access_token).not.toBe(f.tokens.access_token)
    expect(r1.refresh_token).not.toBe(f.tokens.refresh_token)
    expect((await callTool(r1.access_token)).status).toBe(200)
    const reuse = await flow.token({ grant_type: 'refresh_token', refresh_token: f.tokens.refresh_token, client_id: f.client.client_id })
    expect(reuse.status).toBe(400)
    expect(((await reuse.json()) as any).error).toBe('invalid_grant')
    expect((await callTool(r1.access_token)).status).toBe(401)
  })

  test('revocation (RFC 7009) ends the grant: the access token gets 401 invalid_token', async () => {
    const f = await flow.full(USER_KEY)
    expect((await callTool(f.tokens.access_token)).status).toBe(200)
    const rev = await flow.form(`${base}/oauth/revoke`, { token: f.tokens.refresh_token })
    expect(rev.status).toBe(200)
    const after = await callTool(f.tokens.access_token)
    expect(after.status).toBe(401)
    expect(((await after.json()) as any).error.message).toContain('revoked')
  })

  test('a bridge token signs in too, and the grant acts as that token', async () => {
    const f = await flow.full(BRIDGE_TOKEN)
    expect(f.tokens.access_token).toStartWith('mcpi_at_')
    expect((await callTool(f.tokens.access_token)).status).toBe(200)
  })

  test('a sign-in form posted from another site is refused (CSRF); our own tokens are never sent to ilert as keys', async () => {
    const { body: client } = await flow.register(['http://127.0.0.1:9/cb'])
    const { requestId } = await flow.openSignIn(flow.authorizeUrl({ clientId: client.client_id, redirectUri: 'http://127.0.0.1:9/cb', challenge: pkce().challenge }))
    const res = await flow.form(`${base}/oauth/authorize`, { request_id: requestId!, credential: USER_KEY }, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(res.headers.get('location')).toBeNull()
    const f = await flow.full(USER_KEY)
    const misuse = await callTool(f.tokens.refresh_token)
    expect(misuse.status).toBe(401)
    // "Unknown bearer token" is decided locally; a key sent to ilert would be "ilert refused this API key".
    expect(((await misuse.json()) as any).error.message).toBe('Unknown bearer token.')
  })

  test('an unknown client_id (not registered, not an https metadata document) is refused on the page', async () => {
    const { res } = await flow.openSignIn(flow.authorizeUrl({ clientId: 'http://127.0.0.1:9/client.json', redirectUri: 'http://127.0.0.1:9/cb', challenge: pkce().challenge }))
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
  })
})

describe('mcp.oauth.enabled: false', () => {
  test('no metadata, no OAuth endpoints, and the 401 names no resource_metadata', async () => {
    const off = await startMcpStack({ mcp: { oauth: { enabled: false } } })
    try {
      const base = off.mcpUrl.replace(/\/mcp$/, '')
      expect((await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404)
      expect((await fetch(`${base}/oauth/register`, { method: 'POST', body: '{}' })).status).toBe(404)
      const res = await rpc(off.mcpUrl, initialize(), { authorization: '' })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp-ilert"')
    } finally {
      await off.closeAll()
    }
  })
})

describe('expiry', () => {
  test('an expired access token gets 401 invalid_token; the refresh token still works', async () => {
    const short = await startMcpStack({ mcp: { oauth: { access_token_ttl_seconds: 1 } } })
    try {
      const f2 = createFlow(short.mcpUrl.replace(/\/mcp$/, ''))
      const f = await f2.full(USER_KEY)
      await Bun.sleep(1100)
      const res = await rpc(short.mcpUrl, initialize(), { authorization: `Bearer ${f.tokens.access_token}` })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(((await res.json()) as any).error.message).toContain('expired')
      const r = await f2.token({ grant_type: 'refresh_token', refresh_token: f.tokens.refresh_token, client_id: f.client.client_id })
      expect(r.status).toBe(200)
      expect([...f2.seen, ...short.log.lines].join('\n')).not.toContain(USER_KEY)
    } finally {
      await short.closeAll()
    }
  })
})
