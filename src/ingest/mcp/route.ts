/**
 * /mcp on the bridge's HTTP listener: MCP Streamable HTTP (revisions 2025-03-26, 2025-06-18,
 * 2025-11-25) in stateless JSON-response mode. Per request, in this order: Host/Origin guard
 * (403), method (GET/DELETE/others → 405, no server stream to offer), bearer auth (401 with
 * WWW-Authenticate; an ilert key is confirmed with ilert first, see auth.ts), then a fresh transport + server handles the POST and answers the status
 * codes the spec gives for malformed requests (406, 415, 400 -32700, ...).
 */
import { Elysia } from 'elysia'
import type { Config } from '../../config/schema'
import { createRestCache } from '../../ilert/rest-cache'
import { createIlertRest, type IlertRest, type RestOutcome } from '../../ilert/rest-client'
import { createAuditor } from '../../observability/audit'
import type { Logger } from '../../observability/logger'
import type { Metrics } from '../../observability/metrics'
import { createNormalizer } from '../../pipeline/normalize'
import { USER_AGENT } from '../../version'
import type { TokenVerifier } from '../../security/tokens'
import type { Ingestor } from '../accept'
import type { McpHttpHandler } from '@modelcontextprotocol/server'
import { authInfoFor, callerOf, createAuthenticator, type Caller } from './auth'
import { createCors } from './cors'
import { createOAuthServer, OAUTH_PATHS, type OAuthServer } from './oauth/server'
import { checkEnvelope } from './envelope'
import { createKeyChecker } from './key-check'
import { webAppBase, webLink } from './links'
import { createMcpMetrics } from './metrics'
import { mcpTokens } from './startup'
import { createOriginGuard } from './origin-guard'
import { toolsFor } from './tools/index'


import type { ToolContext } from './tools/types'

type Sdk = typeof import('./sdk-runtime')

export interface McpRouteDeps {
  config: Config
  ingestor: Ingestor
  log: Logger
  metrics: Metrics
  /** The ingest tokens (auth.tokens): they authenticate /mcp too. */
  verifier: TokenVerifier
  /** Tests inject a client with a short window; default: a real one at config.ilert.api_url. */
  rest?: IlertRest
}

const rpcError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers })

