/**
 * `--check-config` report: the effective configuration as YAML with secrets masked, where each
 * overridden value came from, and which ilert endpoint the bridge would talk to.
 */
import type { ConfigSources } from '../config/load'
import { usesEmbeddedSimulator } from '../config/embedded'
import { maskConfig } from '../config/mask'
import { maskUrlCredentials } from '../security/url-credentials'
import type { Config } from '../config/schema'
import { versionLine } from '../version'

export function checkReport(config: Config, sources: ConfigSources, errors = 0): string {
  const fromEnv = Object.entries(sources.values).flatMap(([path, src]) => (src.kind === 'env' ? [`${src.variable} -> ${path}`] : []))
  const target = usesEmbeddedSimulator(config, sources)
    ? 'the bundled ilert simulator (no ilert key and no ilert.api_url configured)'
    : maskUrlCredentials(config.ilert.api_url)
  const header = [
    `# ${versionLine()}: ${errors === 0 ? 'configuration OK' : `configuration valid, but ${errors} problem(s) would stop the start (see stderr)`}${sources.file ? ` (${sources.file})` : ' (no file: defaults and environment)'}`,
    '# Effective configuration, secrets masked.',
    `# Delivers to: ${target}`,
    `# Queue: ${config.queue.durable ? `durable, in ${config.queue.path}` : 'in memory (queue.durable is false)'}`,
    ...(fromEnv.length ? [`# From the environment: ${fromEnv.join(', ')}`] : []),
  ]
  return `${header.join('\n')}\n${(require('yaml') as typeof import('yaml')).stringify(maskConfig(config), { lineWidth: 0 })}`
}
