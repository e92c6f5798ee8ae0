/**
 * Baseline for HTTP ingest (and for cold start / idle footprint): a bare Bun.serve handler that
 * reads the POST /events body, JSON.parses it and answers 202 {"accepted":N}. GET /count reports
 * requests and events parsed; GET /readyz answers 200 (for the cold-start comparison).
 * Prints {"port":N} once listening (or listens on --port N).
 */
const i = process.argv.indexOf('--port')
const port = i >= 0 ? Number(process.argv[i + 1]) : 0
let requests = 0
let events = 0
const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  development: false,
  routes: {
    '/events': {
      POST: async (req) => {
        const v = JSON.parse(await req.text()) as unknown
        const n = Array.isArray(v) ? v.length : 1
        requests++
        events += n
        return new Response('{"accepted":' + n + '}', { status: 202, headers: { 'content-type': 'application/json' } })
      },
    },
    '/count': { GET: () => Response.json({ requests, events }) },
    '/readyz': { GET: () => new Response('{"status":"ready"}') },
  },
})
process.on('SIGTERM', () => process.exit(0))
process.stdout.write(JSON.stringify({ port: server.port }) + '\n')
