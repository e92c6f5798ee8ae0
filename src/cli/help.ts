/**
 * `--help` text. The environment-variable list is generated from the config schema, so it is
 * always complete and never names a variable that does not exist.
 */
import { ENV_VARS, ILERT_ALIASES } from '../config/env'
import type { Leaf } from '../config/leaves'
import { SECRET_LIST_FIELDS, SECRET_LISTS, SECRET_PATHS } from '../config/secrets'
import { VERSION } from '../version'

function describeLeaf(leaf: Leaf): string {
  if ((SECRET_PATHS as readonly string[]).includes(leaf.dotted)) return 'secret'
  if (leaf.kind === 'record') return 'JSON object, replaces the map'
  if (leaf.kind === 'list') {
    const secret = Object.hasOwn(SECRET_LIST_FIELDS, leaf.dotted) || (SECRET_LISTS as readonly string[]).includes(leaf.dotted) ? '; holds secrets' : ''
    return leaf.stringItems ? `JSON list or a,b,c; default ${JSON.stringify(leaf.default)}${secret}` : `JSON list, default ${JSON.stringify(leaf.default)}${secret}`
  }
  const type = leaf.choices ? leaf.choices.join('|') : leaf.kind
  return leaf.default === undefined ? `${type}, unset` : `${type}, default ${JSON.stringify(leaf.default)}`
}

export function envTable(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.variable.length))
  const rows = ENV_VARS.map(({ variable, leaf }) => `  ${variable.padEnd(width)}  ${leaf.dotted} (${describeLeaf(leaf)})`)
  const aliases = Object.entries(ILERT_ALIASES).map(
    ([name, dotted]) => `  ${name.padEnd(width)}  ${dotted} (${name.startsWith('ILERT_') ? 'ilert convention' : 'short name'}; the MCP_ILERT_${dotted.replace('.', '_').toUpperCase()} name wins)`,
  )
  return [...rows, ...aliases].join('\n')
}

export function usageText(): string {
  return `mcp-ilert ${VERSION}: event bridge that delivers events to ilert

Usage:
  mcp-ilert [--config FILE]          run the bridge
  mcp-ilert --check-config FILE      validate FILE plus environment, print the effective config (secrets masked)
  mcp-ilert simulator [args...]      run the bundled ilert simulator
  mcp-ilert dead-letters list|replay|purge [--config FILE] [--id N|--all]
                                     inspect, replay or purge undeliverable events (durable store)
  mcp-ilert send [--url URL | --tcp HOST:PORT] --summary TEXT [--priority N] [--alert-key K] [--resolve] ...
                                  (or NDJSON events on stdin; exit 0 accepted, 3 rejected, 4 unreachable; send --help)
  mcp-ilert healthcheck [--config FILE]
                                     probe the running bridge's /healthz on its configured port and scheme
  mcp-ilert --help | --version

Options:
  -c, --config FILE        YAML config file (also --config=FILE). Without one: defaults plus environment.
      --check-config FILE  check a config and exit; alone, checks the --config file
  -h, --help               show this help
  -v, --version            print the version

Configuration:
  Precedence: environment variables > config file > built-in defaults.
  Every key a.b_c can be set as MCP_ILERT_A_B_C (dots to _, upper case), e.g.
    MCP_ILERT_LISTEN_PORT=8080  MCP_ILERT_TCP_ENABLED=false  MCP_ILERT_RATE_LIMIT_PER_MINUTE=120
  Maps take JSON: MCP_ILERT_MAPPING_PRIORITY_MAP='{"1":"critical","2":"high"}'. Empty variables are ignored.
  With no ilert key (api_key, integration_key, webhook_key) and no ilert.api_url set, events go to a
  bundled ilert simulator, not to ilert.
  queue.path (the durable queue) defaults to $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/mcp-ilert
  or ~/.local/state/mcp-ilert, else /var/lib/mcp-ilert; the start refuses one it cannot write.
  Every key, its default and what it does: examples/config.local.yaml. See also README.md, sections
  "Quick start" and "Configuration".

Exit codes: 0 ok, 1 runtime failure, 2 invalid usage or configuration (--check-config: any error),
  130 a second Ctrl-C forced the exit during the drain.

Environment variables:
${envTable()}
`
}
