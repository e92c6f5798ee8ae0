/**
 * What to do with an ilert answer: one pure function from (status or transport error) to a tagged
 * decision whose reason doubles as the metric label. Follows ilert's spec ("Do NOT retry 400"),
 * its throttle doc (429 until the next window, no Retry-After) and ilagent's 404 handling.
 */
export type SendResult =
  | { kind: 'status'; status: number; message?: string; correlationId?: string }
  | { kind: 'error'; reason: 'timeout' | 'network' | 'connect_timeout'; message: string }

export type Decision =
  | { kind: 'success'; reason: 'ok' }
  | { kind: 'retry'; reason: RetryReason }
  | { kind: 'rate_limited'; reason: 'status_429' }
  | { kind: 'fail'; reason: FailReason }

export type RetryReason = `status_${number}` | 'timeout' | 'connect_timeout' | 'network'
export type FailReason = `status_${number}` | 'attempts_exhausted'

export function decide(result: SendResult): Decision {
  if (result.kind === 'error') return { kind: 'retry', reason: result.reason }
  const s = result.status
  if (s >= 200 && s < 300) return { kind: 'success', reason: 'ok' }
  if (s === 429) return { kind: 'rate_limited', reason: 'status_429' }
  // 408 (request timeout) and 5xx other than 501 (not implemented) are transient.
  if (s === 408 || (s >= 500 && s !== 501)) return { kind: 'retry', reason: `status_${s}` }
  // 400 invalid event, 404 unknown key/URL, 401/403/413/422 and the rest: retrying cannot help.
  return { kind: 'fail', reason: `status_${s}` }
}

export interface BackoffPolicy {
  maxAttempts: number
  baseMs: number
  maxMs: number
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))],
 * floored at a tenth of the base so a retry never fires immediately.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.max(policy.baseMs / 10, random() * ceiling)
}

/**
 * Delay after a 429. ilert sends no Retry-After; its windows are fixed, most likely aligned to the
 * clock, so wait for the next boundary plus the margin (at least 1 s).
 */
export function rateLimitDelay(now: number, windowMs: number, marginMs: number): number {
  const nextWindow = Math.ceil((now + 1) / windowMs) * windowMs
  return Math.max(Math.min(1000, windowMs), nextWindow - now + marginMs)
}
