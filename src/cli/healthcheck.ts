/**
 * `mcp-ilert healthcheck [--config FILE] [--timeout SECONDS]`: asks the running bridge's /healthz on
 * the port and scheme its config says (listen.port, https when tls.cert_file is set), so a container
 * HEALTHCHECK or a supervisor probe follows the config instead of a fixed URL. The certificate is not
 * verified: the probe talks to 127.0.0.1, which a served certificate rarely names.
 * Exit 0 healthy, 1 not answering or unhealthy, 2 usage or configuration error.
 */
import { loadConfig } from '../config/load'
import type { CliIo } from './io'

export const HEALTHCHECK_USAGE = 'Usage: mcp-ilert healthcheck [--config FILE] [--timeout SECONDS]\n'

export function healthUrl(listen: { address: string; port: number }, tls: boolean): string {
  const host = listen.address === '0.0.0.0' || listen.address === '::' ? '127.0.0.1' : listen.address.includes(':') ? `[${listen.address}]` : listen.address
  return `${tls ? 'https' : 'http'}://${host}:${listen.port}/healthz`
}

export async function runHealthcheck(argv: string[], io: CliIo): Promise<number> {
  let file: string | undefined
  let timeoutS = 3
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const next = argv[i + 1]
    if ((a === '--config' || a === '-c') && next) {
      file = next
      i++
    } else if (a === '--timeout' && next && Number(next) > 0) {
      timeoutS = Number(next)
      i++
    } else {
      io.stderr.write(`mcp-ilert healthcheck: unexpected argument "${a}"\n${HEALTHCHECK_USAGE}`)
      return 2
    }
  }
  const r = loadConfig({ ...(file !== undefined ? { file } : {}), env: io.env })
  if (r.kind === 'error') {
    io.stderr.write(`mcp-ilert: invalid configuration: ${r.message}\n`)
    return 2
  }
  const url = healthUrl(r.config.listen, Boolean(r.config.tls.cert_file))
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutS * 1000), tls: { rejectUnauthorized: false } })
    if (res.ok) {
      io.stdout.write(`healthy: ${url}\n`)
      return 0
    }
    io.stderr.write(`unhealthy: ${url} answered ${res.status}\n`)
  } catch (e) {
    io.stderr.write(`unhealthy: ${url}: ${(e as Error).message}\n`)
  }
  return 1
}
