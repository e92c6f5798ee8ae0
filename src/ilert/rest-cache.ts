/**
 * A short-lived cache of successful REST GETs for catalog data that changes rarely (services),
 * so a search does not spend a REST call on it every time. Entries are per API key, and the key is
 * held only as a SHA-256 hash, never as text. Bounded: beyond `maxEntries` the oldest entry goes.
 * Errors are never cached.
 */
import { buildUrl, type IlertRest, type RestOutcome, type RestRequest } from './rest-client'

export interface RestCache {
  call<T>(apiKey: string, req: RestRequest): Promise<RestOutcome<T>>
}

export function createRestCache(rest: IlertRest, opts: { ttlMs: number; maxEntries?: number; now?: () => number }): RestCache {
  const entries = new Map<string, { at: number; value: RestOutcome<unknown> }>()
  const max = opts.maxEntries ?? 1000
  const now = opts.now ?? Date.now
  return {
    async call<T>(apiKey: string, req: RestRequest): Promise<RestOutcome<T>> {
      if (req.method !== 'GET') return rest.call<T>(apiKey, req)
      const id = `${new Bun.CryptoHasher('sha256').update(apiKey).digest('hex')} ${buildUrl('http://x', req.path, req.query)}`
      const hit = entries.get(id)
      if (hit !== undefined && now() - hit.at < opts.ttlMs) return hit.value as RestOutcome<T>
      const value = await rest.call<T>(apiKey, req)
      entries.delete(id)
      if (value.kind === 'ok') {
        entries.set(id, { at: now(), value })
        if (entries.size > max) entries.delete(entries.keys().next().value!)
      }
      return value
    },
  }
}
