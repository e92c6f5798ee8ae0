/**
 * The security parts one running bridge shares between its listeners: the token verifier, the
 * per-peer failure limiter and the security counters, built once from the config. Also registers
 * every configured secret with the logger's redaction (a second line of defence: secrets are
 * never passed to the logger in the first place).
 */
import type { Registry } from '../observability/prom'
import { secretValues } from '../config/mask'
import type { Config } from '../config/schema'
import type { Logger } from '../observability/logger'
import { FailureLimiter } from './failures'
import { createSecurityMetrics, type SecurityMetrics } from './metrics'
import { createTokenVerifier, type TokenVerifier } from './tokens'

export interface SecurityContext {
  verifier: TokenVerifier
  failures: FailureLimiter
  metrics: SecurityMetrics
}

export function createSecurityContext(config: Config, log: Logger, register: Registry): SecurityContext {
  for (const s of secretValues(config)) log.redact(s)
  return {
    verifier: createTokenVerifier(config.auth.tokens, config.auth.admin_tokens),
    failures: new FailureLimiter({ maxDelayMs: config.auth.failure_delay_max_seconds * 1000 }),
    metrics: createSecurityMetrics(register),
  }
}
