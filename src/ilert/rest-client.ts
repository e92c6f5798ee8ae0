/**
 * A real HTTP client (fetch) for ilert's REST API at `{api_url}/api`, used by the MCP tools with
 * the caller's user API key. It spends the key's REST budget before each call (waiting briefly
 * when a token frees up soon), applies a whole-request timeout, and turns every answer into a
 * tagged outcome: `ok` with the parsed JSON (and ETag), or `error` with a reason from ilert's
 * error semantics (401 missing header, 403 KEY_ERROR bad key, 404 not there for you, 429 budget)
 * and a message a model can act on. The key never appears in an outcome or a log line.
 */
import { RestBudget } from './rest-budget'

export type RestFailure =
  | 'unauthorized'
  | 'key_error'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'conflict'
  | 'precondition_failed'
  | 'plan_limit'
  | 'rate_limited'
  | 'budget_exhausted'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'bad_response'

export type RestOutcome<T> =
  | { kind: 'ok'; status: number; value: T; etag?: string }
  | { kind: 'error'; reason: RestFailure; status?: number; code?: string; message: string }

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[]

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path under /api, e.g. `/alerts/12/accept`. */
  path: string
  query?: Record<string, QueryValue>
  body?: unknown
  headers?: Record<string, string>
}

export interface IlertRest {
  call<T>(apiKey: string, req: RestRequest): Promise<RestOutcome<T>>
}

export interface IlertRestOptions {
  apiUrl: string
  userAgent: string
  timeoutMs: number
  perMinute: number
  /** Window of the per-key budget; 60 s for ilert (tests scale it). */
  windowMs?: number
  /** Longest a call waits for the key's budget before giving up with `budget_exhausted`. */
  maxWaitMs?: number
  fetch?: typeof fetch
}

export function buildUrl(base: string, path: string, query: Record<string, QueryValue> = {}): string {
  const url = new URL(`${base.replace(/\/+$/, '')}/api${path}`)
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item))
    else url.searchParams.set(k, String(v))
  }
  return url.toString()
}

export function createIlertRest(opts: IlertRestOptions): IlertRest {
  const windowMs = opts.windowMs ?? 60_000
  // A spent token stays spent one window plus a margin for clock skew (1 s for ilert's minute).
  const budget = new RestBudget(opts.perMinute, windowMs, windowMs / 60)
  const maxWaitMs = opts.maxWaitMs ?? 3_000
  const doFetch = opts.fetch ?? fetch
  return {
    async call<T>(apiKey: string, req: RestRequest): Promise<RestOutcome<T>> {
      for (;;) {
        const b = budget.take(apiKey, Date.now())
        if (b.kind === 'granted') break
        if (b.ms > maxWaitMs) {
          const secs = Math.ceil(b.ms / 1000)
          return { kind: 'error', reason: 'budget_exhausted', message: `This ilert API key has used its ${opts.perMinute} REST calls for this minute; retry in about ${secs} s.` }
        }
        await Bun.sleep(b.ms)
      }
      const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${apiKey}`, 'user-agent': opts.userAgent, ...req.headers }
      if (req.body !== undefined) headers['content-type'] = 'application/json'
      let res: Response
      try {
        res = await doFetch(buildUrl(opts.apiUrl, req.path, req.query), {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal: AbortSignal.timeout(opts.timeoutMs),
        })
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError'
        return timeout
          ? { kind: 'error', reason: 'timeout', message: `ilert did not answer within ${opts.timeoutMs / 1000} s; try again.` }
          : { kind: 'error', reason: 'network', message: 'Could not reach the ilert API (network error); try again later.' }
      }
      const text = await res.text().catch(() => '')
      if (res.status === 429) budget.exhaust(apiKey, Date.now())
      if (res.ok) return parseOk<T>(res, text)
      return failure(res.status, text, apiKey)
    },
  }
}

function parseOk<T>(res: Response, text: string): RestOutcome<T> {
  const etag = res.headers.get('etag') ?? undefined
  if (text === '') return { kind: 'ok', status: res.status, value: null as T, ...(etag ? { etag } : {}) }
  try {
    return { kind: 'ok', status: res.status, value: JSON.parse(text) as T, ...(etag ? { etag } : {}) }
  } catch {
    return { kind: 'error', reason: 'bad_response', status: res.status, message: 'ilert answered with something that is not JSON.' }
  }
}

const HINTS: Record<RestFailure, string> = {
  unauthorized: 'No API key reached ilert. Connect with "Authorization: Bearer <ilert user API key>".',
  key_error: 'ilert rejected the API key (unknown, revoked or malformed). Ask the user for a valid ilert user API key (ilert: Profile → API Keys).',
  forbidden: 'This user lacks the permission for that in ilert.',
  not_found: 'Not found, or not visible to this API key. Check the id (list the objects first).',
  bad_request: 'ilert refused the request as invalid; correct the arguments.',
  conflict: 'ilert refused the change in the current state.',
  precondition_failed: 'The object changed since it was read; read it again and retry.',
  plan_limit: "The ilert plan does not include this feature or its quota is used up; this won't succeed on retry.",
  rate_limited: 'ilert rate-limited this API key; wait a minute before retrying.',
  budget_exhausted: 'REST budget for this key is spent for this minute.',
  server_error: 'ilert had a server error; retry later.',
  timeout: 'ilert did not answer in time.',
  network: 'ilert could not be reached.',
  bad_response: 'ilert answered unexpectedly.',
}

function reasonFor(status: number, code: string | undefined): RestFailure {
  if (status === 401) return 'unauthorized'
  if (status === 403) return code === 'KEY_ERROR' ? 'key_error' : 'forbidden'
  if (status === 402) return 'plan_limit'
  if (status === 404) return 'not_found'
  if (status === 405 || status === 409) return 'conflict'
  if (status === 412) return 'precondition_failed'
  if (status === 429) return 'rate_limited'
  if (status >= 500) return 'server_error'
  return 'bad_request'
}

function failure<T>(status: number, text: string, apiKey: string): RestOutcome<T> {
  let code: string | undefined
  let detail: string | undefined
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown }
    if (typeof body.code === 'string') code = body.code
    if (typeof body.message === 'string') detail = body.message
  } catch {
    // not JSON: the status says enough
  }
  const reason = reasonFor(status, code)
  const said = detail ? ` ilert said: "${scrub(detail, apiKey).slice(0, 300)}".` : ''
  return { kind: 'error', reason, status, ...(code ? { code } : {}), message: `ilert answered ${status}${code ? ` ${code}` : ''}.${said} ${HINTS[reason]}` }
}

/** Defence in depth: never echo the caller's key, even if an upstream message contained it. */
function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[REDACTED]') : text
}
