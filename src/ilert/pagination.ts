/**
 * ilert's REST pagination caps, per endpoint (ilert-api reference 2.4). ilert answers 400 when
 * max-results exceeds an endpoint's cap instead of clamping, so every list call goes through
 * `clampPage` and can never overshoot. The alert log-entries cap is undocumented: the documented
 * default (50) is used as the ceiling.
 */
export const PAGE_CAPS = {
  alerts: { def: 50, max: 100 },
  alertLogEntries: { def: 50, max: 50 },
  incidents: { def: 10, max: 100 },
  services: { def: 10, max: 100 },
  onCalls: { def: 50, max: 250 },
  schedules: { def: 20, max: 20 },
  escalationPolicies: { def: 50, max: 50 },
  users: { def: 50, max: 100 },
  teams: { def: 50, max: 100 },
  alertSources: { def: 50, max: 50 },
  statusPages: { def: 25, max: 50 },
  heartbeatMonitors: { def: 100, max: 200 },
  maintenanceWindows: { def: 50, max: 100 },
} as const

export type PagedEndpoint = keyof typeof PAGE_CAPS

export type Page = {
  'start-index': number
  'max-results': number
}

/** start-index ≥ 0, and max-results within 1..cap (the endpoint's default when not given). */
export function clampPage(endpoint: PagedEndpoint, startIndex?: number, maxResults?: number): Page {
  const cap = PAGE_CAPS[endpoint]
  const start = Math.max(0, Math.floor(startIndex ?? 0))
  const max = Math.min(cap.max, Math.max(1, Math.floor(maxResults ?? cap.def)))
  return { 'start-index': start, 'max-results': max }
}
