/**
 * Baseline for end-to-end latency (and for the syslog-ng comparison): the least a bridge can do.
 * A bare Bun.listen NDJSON loop that JSON.parses each line, stamps its acceptance time and POSTs
 * it at once to the ilert simulator (one fetch per event, no queue, no coalescing, no rate limit,
 * no concurrency bound), acking per chunk in the bridge's format. GET /clock on the control port
 * gives this process's wall clock (cross-process latency), GET /count what it relayed.
 *
 * Usage: bun bench/baselines/relay.ts --target http://127.0.0.1:PORT --key KEY
 */
import type { Socket } from 'bun'

const arg = (n: string) => process.argv[process.argv.indexOf(n) + 1]!
const endpoint = `${arg('--target')}/api/events`
const integrationKey = arg('--key')
const headers = { 'content-type': 'application/json' }
const origin = performance.timeOrigin
let relayed = 0
let failed = 0

interface Conn {
  carry: Buffer | null
  lines: number
}

function relay(ev: { mcp_id?: string; summary?: string; details?: string }, acceptedMs: number): void {
  const body = JSON.stringify({
    integrationKey,
    eventType: 'ALERT',
    summary: ev.summary ?? 'event',
    details: ev.details,
    alertKey: ev.mcp_id,
    priority: 'HIGH',
    customDetails: { mcp_id: ev.mcp_id, bench_accepted_ms: acceptedMs },
  })
  fetch(endpoint, { method: 'POST', headers, body }).then(
    async (r) => {
      await r.arrayBuffer()
      if (r.status === 202) relayed++
      else failed++
    },
    () => failed++,
  )
}

const server = Bun.listen<Conn>({
  hostname: '127.0.0.1',
  port: 0,
  socket: {
    open(s) {
      s.data = { carry: null, lines: 0 }
    },
    data(s: Socket<Conn>, chunk) {
      const c = s.data
      let buf: Buffer = chunk
      if (c.carry !== null) {
        buf = Buffer.concat([c.carry, chunk])
        c.carry = null
      }
      let start = 0
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        if (nl > start) {
          c.lines++
          try {
            relay(JSON.parse(buf.toString('utf8', start, nl)), origin + performance.now())
          } catch {
            failed++
          }
        }
        start = nl + 1
      }
      if (start < buf.length) c.carry = buf.subarray(start)
      s.write('{"ack":' + c.lines + ',"accepted":' + c.lines + ',"rejected":0}\n')
    },
  },
})

const control = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    const p = new URL(req.url).pathname
    if (p === '/clock') return new Response(String(origin + performance.now()))
    return Response.json({ relayed, failed })
  },
})
process.on('SIGTERM', () => process.exit(0))
process.stdout.write(JSON.stringify({ port: server.port, control: `http://127.0.0.1:${control.port}` }) + '\n')
