/** Shared helpers for the simulator tests: start on port 0, post events over real sockets. */
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/simulator'

export const KEY = 'il1api-sim-test-0001'

export async function startSim(opts: SimulatorOptions = {}): Promise<Simulator & { base: string }> {
  const sim = createSimulator({ port: 0, ...opts })
  const { url } = await sim.start()
  return Object.assign(sim, { base: url })
}

export function post(base: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  })
}

export const alert = (alertKey?: string, extra: Record<string, unknown> = {}) => ({
  integrationKey: KEY,
  eventType: 'ALERT',
  summary: `summary ${alertKey ?? 'keyless'}`,
  ...(alertKey === undefined ? {} : { alertKey }),
  ...extra,
})

export const ev = (eventType: string, alertKey: string, extra: Record<string, unknown> = {}) => ({ integrationKey: KEY, eventType, alertKey, ...extra })

/** The seeded org's user API key (ilert's REST API needs one; see src/simulator/seed-org.ts). */
export const USER_KEY = 'sim-user-key'

export async function getJson(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${USER_KEY}` } })
  return { status: res.status, body: await res.json() }
}

/** Sleeps until just after the next epoch multiple of `windowMs`, so a burst fits in one window. */
export async function nextWindow(windowMs: number): Promise<void> {
  await Bun.sleep(windowMs - (Date.now() % windowMs) + 5)
}
