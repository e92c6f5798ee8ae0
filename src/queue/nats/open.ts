/**
 * Opens the shared store: connects to NATS (TLS and credentials from nats.*), makes sure the
 * stream (file storage, bounded by nats.max_bytes, refusing new messages when full) and its KV
 * buckets exist, refuses a nats.partitions that differs from the stream's, then joins the fleet.
 */
import { hostname } from 'node:os'
import { connect } from '@nats-io/transport-node'
import type { NatsConnection } from '@nats-io/nats-core'
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { Config } from '../../config/schema'
import type { RateShape } from '../../dispatch/lanes'
import type { Registry } from '../../observability/prom'
import { createNatsMetrics } from './metrics'
import { NatsDeadLetters } from './nats-dead-letters'
import { NatsStore, type NatsStoreOptions } from './nats-store'

export interface OpenedNats {
  store: NatsStore
  deadLetters: NatsDeadLetters
  nc: NatsConnection
}

export async function openNatsStore(
  n: Config['nats'],
  capacity: number,
  maxMemoryBytes: number,
  rate: RateShape,
  register: Registry,
  log: NatsStoreOptions['log'],
): Promise<OpenedNats> {
  const instance = n.instance || `${hostname()}-${process.pid}`
  const tls = n.tls_ca_file || n.tls_cert_file ? { ...(n.tls_ca_file ? { caFile: n.tls_ca_file } : {}), ...(n.tls_cert_file ? { certFile: n.tls_cert_file, keyFile: n.tls_key_file } : {}) } : undefined
  const servers = n.servers.split(',').map((x) => x.trim()).filter((x) => x !== '')
  let nc: NatsConnection
  try {
    nc = await connect({
      servers,
      name: `mcp-ilert ${instance}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...(n.user ? { user: n.user, pass: n.password } : {}),
      ...(n.token ? { token: n.token } : {}),
      ...(tls ? { tls } : {}),
    })
  } catch (err) {
    throw new Error(`nats.servers ${servers.join(', ')}: cannot connect: ${(err as Error).message}`)
  }
  try {
    const jsm = await jetstreamManager(nc)
    const want = {
      name: n.stream,
      subjects: [`${n.stream}.p.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      max_bytes: n.max_bytes,
      num_replicas: n.replicas,
      duplicate_window: 120_000_000_000,
    }
    const info = await jsm.streams.info(n.stream).catch(() => undefined)
    if (info === undefined) await jsm.streams.add(want)
    else if (info.config.max_bytes !== n.max_bytes || info.config.num_replicas !== n.replicas) await jsm.streams.update(n.stream, { max_bytes: n.max_bytes, num_replicas: n.replicas })
    const js = jetstream(nc)
    const kvm = new Kvm(js)
    const leases = await kvm.create(`${n.stream}_LEASES`, { history: 1, replicas: n.replicas })
    const deadKv = await kvm.create(`${n.stream}_DEAD`, { history: 1, replicas: n.replicas })
    const layout = await leases.get('layout')
    if (layout === null || layout.operation !== 'PUT') await leases.create('layout', JSON.stringify({ partitions: n.partitions })).catch(() => undefined)
    const fixed = JSON.parse((await leases.get('layout'))!.string()) as { partitions: number }
    if (fixed.partitions !== n.partitions) {
      throw new Error(`nats.partitions is ${n.partitions} but stream ${n.stream} was created with ${fixed.partitions}; every instance must use ${fixed.partitions} (a new count needs a new nats.stream)`)
    }
    const metrics = createNatsMetrics(register)
    const store = new NatsStore({
      nc,
      js,
      jsm,
      kv: leases,
      stream: n.stream,
      partitions: n.partitions,
      leaseMs: n.lease_seconds * 1000,
      instance,
      capacity,
      maxMemoryBytes,
      publishTimeoutMs: n.publish_timeout_seconds * 1000,
      rate,
      metrics,
      log,
    })
    const deadLetters = new NatsDeadLetters(deadKv)
    await deadLetters.open()
    store.beforeRemove = () => deadLetters.flushed()
    await store.start()
    return { store, deadLetters, nc }
  } catch (err) {
    await nc.close().catch(() => undefined)
    throw err
  }
}
