/**
 * The bridge as its own OAuth 2.1 authorization server for /mcp, so hosted connectors (claude.ai,
 * Claude Desktop, ChatGPT) that take OAuth and no pasted bearer can sign in:
 * - RFC 9728 protected resource metadata, pointed to from every 401's WWW-Authenticate;
 * - RFC 8414 authorization server metadata;
 * - dynamic client registration (RFC 7591, public clients) and client ID metadata documents (an
 *   https client_id whose JSON document the bridge fetches, bounded);
 * - the authorization code flow with PKCE S256 only, redirect URIs matched exactly, the RFC 8707
 *   `resource` bound into every grant (a token works for this /mcp only);
 * - short-lived access tokens, rotating refresh tokens, RFC 7009 revocation.
 * The sign-in page asks for an ilert user API key (checked with ilert via GET /api/users/current)
 * or a bridge token; the resulting token acts with exactly that credential's permissions. No key
 * appears in a token, URL or log: tokens are random, stored by digest, the key sealed (store.ts).
 */
import type { Config } from '../../../config/schema'
import type { Logger } from '../../../observability/logger'
import { readBounded } from '../../http/body'
import type { Authenticator } from '../auth'
import { errorPage, PAGE_HEADERS, signInPage } from './sign-in-page'
import { createSecretBox, newToken, pkceMatches, PREFIX } from './secrets'
import { createOAuthStore, type ClientRecord, type GrantSubject, type OAuthStore } from './store'

export { OAUTH_PATHS } from './paths'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const MAX_FORM_BYTES = 16 * 1024
const MAX_SIGN_IN_ATTEMPTS = 5

