/**
 * Security counters on the shared registry. Refusals for bounds (connections, requests, sizes)
 * go to mcp_rejected_events_total{transport,reason} with the other input refusals; failed
 * authentication has its own counter, so an alert on guessing does not drown in bad events.
 * Labels are fixed enums, never a token, an address or a certificate name.
 */
import { Counter, type Registry } from '../observability/prom'

export const AUTH_FAILURE_REASONS = ['missing', 'malformed', 'invalid', 'forbidden', 'timeout', 'untrusted_certificate'] as const
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number]
export type AuthTransport = 'http' | 'tcp' | 'metrics'

export interface SecurityMetrics {
  authFailures: Counter<'transport' | 'reason'>
  tlsReloads: Counter<'outcome'>
}

function counter<L extends string>(register: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = register.getSingleMetric(name)
  if (existing !== undefined) return existing as Counter<L>
  return new Counter({ name, help, labelNames, registers: [register] })
}

export function createSecurityMetrics(register: Registry): SecurityMetrics {
  const authFailures = counter(register, 'mcp_auth_failures_total', 'Failed inbound authentications, by transport and reason.', ['transport', 'reason'])
  // Every label set at 0 from the start, so an alert's increase() sees the first failure.
  for (const t of ['http', 'tcp', 'metrics'] as const) for (const r of AUTH_FAILURE_REASONS) authFailures.labels(t, r).inc(0)
  const tlsReloads = counter(register, 'mcp_tls_reloads_total', 'Certificate reloads on SIGHUP, by outcome (ok, error).', ['outcome'])
  for (const o of ['ok', 'error']) tlsReloads.labels(o).inc(0)
  return { authFailures, tlsReloads }
}
