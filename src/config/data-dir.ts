/**
 * The default queue.path: a data directory that is writable where the bridge is deployed, chosen
 * from the environment the loader is given (never process.env directly):
 *   1. $STATE_DIRECTORY (systemd's StateDirectory=; the first entry if it lists several);
 *   2. $XDG_STATE_HOME/mcp-ilert, else $HOME/.local/state/mcp-ilert (a user running it by hand);
 *   3. /var/lib/mcp-ilert (no usable HOME: a service account). The container image sets
 *      MCP_ILERT_QUEUE_PATH=/var/lib/mcp-ilert, its declared volume.
 * An explicit queue.path (file or MCP_ILERT_QUEUE_PATH) always wins; a relative one is resolved
 * against the working directory, as before.
 */
import { isAbsolute, join } from 'node:path'

export const SYSTEM_DATA_DIR = '/var/lib/mcp-ilert'

export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.STATE_DIRECTORY?.split(':')[0]
  if (state && isAbsolute(state)) return state
  const xdg = env.XDG_STATE_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mcp-ilert')
  const home = env.HOME
  if (home && isAbsolute(home) && home !== '/') return join(home, '.local', 'state', 'mcp-ilert')
  return SYSTEM_DATA_DIR
}