export function createMcpRoutes(deps: McpRouteDeps) {
  const { config, log } = deps
  const plugin = new Elysia({ name: 'mcp' })
  if (!config.mcp.enabled) return plugin
  const mcpCfg = config.mcp
  const tokens = mcpTokens(config)
  const guard = createOriginGuard({ listenAddress: config.listen.address, allowedHosts: mcpCfg.allowed_hosts, allowedOrigins: mcpCfg.allowed_origins })
  const rest =
    deps.rest ??
    createIlertRest({ apiUrl: config.ilert.api_url, userAgent: USER_AGENT, timeoutMs: config.ilert.timeout_seconds * 1000, perMinute: mcpCfg.rest_per_minute })
  const oauthRef: { server?: OAuthServer } = {}
  const auth = createAuthenticator({
    tokens,
    ingestTokens: deps.verifier,
    acceptIlertKeys: mcpCfg.accept_ilert_keys,
    allowAnonymous: mcpCfg.allow_anonymous,
    defaultIlertKey: config.ilert.api_key,
    checkKey: createKeyChecker(rest),
    ...(mcpCfg.oauth.enabled ? { oauth: { lookup: (t: string) => oauthRef.server!.store.lookupAccess(t), resourceOf: (r: Request) => oauthRef.server!.resourceOf(r) } } : {}),
  })
  const oauth = mcpCfg.oauth.enabled ? (oauthRef.server = createOAuthServer({ config, log, auth, bridgeTokens: tokens.length > 0 })) : undefined
  const normalizer = createNormalizer(config.mapping, config.ilert.integration_key || config.ilert.webhook_key)
  const metrics = createMcpMetrics(deps.metrics.register)
  const tools = toolsFor(mcpCfg.read_only)
  const link = webLink(webAppBase(config.ilert.api_url, mcpCfg.web_url))
  // Catalog reads (services, for search) are kept 30 s per key: statuses shown may lag that much.
  const cached = createRestCache(rest, { ttlMs: 30_000 })
  const noKey = (): Promise<RestOutcome<never>> =>
    Promise.resolve({ kind: 'error', reason: 'unauthorized', message: 'No ilert API key: connect with "Authorization: Bearer <ilert user API key>" (or configure ilert.api_key for this bridge token).' })

  const contextFor = (caller: Caller): ToolContext => ({
    ilert: (req) => (caller.ilertKey === '' ? noKey() : rest.call(caller.ilertKey, req)),
    ilertCached: (req) => (caller.ilertKey === '' ? noKey() : cached.call(caller.ilertKey, req)),
    ingestor: deps.ingestor,
    normalizer,
    link,
    now: Date.now,
    audit: createAuditor(log, caller),
  })

  // The SDK loads on the first MCP request (see sdk-runtime.ts), not at start. Both eras share
  // one server factory, so the tools, schemas and annotations cannot drift apart: 2026-07-28
  // requests go to the SDK's per-request handler, 2025-era ones to a stateless JSON transport.
  const factory = (caller: Caller, sdk: Sdk) => sdk.buildMcpServer(tools, contextFor(caller), metrics)
  let loaded: Promise<{ sdk: Sdk; modern: McpHttpHandler }> | undefined
  const runtime = () =>
    (loaded ??= import('./sdk-runtime').then((sdk) => ({
      sdk,
      modern: sdk.createMcpHandler((rc) => factory(callerOf(rc.authInfo), sdk), { legacy: 'reject', responseMode: 'auto', maxRequestBodySize: config.listen.max_body_bytes }),
    })))
  const serveLegacy = async (sdk: Sdk, request: Request, body: unknown, caller: Caller) => {
    const transport = new sdk.WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    const server = factory(caller, sdk)
    await server.connect(transport)
    try {
      return await transport.handleRequest(request, { parsedBody: body })
    } finally {
      void server.close().catch(() => undefined)
    }
  }
  const cors = createCors(mcpCfg.allowed_origins)

  const handle = async (request: Request): Promise<Response> => {
    const g = guard(request)
    if (g.kind === 'denied') {
      metrics.refused.labels(g.reason).inc()
      return rpcError(403, -32000, g.message)
    }
    // A browser's preflight carries no credentials: answer it before auth (origin already checked).
    if (request.method === 'OPTIONS') return cors.preflight(request)
    if (request.method !== 'POST') {
      metrics.refused.labels('method').inc()
      return cors.wrap(request, rpcError(405, -32000, 'Method not allowed: this server is stateless and takes POST only.', { allow: 'POST' }))
    }
    const a = await auth(request)
    if (a.kind === 'unverifiable') {
      metrics.refused.labels('key_unverifiable').inc()
      return cors.wrap(request, rpcError(503, -32000, a.message, { 'retry-after': '5' }))
    }
    if (a.kind === 'denied') {
      metrics.refused.labels(a.reason).inc()
      const error = a.reason === 'missing' ? undefined : { code: 'invalid_token', description: a.message }
      const challenge = oauth !== undefined ? oauth.challenge(request, error) : error === undefined ? 'Bearer realm="mcp-ilert"' : `Bearer realm="mcp-ilert", error="invalid_token", error_description="${error.description}"`
      return cors.wrap(request, rpcError(401, -32001, a.message, { 'www-authenticate': challenge }))
    }
    const env = await checkEnvelope(request, config.listen.max_body_bytes)
    if (env.kind === 'rejected') {
      metrics.refused.labels(env.reason).inc()
      return cors.wrap(request, env.response)
    }
    const { sdk, modern } = await runtime()
    const res = (await sdk.isLegacyRequest(request, env.body))
      ? await serveLegacy(sdk, request, env.body, a.caller)
      : await modern.fetch(request, { parsedBody: env.body, authInfo: authInfoFor(a.caller) })
    return cors.wrap(request, res)
  }

  const handleOAuth = async (request: Request): Promise<Response> => {
    const g = guard(request, true)
    if (g.kind === 'denied') {
      metrics.refused.labels(g.reason).inc()
      return Response.json({ error: 'invalid_request', error_description: g.message }, { status: 403 })
    }
    return oauth!.handle(request)
  }

  plugin.all('/mcp', ({ request }) => handle(request), { parse: 'none' })
  if (oauth !== undefined) for (const path of OAUTH_PATHS) plugin.all(path, ({ request }) => handleOAuth(request), { parse: 'none' })
  return plugin
}
