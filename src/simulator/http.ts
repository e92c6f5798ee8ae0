/**
 * Response helpers in ilert's error shape `{status, message, code}` (ilert's RestError plus the
 * `code` its clients branch on), and query-parameter parsing shared by the simulator's routes.
 */

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'KEY_ERROR',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  412: 'PRECONDITION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
}

export function errorCode(status: number): string {
  return CODES[status] ?? 'ERROR'
}

/** `{status, message, code}` with the given status; extra headers (e.g. correlation-id) optional. */
export function ilertError(status: number, message?: string, headers?: Record<string, string>): Response {
  const body = JSON.stringify({ status, message: message ?? DEFAULT_MESSAGES[status] ?? errorCode(status), code: errorCode(status) })
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } })
}

export function json(value: unknown, status = 200): Response {
  return Response.json(value, { status })
}

/**
 * A non-negative integer query parameter: `fallback` when absent, a 400 Response when malformed or above `max`.
 * Names the parameter in the message, as ilert's 400s do.
 */
export function intParam(q: URLSearchParams, name: string, fallback: number, max?: number): number | Response {
  const raw = q.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) return ilertError(400, `'${name}' must be a non-negative integer`)
  if (max !== undefined && n > max) return ilertError(400, `'${name}' must not be above ${max}`)
  return n
}

/** Values of a repeatable parameter, also tolerating comma-separated lists (`states=PENDING,ACCEPTED`). */
export function listParam(q: URLSearchParams, name: string): string[] {
  const out: string[] = []
  for (const v of q.getAll(name)) for (const part of v.split(',')) if (part.trim() !== '') out.push(part.trim())
  return out
}

/** Resolves after `ms`, or early when `signal` aborts (the client went away). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