const json = (body: unknown, status = 200, extra: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*', ...extra } })
const oauthError = (error: string, description: string, status = 400) => json({ error, error_description: description }, status)
const page = (html: string, status: number) => new Response(html, { status, headers: PAGE_HEADERS })

export interface OAuthServerDeps {
  config: Config
  log: Logger
  auth: Authenticator
  /** Bridge tokens are configured: the sign-in page offers them too. */
  bridgeTokens: boolean
  /** Fetches a client ID metadata document (tests may point it at a local server). */
  fetchDocument?: (url: string) => Promise<Response>
}

export interface OAuthServer {
  store: OAuthStore
  /** Base URL of the bridge as clients see it (mcp.oauth.issuer_url, else from the guarded Host). */
  issuerOf(req: Request): string
  resourceOf(req: Request): string
  /** The WWW-Authenticate value for a 401 on /mcp. */
  challenge(req: Request, error?: { code: string; description: string }): string
  handle(req: Request): Promise<Response>
}

export function createOAuthServer(deps: OAuthServerDeps): OAuthServer {
  const o = deps.config.mcp.oauth
  const store = createOAuthStore({
    accessTtlMs: o.access_token_ttl_seconds * 1000,
    refreshTtlMs: o.refresh_token_ttl_seconds * 1000,
    codeTtlMs: 60_000,
    maxClients: o.max_clients,
    box: createSecretBox(),
  })
  const redirectHosts = new Set(o.allowed_redirect_hosts.map((h) => h.toLowerCase()))
  const attempts = new Map<string, number>()
  const fetchDocument = deps.fetchDocument ?? ((url: string) => fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } }))

  const issuerOf = (req: Request) => (o.issuer_url !== '' ? o.issuer_url.replace(/\/+$/, '') : new URL(req.url).origin)
  const resourceOf = (req: Request) => `${issuerOf(req)}/mcp`
  const prmUrl = (req: Request) => `${issuerOf(req)}/.well-known/oauth-protected-resource/mcp`

  /** https anywhere (or only on mcp.oauth.allowed_redirect_hosts), http on loopback, or a private-use scheme of a native app. */
  function redirectProblem(uri: string): string | undefined {
    let u: URL
    try {
      u = new URL(uri)
    } catch {
      return `redirect URI is not a URL: ${uri.slice(0, 200)}`
    }
    if (u.hash !== '') return 'redirect URI must not have a fragment'
    const host = u.hostname.toLowerCase()
    if (u.protocol === 'http:') return LOOPBACK.has(host) ? undefined : 'redirect URI must use https (http only on loopback)'
    if (u.protocol === 'https:') return redirectHosts.size === 0 || redirectHosts.has(host) || LOOPBACK.has(host) ? undefined : `redirect host ${host} is not in mcp.oauth.allowed_redirect_hosts`
    if (['javascript:', 'data:', 'file:', 'blob:', 'vbscript:'].includes(u.protocol)) return `redirect URI scheme ${u.protocol} is not allowed`
    return redirectHosts.size === 0 ? undefined : 'only https redirect URIs on mcp.oauth.allowed_redirect_hosts are allowed'
  }

  async function readForm(req: Request): Promise<URLSearchParams | undefined> {
    const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/x-www-form-urlencoded') return undefined
    try {
      return new URLSearchParams((await readBounded(req, MAX_FORM_BYTES)).text)
    } catch {
      return undefined
    }
  }

  /** A registered client, or a client ID metadata document fetched (and remembered) now. */
  async function clientFor(clientId: string): Promise<ClientRecord | { error: string }> {
    const known = store.client(clientId)
    if (known !== undefined) return known
    if (!clientId.startsWith('https://')) return { error: 'unknown client_id: register first (dynamic client registration) or use an https client ID metadata document' }
    let doc: any
    try {
      const res = await fetchDocument(clientId)
      if (!res.ok) return { error: `client metadata document answered ${res.status}` }
      const text = await res.text()
      if (text.length > 10_000) return { error: 'client metadata document is larger than 10 kB' }
      doc = JSON.parse(text)
    } catch (err) {
      return { error: `client metadata document could not be fetched: ${(err as Error).message.slice(0, 200)}` }
    }
    if (doc?.client_id !== clientId) return { error: 'client metadata document: client_id does not equal its URL' }
    const uris = Array.isArray(doc.redirect_uris) ? doc.redirect_uris.filter((u: unknown): u is string => typeof u === 'string') : []
    if (uris.length === 0) return { error: 'client metadata document has no redirect_uris' }
    for (const u of uris) {
      const p = redirectProblem(u)
      if (p !== undefined) return { error: `client metadata document: ${p}` }
    }
    return store.registerClient({ clientId, clientName: typeof doc.client_name === 'string' ? doc.client_name.slice(0, 100) : new URL(clientId).host, redirectUris: uris, metadataDocument: true })
  }

  const protectedResource = (req: Request) =>
    json({ resource: resourceOf(req), authorization_servers: [issuerOf(req)], bearer_methods_supported: ['header'], scopes_supported: ['mcp'], resource_name: 'mcp-ilert (ilert via MCP)' })

  const authorizationServer = (req: Request) => {
    const iss = issuerOf(req)
    return json({
      issuer: iss,
      authorization_endpoint: `${iss}/oauth/authorize`,
      token_endpoint: `${iss}/oauth/token`,
      registration_endpoint: `${iss}/oauth/register`,
      revocation_endpoint: `${iss}/oauth/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['mcp'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    })
  }

  async function register(req: Request): Promise<Response> {
    let body: any
    try {
      body = JSON.parse((await readBounded(req, MAX_FORM_BYTES)).text)
    } catch {
      return oauthError('invalid_client_metadata', 'the body must be a JSON object of client metadata (RFC 7591)')
    }
    const uris = body?.redirect_uris
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > 10 || !uris.every((u) => typeof u === 'string')) return oauthError('invalid_redirect_uri', 'redirect_uris must be a list of 1 to 10 URIs')
    for (const u of uris as string[]) {
      const p = redirectProblem(u)
      if (p !== undefined) return oauthError('invalid_redirect_uri', p)
    }
    const method = body.token_endpoint_auth_method ?? 'none'
    if (method !== 'none') return oauthError('invalid_client_metadata', 'only public clients (token_endpoint_auth_method "none", with PKCE) are supported')
    const grants: unknown[] = body.grant_types ?? ['authorization_code', 'refresh_token']
    if (!Array.isArray(grants) || grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) return oauthError('invalid_client_metadata', 'grant_types may hold authorization_code and refresh_token only')
    const name = typeof body.client_name === 'string' && body.client_name.trim() !== '' ? body.client_name.trim().slice(0, 100) : 'MCP client'
    const c = store.registerClient({ clientId: newToken(PREFIX.client), clientName: name, redirectUris: uris as string[], metadataDocument: false })
    deps.log.info('OAuth client registered.', { client: c.clientName, redirect_hosts: [...new Set((uris as string[]).map((u) => new URL(u).host))] })
    return json(
      { client_id: c.clientId, client_id_issued_at: c.issuedAt, client_name: c.clientName, redirect_uris: c.redirectUris, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' },
      201,
    )
  }

  const redirectWith = (redirectUri: string, params: Record<string, string | undefined>) => {
    const u = new URL(redirectUri)
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v)
    return new Response(null, { status: 302, headers: { location: u.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } })
  }

  async function authorizeGet(req: Request): Promise<Response> {
    const q = new URL(req.url).searchParams
    const clientId = q.get('client_id') ?? ''
    const redirectUri = q.get('redirect_uri') ?? ''
    // Until client and redirect URI are known good, errors are shown here, never redirected (RFC 6749 §4.1.2.1).
    if (clientId === '') return page(errorPage('The request has no client_id.'), 400)
    const client = await clientFor(clientId)
    if ('error' in client) return page(errorPage(`Unknown client: ${client.error}.`), 400)
    if (redirectUri === '' || !client.redirectUris.includes(redirectUri)) return page(errorPage('The redirect_uri is not one this client registered (it must match exactly).'), 400)
    const state = q.get('state') ?? undefined
    const fail = (error: string, description: string) => redirectWith(redirectUri, { error, error_description: description, state, iss: issuerOf(req) })
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code')
    const challenge = q.get('code_challenge') ?? ''
    if (q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'PKCE is required with code_challenge_method S256')
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)')
    const resource = q.get('resource') ?? resourceOf(req)
    if (resource.replace(/\/+$/, '') !== resourceOf(req)) return fail('invalid_target', `resource must be ${resourceOf(req)}`)
    const scope = q.get('scope') ?? undefined
    if (scope !== undefined && scope.split(' ').some((s) => s !== '' && s !== 'mcp')) return fail('invalid_scope', 'the only scope is "mcp"')
    const requestId = store.beginAuthorization({ clientId, redirectUri, codeChallenge: challenge, state, resource: resourceOf(req), scope })
    return page(signInPage({ requestId, clientName: client.clientName, redirectHost: new URL(redirectUri).host || redirectUri, bridgeTokens: deps.bridgeTokens }), 200)
  }

  async function authorizePost(req: Request): Promise<Response> {
    // A cross-site form post is not a sign-in (CSRF): the browser's Origin must be this bridge.
    const origin = req.headers.get('origin')
    if (origin !== null && origin !== new URL(issuerOf(req)).origin && origin !== new URL(req.url).origin) return page(errorPage('This form must be sent from the sign-in page.'), 403)
    const form = await readForm(req)
    const requestId = form?.get('request_id') ?? ''
    const credential = (form?.get('credential') ?? '').trim()
    const pending = store.pendingAuthorization(requestId)
    if (pending === undefined) return page(errorPage('This sign-in request expired or was already used. Start again from your MCP client.'), 400)
    const client = store.client(pending.clientId)
    const again = (error: string, status: number) =>
      page(signInPage({ requestId, clientName: client?.clientName ?? 'MCP client', redirectHost: new URL(pending.redirectUri).host, error, bridgeTokens: deps.bridgeTokens }), status)
    if (credential === '') return again('Enter a key.', 400)
    const r = await deps.auth.signIn(credential)
    if (r.kind === 'unverifiable') return again(`${r.message} Try again in a moment.`, 503)
    if (r.kind === 'denied') {
      if (attempts.size > 10_000) attempts.clear()
      const n = (attempts.get(requestId) ?? 0) + 1
      attempts.set(requestId, n)
      if (n >= MAX_SIGN_IN_ATTEMPTS) {
        attempts.delete(requestId)
        store.completeAuthorization(requestId, { kind: 'ilert_key' }, '') // burn the request; its code is never shown
        return redirectWith(pending.redirectUri, { error: 'access_denied', error_description: 'too many failed sign-in attempts', state: pending.state, iss: issuerOf(req) })
      }
      return again(r.message, 401)
    }
    attempts.delete(requestId)
    const subject: GrantSubject = r.caller.kind === 'bridge_token' ? { kind: 'bridge_token', name: r.caller.name } : { kind: 'ilert_key' }
    const done = store.completeAuthorization(requestId, subject, r.caller.ilertKey)
    if (done === undefined) return page(errorPage('This sign-in request expired. Start again from your MCP client.'), 400)
    deps.log.info('OAuth sign-in: authorization code issued.', { client: client?.clientName ?? pending.clientId, as: subject.kind === 'bridge_token' ? `bridge token ${subject.name}` : 'ilert user key' })
    return redirectWith(pending.redirectUri, { code: done.code, state: pending.state, iss: issuerOf(req) })
  }

  async function token(req: Request): Promise<Response> {
    const form = await readForm(req)
    if (form === undefined) return oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded')
    const clientId = form.get('client_id') ?? ''
    const client = clientId === '' ? undefined : store.client(clientId)
    if (client === undefined) return oauthError('invalid_client', 'unknown client_id', 401)
    const resource = form.get('resource')
    if (resource !== null && resource.replace(/\/+$/, '') !== resourceOf(req)) return oauthError('invalid_target', `resource must be ${resourceOf(req)}`)
    const grant = form.get('grant_type')
    if (grant === 'authorization_code') {
      const r = store.redeemCode(form.get('code') ?? '', clientId, form.get('redirect_uri') ?? '', (challenge) => pkceMatches(form.get('code_verifier') ?? '', challenge))
      if (r.kind !== 'ok') return oauthError('invalid_grant', r.message)
      return json({ ...r.tokens, scope: 'mcp' }, 200, { pragma: 'no-cache' })
    }
    if (grant === 'refresh_token') {
      const r = store.rotate(form.get('refresh_token') ?? '', clientId)
      if (r.kind !== 'ok') return oauthError('invalid_grant', r.message)
      return json({ ...r.tokens, scope: 'mcp' }, 200, { pragma: 'no-cache' })
    }
    return oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token')
  }

  async function revoke(req: Request): Promise<Response> {
    const form = await readForm(req)
    if (form === undefined || !form.get('token')) return oauthError('invalid_request', 'send token=<access or refresh token> as a form')
    store.revoke(form.get('token')!)
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*' } })
  }

  const preflight = () =>
    new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'content-type, authorization, mcp-protocol-version', 'access-control-max-age': '600' } })

  return {
    store,
    issuerOf,
    resourceOf,
    challenge(req, error) {
      const err = error ? `, error="${error.code}", error_description="${error.description.replace(/["\\]/g, '')}"` : ''
      return `Bearer realm="mcp-ilert", resource_metadata="${prmUrl(req)}", scope="mcp"${err}`
    },
    async handle(req) {
      const path = new URL(req.url).pathname
      if (req.method === 'OPTIONS' && path !== '/oauth/authorize') return preflight()
      switch (`${req.method} ${path}`) {
        case 'GET /.well-known/oauth-protected-resource':
        case 'GET /.well-known/oauth-protected-resource/mcp':
          return protectedResource(req)
        case 'GET /.well-known/oauth-authorization-server':
          return authorizationServer(req)
        case 'POST /oauth/register':
          return register(req)
        case 'GET /oauth/authorize':
          return authorizeGet(req)
        case 'POST /oauth/authorize':
          return authorizePost(req)
        case 'POST /oauth/token':
          return token(req)
        case 'POST /oauth/revoke':
          return revoke(req)
        default:
          return oauthError('invalid_request', `${req.method} is not allowed on ${path}`, 405)
      }
    },
  }
}
