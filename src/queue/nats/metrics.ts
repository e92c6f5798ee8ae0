/** Per-instance metrics of the shared store: partitions owned, lease changes, publish latency, JetStream errors. */
import { Counter, Gauge, Histogram, type Registry } from '../../observability/prom'

export interface NatsMetrics {
  owned: Gauge
  leaseChanges: Counter<'change'>
  publishSeconds: Histogram
  errors: Counter<'op'>
}

export function createNatsMetrics(register: Registry): NatsMetrics {
  const registers = [register]
  return {
    owned: new Gauge({ name: 'mcp_nats_partitions_owned', help: 'Partitions of the shared stream this instance holds the lease for.', registers }),
    leaseChanges: new Counter({ name: 'mcp_nats_lease_changes_total', help: 'Partition leases acquired, lost (taken by another instance) or released.', labelNames: ['change'], registers }),
    publishSeconds: new Histogram({
      name: 'mcp_nats_publish_seconds',
      help: 'Time from a commit to JetStream acknowledging all its events.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    errors: new Counter({ name: 'mcp_nats_errors_total', help: 'Failed JetStream / NATS operations by operation.', labelNames: ['op'], registers }),
  }
}
