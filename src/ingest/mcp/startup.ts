/**
 * What /mcp needs at start, before its routes (and Elysia and the MCP SDK) load on the first
 * request: secrets registered for redaction, configuration warnings logged once, and the MCP
 * counters registered so /metrics shows them from the first scrape.
 */
import type { Registry } from '../../observability/prom'
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import { createMcpMetrics } from './metrics'

export interface McpToken {
  token: string
  ilertKey: string
  name: string
}

/** mcp.tokens with their ilert key resolved (the token's own, else ilert.api_key). */
export function mcpTokens(config: Config): McpToken[] {
  return config.mcp.tokens.map((t, i) => ({ token: t.token, ilertKey: t.ilert_api_key || config.ilert.api_key, name: t.name ?? `token ${i + 1}` }))
}

export function prepareMcp(config: Config, log: Logger, register: Registry): void {
  if (!config.mcp.enabled) return
  for (const t of config.mcp.tokens) for (const s of [t.token, t.ilert_api_key ?? '']) log.redact(s)
  for (const t of mcpTokens(config)) {
    if (t.ilertKey === '') log.warn('An mcp.tokens entry has no ilert key (neither ilert_api_key nor ilert.api_key): its ilert tools will fail; send_event works.', { name: t.name })
  }
  if (config.mcp.allow_anonymous && config.auth.tokens.length + config.auth.admin_tokens.length > 0) {
    log.warn('mcp.allow_anonymous is ignored because auth.tokens is set: /mcp callers must present a token or an ilert user API key.')
  } else if (config.mcp.allow_anonymous && !['127.0.0.1', '::1', 'localhost'].includes(config.listen.address)) {
    log.warn('mcp.allow_anonymous is on and listen.address is not loopback: anyone who reaches /mcp acts with ilert.api_key.', { address: config.listen.address })
  }
  createMcpMetrics(register)
}
