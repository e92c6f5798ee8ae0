/** Heartbeat counters on the bridge's registry: proxied pings and the bridge's own, by outcome. */
import * as client from '../../observability/prom'

export type PingKind = 'proxy' | 'own'
export type PingOutcome = 'forwarded' | 'coalesced' | 'failed' | 'invalid_key'

export function heartbeatCounter(register: client.Registry): client.Counter<'kind' | 'outcome'> {
  const name = 'mcp_heartbeat_pings_total'
  return (
    (register.getSingleMetric(name) as client.Counter<'kind' | 'outcome'> | undefined) ??
    new client.Counter({ name, help: 'Heartbeat pings: proxied for devices (kind=proxy) and the bridge\'s own (kind=own), by outcome.', labelNames: ['kind', 'outcome'], registers: [register] })
  )
}
