/** Heartbeat counters on the bridge's registry: proxied pings and the bridge's own, by outcome (label sets pre-created at 0). */
import * as client from '../../observability/prom'

export type PingKind = 'proxy' | 'own'
export type PingOutcome = 'forwarded' | 'coalesced' | 'failed' | 'invalid_key'

const KINDS: PingKind[] = ['proxy', 'own']
const OUTCOMES: PingOutcome[] = ['forwarded', 'coalesced', 'failed', 'invalid_key']

export function heartbeatCounter(register: client.Registry): client.Counter<'kind' | 'outcome'> {
  const name = 'mcp_heartbeat_pings_total'
  const existing = register.getSingleMetric(name) as client.Counter<'kind' | 'outcome'> | undefined
  if (existing) return existing
  const c = new client.Counter({ name, help: "Heartbeat pings: proxied for devices (kind=proxy) and the bridge's own (kind=own), by outcome.", labelNames: ['kind', 'outcome'], registers: [register] })
  for (const k of KINDS) for (const o of OUTCOMES) c.labels(k, o).inc(0)
  return c
}
