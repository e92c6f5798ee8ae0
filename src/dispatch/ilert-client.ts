/**
 * HTTP client for ilert's Events API: POST {api_url}/api/events, one event per request, the
 * integration key in the body (ilert's contract; no Authorization header). Any 2xx is success;
 * the `correlation-id` header is returned for logging; the error body's message is kept for the
 * dead letters. Never throws: every outcome is a SendResult.
 */
import { maskUrlCredentials } from '../security/url-credentials'
import type { IlertEventBody } from '../pipeline/ilert-event'
import type { SendResult } from './retry-policy'
import { probeConnect } from './connect-probe'

export interface IlertClientOptions {
  apiUrl: string
  userAgent: string
  connectTimeoutMs: number
  timeoutMs: number
}

export interface IlertClient {
  sendEvent(body: IlertEventBody): Promise<SendResult>
}

/** After this long without an answer the origin counts as cold again and is probed. */
const WARM_MS = 30_000

export function createIlertClient(opts: IlertClientOptions): IlertClient {
  const url = new URL('/api/events', opts.apiUrl.endsWith('/') ? opts.apiUrl : opts.apiUrl + '/')
  const endpoint = url.toString()
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': opts.userAgent }
  let warmUntil = 0

  return {
    async sendEvent(body) {
      if (performance.now() > warmUntil) {
        const probe = await probeConnect(url, opts.connectTimeoutMs)
        if (probe.kind === 'error') return probe
      }
      let res: Response
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs),
        })
      } catch (err) {
        warmUntil = 0
        const e = err as Error
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          return { kind: 'error', reason: 'timeout', message: `no answer within ${opts.timeoutMs} ms` }
        }
        return { kind: 'error', reason: 'network', message: maskUrlCredentials(e.message) }
      }
      warmUntil = performance.now() + WARM_MS
      const correlationId = res.headers.get('correlation-id') ?? undefined
      if (res.status >= 200 && res.status < 300) {
        // ilert's 202 carries no content; drain whatever there is so the connection is reused.
        await res.arrayBuffer().catch(() => undefined)
        return { kind: 'status', status: res.status, correlationId }
      }
      const message = await readErrorMessage(res)
      return { kind: 'status', status: res.status, message, correlationId }
    },
  }
}

/** ilert errors are {status, message, code, ...}; fall back to a bounded slice of the raw text. */
async function readErrorMessage(res: Response): Promise<string> {
  let text = ''
  try {
    text = await res.text()
  } catch {
    return `HTTP ${res.status}`
  }
  try {
    const j = JSON.parse(text) as { message?: unknown; code?: unknown }
    if (typeof j.message === 'string') return typeof j.code === 'string' ? `${j.code}: ${j.message}` : j.message
  } catch {
    /* not JSON */
  }
  return text.slice(0, 500) || `HTTP ${res.status}`
}
