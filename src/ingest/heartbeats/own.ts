/**
 * The bridge's own heartbeat: while the bridge is healthy (started, accepting, store not failing)
 * it pings GET {ping base}/api/pings/{heartbeat.key} every heartbeat.interval_seconds, so ilert
 * alerts when the bridge itself goes silent. The first ping goes out at start. Outcomes are counted
 * in mcp_heartbeat_pings_total{kind="own"}; the key is never logged.
 */
import type { Config } from '../../config/schema'
import type { Logger } from '../../observability/logger'
import type * as client from '../../observability/prom'
import { heartbeatCounter } from './metrics'
import { heartbeatTargets } from './proxy'

export interface OwnHeartbeat {
  stop(): void
}

export function startOwnHeartbeat(cfg: Config, register: client.Registry, log: Logger, healthy: () => boolean): OwnHeartbeat | undefined {
  const key = cfg.heartbeat.key
  if (key === '') return undefined
  const url = `${heartbeatTargets(cfg).ping}/api/pings/${encodeURIComponent(key)}`
  const pings = heartbeatCounter(register)
  let inFlight = false
  const beat = async () => {
    if (inFlight || !healthy()) return
    inFlight = true
    try {
      const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(cfg.ilert.timeout_seconds * 1000) })
      await res.arrayBuffer().catch(() => undefined)
      pings.labels('own', res.ok ? 'forwarded' : 'failed').inc()
      if (!res.ok) log.warn('own heartbeat ping refused by ilert', { status: res.status })
    } catch (err) {
      pings.labels('own', 'failed').inc()
      log.warn('own heartbeat ping failed', { error: (err as Error).name })
    } finally {
      inFlight = false
    }
  }
  void beat()
  const timer = setInterval(() => void beat(), cfg.heartbeat.interval_seconds * 1000)
  timer.unref?.()
  log.info('own heartbeat on', { interval_seconds: cfg.heartbeat.interval_seconds })
  return { stop: () => clearInterval(timer) }
}
