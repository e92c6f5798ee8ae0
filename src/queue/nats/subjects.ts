/**
 * Where an event lives in the shared stream: `<stream>.p.<partition>.<source>.<lane>`. The
 * partition is a stable hash of the integration key mod nats.partitions, so every event of one
 * alert source (and so of one alert key) is in one partition, in publish order. The source token
 * is a digest of the integration key (a secret never appears in a subject); the lane token is the
 * lane key itself (base64url), so one subject holds exactly one lane and a delivered call is
 * removed from the stream by purging its subject up to the call's last sequence.
 */
import { fnv1a, sha256Text } from '../../security/digest'

/** FNV-1a (32 bit) of the integration key: stable across processes, versions and platforms. */
export function partitionOf(integrationKey: string, partitions: number): number {
  return fnv1a(integrationKey) % partitions
}

/** 96 bits of SHA-256: names a source in subjects and KV keys without showing the key. */
export function sourceToken(integrationKey: string): string {
  return sha256Text(integrationKey, 'base64url').slice(0, 16)
}

/** A keyed lane's subject token; '_' for events without an alert key (one lane per message). */
export function laneToken(laneKey: string): string {
  return laneKey === '' ? '_' : Buffer.from(laneKey).toString('base64url')
}

export function partitionSubject(stream: string, p: number): string {
  return `${stream}.p.${p}.>`
}

export function eventSubject(stream: string, p: number, source: string, lane: string): string {
  return `${stream}.p.${p}.${source}.${lane}`
}
