// Operator feedback for failing deliveries: info lines with alert key and reason, one per reason per
// interval (the next says how many were folded in), and an outage's start and end.
import { expect, test } from 'bun:test'
import { createRetryLog } from '../../src/dispatch/retry-log'
import { createMemoryLogger } from '../../src/observability/logger'

const lines = (log: { lines: string[] }) => log.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
const s503 = { kind: 'status' as const, status: 503, message: 'unavailable' }

test('an outage: one warn when it starts, retries at info rate-limited per reason, one info when it ends', () => {
  const log = createMemoryLogger('info')
  let t = 0
  const r = createRetryLog(log, 10_000, () => t)
  r.retry('status_503', 'abc-123', 1, 2000, s503)
  r.retry('status_503', 'def-456', 1, 2000, s503) // folded: same reason within 10 s
  r.retry('network', 'ghi-789', 2, 4000, { kind: 'error', reason: 'network', message: 'ECONNREFUSED' })
  t = 10_000
  r.retry('status_503', 'abc-123', 2, 4000, s503)
  t = 25_000
  r.delivered()
  r.delivered() // nothing to say: no outage
  expect(lines(log).map(({ time: _, ...rest }) => rest)).toEqual([
    { level: 'warn', msg: 'Deliveries to ilert are failing; events stay queued and are retried.', reason: 'status_503', lastAnswer: 'HTTP 503: unavailable' },
    { level: 'info', msg: 'Delivery to ilert failed, will retry.', reason: 'status_503', alertKey: 'abc-123', attempts: 1, retryInMs: 2000, lastAnswer: 'HTTP 503: unavailable' },
    { level: 'info', msg: 'Delivery to ilert failed, will retry.', reason: 'network', alertKey: 'ghi-789', attempts: 2, retryInMs: 4000, lastAnswer: 'ECONNREFUSED' },
    { level: 'info', msg: 'Delivery to ilert failed, will retry.', reason: 'status_503', alertKey: 'abc-123', attempts: 2, retryInMs: 4000, lastAnswer: 'HTTP 503: unavailable', similarSinceLastLine: 1 },
    { level: 'info', msg: 'ilert accepts deliveries again.', failedAttempts: 4, outageSeconds: 25 },
  ])
})
