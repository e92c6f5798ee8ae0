/**
 * Which config values are secrets (masked in --check-config and the CLI help, never logged), apart
 * from schema.ts so that the code which masks them does not load TypeBox.
 */
/** Dotted paths of every value that is a secret: masked in --check-config, never logged. */
export const SECRET_PATHS = ['ilert.api_key', 'ilert.integration_key', 'ilert.webhook_key', 'metrics.token', 'syslog.integration_key', 'mqtt.password', 'heartbeat.key', 'nats.password', 'nats.token'] as const

/** Lists whose every item is a secret (auth.tokens): masked item by item, never logged. */
export const SECRET_LISTS = ['auth.tokens', 'auth.admin_tokens'] as const

/** Secret fields inside list entries: list path → the entry fields that are secrets (see mask.ts). */
export const SECRET_LIST_FIELDS: Readonly<Record<string, readonly string[]>> = { 'mcp.tokens': ['token', 'ilert_api_key'], 'dispatch.storm.source_names': ['integration_key'] }
