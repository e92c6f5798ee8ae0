/**
 * Realistic events for the benchmarks: what a monitoring probe sends (about 160 bytes of NDJSON),
 * spread over a fixed set of alert keys, so the bridge sees repeats it can coalesce as in a real
 * deployment. Deterministic (seeded), so every run and every baseline gets the same bytes.
 */

const CHECKS = ['cpu', 'disk', 'memory', 'latency', 'errors', 'swap', 'load', 'inodes']
const SUMMARIES: Record<string, string> = {
  cpu: 'CPU usage above threshold',
  disk: 'Disk usage above threshold',
  memory: 'Memory usage above threshold',
  latency: 'HTTP p99 latency above SLO',
  errors: 'HTTP 5xx ratio above SLO',
  swap: 'Swap usage above threshold',
  load: 'Load average above threshold',
  inodes: 'Free inodes below threshold',
}

/** Tiny deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One ingest event for alert key number `k` (of `keys`), as an object with the bridge's field names. */
export function ingestEvent(k: number, rnd: () => number): Record<string, unknown> {
  const check = CHECKS[k % CHECKS.length]!
  const host = `web-${String(Math.floor(k / CHECKS.length)).padStart(4, '0')}`
  const value = 80 + Math.floor(rnd() * 20)
  return {
    mcp_id: `${host}-${check}`,
    source: `probe-${String(k % 32).padStart(2, '0')}`,
    priority: 1 + (k % 4),
    summary: SUMMARIES[check],
    details: `host: ${host}, ${check}: ${value}%`,
    tags: [check, 'prod'],
  }
}

/**
 * `count` NDJSON lines over `keys` alert keys, as one Buffer (cycled by senders). Alert events
 * only: state changes are the storm scenario's business.
 */
export function ingestBlock(count: number, keys: number, seed = 1): { buf: Buffer; lines: number; avgBytes: number } {
  const rnd = prng(seed)
  const parts: string[] = []
  for (let i = 0; i < count; i++) parts.push(JSON.stringify(ingestEvent(Math.floor(rnd() * keys), rnd)))
  const text = parts.join('\n') + '\n'
  const buf = Buffer.from(text)
  return { buf, lines: count, avgBytes: buf.length / count }
}

/** Bodies for HTTP: `n` bodies of `perBody` events (a single object when perBody is 1, else a JSON array). */
export function httpBodies(n: number, perBody: number, keys: number, seed = 2): string[] {
  const rnd = prng(seed)
  const out: string[] = []
  for (let b = 0; b < n; b++) {
    if (perBody === 1) out.push(JSON.stringify(ingestEvent(Math.floor(rnd() * keys), rnd)))
    else {
      const evs = []
      for (let i = 0; i < perBody; i++) evs.push(ingestEvent(Math.floor(rnd() * keys), rnd))
      out.push(JSON.stringify(evs))
    }
  }
  return out
}

/** Alertmanager's POST /api/v2/alerts body: the same content as ingestEvent, as a Prometheus alert. */
export function alertmanagerBodies(n: number, perBody: number, keys: number, seed = 2): string[] {
  const rnd = prng(seed)
  const one = (k: number) => {
    const e = ingestEvent(k, rnd)
    const [host, check] = [(e.mcp_id as string).slice(0, 8), (e.tags as string[])[0]!]
    return {
      labels: { alertname: `${check}_high`, instance: host, job: e.source, severity: `p${e.priority}` },
      annotations: { summary: e.summary, description: e.details },
    }
  }
  const out: string[] = []
  for (let b = 0; b < n; b++) {
    const alerts = []
    for (let i = 0; i < perBody; i++) alerts.push(one(Math.floor(rnd() * keys)))
    out.push(JSON.stringify(alerts))
  }
  return out
}

/** A latency probe: its own alert key, so it is never merged with another event. */
export function probeLine(tag: string, seq: number): string {
  return `{"mcp_id":"${tag}-${seq}","source":"probe-01","priority":2,"summary":"Latency probe","details":"host: web-0001, seq: ${seq}","tags":["probe","prod"]}\n`
}
