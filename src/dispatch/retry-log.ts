/**
 * What an operator sees of failing deliveries at the default log level: retries at info with the
 * alert key and reason, at most one line per reason per interval (the next says how many were
 * folded in), and an outage as two lines: when deliveries start failing and when ilert answers
 * again. Counters in /metrics still count every retry.
 */
import type { Logger } from '../observability/logger'
import type { SendResult } from './retry-policy'

export interface RetryLog {
  retry(reason: string, alertKey: string | undefined, attempts: number, retryInMs: number, result: SendResult): void
  delivered(): void
}

const answer = (r: SendResult) => (r.kind === 'status' ? `HTTP ${r.status}${r.message ? `: ${r.message}` : ''}` : r.message)

export function createRetryLog(log: Logger, intervalMs = 10_000, now: () => number = Date.now): RetryLog {
  const last = new Map<string, { at: number; folded: number }>()
  let failingSince: number | undefined
  let failures = 0
  return {
    retry(reason, alertKey, attempts, retryInMs, result) {
      const t = now()
      if (failingSince === undefined) {
        failingSince = t
        log.warn('Deliveries to ilert are failing; events stay queued and are retried.', { reason, lastAnswer: answer(result) })
      }
      failures++
      const s = last.get(reason)
      if (s !== undefined && t - s.at < intervalMs) {
        s.folded++
        return
      }
      last.set(reason, { at: t, folded: 0 })
      const folded = s?.folded ?? 0
      log.info('Delivery to ilert failed, will retry.', { reason, alertKey, attempts, retryInMs: Math.round(retryInMs), lastAnswer: answer(result), ...(folded > 0 ? { similarSinceLastLine: folded } : {}) })
    },
    delivered() {
      if (failingSince === undefined) return
      log.info('ilert accepts deliveries again.', { failedAttempts: failures, outageSeconds: Math.round((now() - failingSince) / 1000) })
      failingSince = undefined
      failures = 0
      last.clear()
    },
  }
}
