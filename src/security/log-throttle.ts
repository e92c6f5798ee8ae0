/**
 * Warnings an attacker can trigger at will (refused connections, failed authentication) would
 * otherwise let them fill the disk through the log. Per kind of event, at most one line per
 * interval is written; the next one says how many were suppressed in between. Counters in
 * /metrics still count every single one.
 */
import type { Logger } from '../observability/logger'

export type ThrottledWarn = (kind: string, msg: string, fields?: Record<string, unknown>) => void

export function throttleWarnings(log: Logger, intervalMs = 1000, now: () => number = Date.now): ThrottledWarn {
  const state = new Map<string, { last: number; suppressed: number }>()
  return (kind, msg, fields) => {
    const t = now()
    const s = state.get(kind)
    if (s !== undefined && t - s.last < intervalMs) {
      s.suppressed++
      return
    }
    const suppressed = s?.suppressed ?? 0
    state.set(kind, { last: t, suppressed: 0 })
    log.warn(msg, suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields)
  }
}
