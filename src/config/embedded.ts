/**
 * Decides whether the app should start the bundled ilert simulator instead of talking to ilert.
 *
 * True when the config names no ilert key at all (ilert.api_key, ilert.integration_key and
 * ilert.webhook_key are all empty) AND ilert.api_url was not set explicitly, by the file or the
 * environment (ILERT_API_URL / MCP_ILERT_ILERT_API_URL). So `mcp-ilert` with no config is a working
 * local demo, while any key, or any explicit URL (even the default one), means "the real thing":
 * with a URL but no key, events are rejected for missing keys rather than silently simulated.
 * The caller then starts the simulator and points ilert.api_url at it.
 */
import type { Config } from './schema'
import type { ConfigSources } from './load'

export function usesEmbeddedSimulator(config: Config, sources: Pick<ConfigSources, 'values'>): boolean {
  const { api_key, integration_key, webhook_key } = config.ilert
  const noKey = api_key === '' && integration_key === '' && webhook_key === ''
  return noKey && sources.values['ilert.api_url'] === undefined
}
