/**
 * Baseline for TCP ingest: a bare Bun.listen loop that only splits NDJSON lines and JSON.parses
 * them, answering one cumulative ack per chunk in the bridge's format (so the same client measures
 * both). No validation, no normalization, no queue. Prints {"port":N} once listening; GET
 * /count on the control port reports what it parsed, so the benchmark can check both sides agree.
 */
import type { Socket } from 'bun'

interface Conn {
  carry: Buffer | null
  lines: number
  parsed: number
}

let parsedTotal = 0
let failedTotal = 0

const server = Bun.listen<Conn>({
  hostname: '127.0.0.1',
  port: 0,
  socket: {
    open(s) {
      s.data = { carry: null, lines: 0, parsed: 0 }
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
            JSON.parse(buf.toString('utf8', start, nl))
            c.parsed++
            parsedTotal++
          } catch {
            failedTotal++
          }
        }
        start = nl + 1
      }
      if (start < buf.length) c.carry = buf.subarray(start)
      s.write('{"ack":' + c.lines + ',"accepted":' + c.parsed + ',"rejected":' + (c.lines - c.parsed) + '}\n')
    },
  },
})

const control = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: () => Response.json({ parsed: parsedTotal, failed: failedTotal }),
})
process.on('SIGTERM', () => process.exit(0))
process.stdout.write(JSON.stringify({ port: server.port, control: `http://127.0.0.1:${control.port}` }) + '\n')
