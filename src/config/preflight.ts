/**
 * Checks a loaded Config against the machine it is about to run on, and reports every problem at
 * once: what would stop the start (errors: a TLS file missing or unreadable, also the MQTT and
 * NATS clients' CA, certificate and key files, queue.path not writable) and what would start but
 * not do what the user likely expects (warnings: no ilert key).
 * Used by `--check-config` (all of them, exit 2 on an error) and before every start (the first
 * error is the one line the bridge exits with).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { loadTls } from '../security/tls'
import type { Config } from './schema'

export interface Problem {
  severity: 'error' | 'warning'
  /** The config key the problem is about, e.g. "queue.path". */
  key: string
  message: string
}

const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EROFS') return 'read-only file system'
  if (code === 'ENOTDIR') return 'a parent is not a directory'
  return code ?? (e as Error).message
}

/**
 * queue.path must be a writable directory, or creatable (the store creates it): then its nearest
 * existing parent must be a writable directory. Nothing is created here.
 */
function checkDataDir(path: string): string | undefined {
  let dir = resolve(path)
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  const missing = dir !== resolve(path)
  try {
    if (!statSync(dir).isDirectory()) return missing ? `${dir} is not a directory` : 'exists and is not a directory'
    accessSync(dir, constants.W_OK | constants.X_OK)
    return undefined
  } catch (e) {
    return missing ? `cannot create it in ${dir}: ${why(e)}` : why(e)
  }
}

function checkReadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK)
    return statSync(file).isFile() ? undefined : 'not a regular file'
  } catch (e) {
    return why(e)
  }
}

/** A CA bundle must hold at least one PEM certificate (a TLS library says only "Invalid CA"). */
function checkPemCertificates(file: string): string | undefined {
  return readFileSync(file, 'utf8').includes('-----BEGIN CERTIFICATE-----') ? undefined : 'it holds no PEM certificate: no "-----BEGIN CERTIFICATE-----" line'
}

export function preflight(config: Config, opts: { embedded: boolean }): Problem[] {
  const problems: Problem[] = []
  const error = (key: string, message: string) => problems.push({ severity: 'error', key, message })
  const warn = (key: string, message: string) => problems.push({ severity: 'warning', key, message })

  if (config.queue.durable) {
    const bad = checkDataDir(config.queue.path)
    if (bad) error('queue.path', `queue.path ${config.queue.path} is not a writable directory (${bad}): set queue.path or MCP_ILERT_QUEUE_PATH to one the bridge's user can write`)
  }

  const tls = config.tls
  let filesOk = true
  for (const key of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const file = tls[key]
    if (!file) continue
    const bad = checkReadable(file)
    if (bad) {
      filesOk = false
      error(`tls.${key}`, `tls.${key}: cannot read ${file} (${bad})`)
    }
  }
  if (filesOk && tls.cert_file && tls.key_file) {
    const r = loadTls(tls)
    if (r.kind === 'error') error('tls', r.message)
  }

  // The clients' own files: read at start, where a missing one was "ENOENT ... open '/x'" naming no key.
  const clientFiles: [string, string][] = []
  if (config.mqtt.url !== '' && config.mqtt.ca_file !== '') clientFiles.push(['mqtt.ca_file', config.mqtt.ca_file])
  if (config.queue.backend === 'nats') {
    for (const key of ['tls_ca_file', 'tls_cert_file', 'tls_key_file'] as const) if (config.nats[key] !== '') clientFiles.push([`nats.${key}`, config.nats[key]])
  }
  for (const [key, file] of clientFiles) {
    const bad = checkReadable(file) ?? (key.endsWith('ca_file') ? checkPemCertificates(file) : undefined)
    if (bad) error(key, `${key}: cannot use ${file} (${bad})`)
  }

  if (opts.embedded) warn('ilert.integration_key', 'no ilert key and no ilert.api_url: events go to the bundled ilert simulator, not to ilert')
  else if (!config.ilert.integration_key && !config.ilert.webhook_key) {
    warn('ilert.integration_key', 'no ilert.integration_key (or ILERT_INTEGRATION_KEY): only events that carry their own integration_key can be delivered')
  }
  return problems
}
