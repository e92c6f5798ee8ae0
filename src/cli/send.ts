/**
 * `mcp-ilert send`: one event from flags, or NDJSON events from stdin, to a running bridge, for
 * scripts and cron. Over HTTP (POST /events, default http://127.0.0.1:8080) or TCP (--tcp
 * host:port, waiting for the bridge's cumulative ack that covers every line). The exit code says
 * what happened: 0 every event accepted (stored by the bridge), 3 some event rejected (each reason
 * on stderr), 4 the bridge was unreachable or did not store the events (retry later), 2 usage.
 */
import type { CliIo } from './io'

export const SEND_ACCEPTED = 0
export const SEND_USAGE = 2
export const SEND_REJECTED = 3
export const SEND_UNREACHABLE = 4

export const SEND_USAGE_TEXT = `Usage: mcp-ilert send [target] [event flags]   (no event flags: NDJSON events on stdin)
Target:
  --url URL            the bridge's HTTP listener (default http://127.0.0.1:8080), POST /events
  --tcp HOST:PORT      the bridge's TCP port instead, waiting for its acks
  --token TOKEN        bearer token (default: $MCP_ILERT_TOKEN)
  --timeout SECONDS    give up waiting (default 10)
Event:
  --summary TEXT  --details TEXT  --priority 1..4  --alert-key KEY  --source NAME
  --resolve | --accept | --comment   (default: alert)
  --label NAME=VALUE (repeatable)  --link URL  --integration-key KEY
Exit codes: 0 accepted, 3 rejected (reasons on stderr), 4 bridge unreachable or not stored, 2 usage.
`

interface SendArgs {
  url: string
  tcp?: { host: string; port: number }
  token?: string
  timeoutMs: number
  event?: Record<string, unknown>
}

function parseSendArgs(argv: string[], env: CliIo['env']): SendArgs | string {
  const out: SendArgs = { url: 'http://127.0.0.1:8080', timeoutMs: 10_000 }
  const token = env.MCP_ILERT_TOKEN
  if (token) out.token = token
  const ev: Record<string, unknown> = {}
  const labels: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1
    const name = eq > 0 ? raw.slice(0, eq) : raw
    const value = (): string => {
      if (eq > 0) return raw.slice(eq + 1)
      const v = argv[++i]
      if (v === undefined) throw new Error(`${name} needs a value`)
      return v
    }
    try {
      switch (name) {
        case '--url': out.url = value().replace(/\/+$/, ''); break
        case '--tcp': {
          const v = value()
          const at = v.lastIndexOf(':')
          const port = Number(v.slice(at + 1))
          if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) return `--tcp needs HOST:PORT, e.g. 127.0.0.1:8081 (got "${v}")`
          out.tcp = { host: v.slice(0, at).replace(/^\[|\]$/g, ''), port }
          break
        }
        case '--token': out.token = value(); break
        case '--timeout': {
          const s = Number(value())
          if (!(s > 0)) return '--timeout needs a positive number of seconds'
          out.timeoutMs = s * 1000
          break
        }
        case '--summary': ev.summary = value(); break
        case '--details': ev.details = value(); break
        case '--alert-key': ev.alert_key = value(); break
        case '--source': ev.source = value(); break
        case '--integration-key': ev.integration_key = value(); break
        case '--priority': {
          const p = Number(value())
          if (!Number.isInteger(p)) return '--priority needs an integer 1..4'
          ev.priority = p
          break
        }
        case '--resolve': ev.event_type = 'resolve'; break
        case '--accept': ev.event_type = 'accept'; break
        case '--comment': ev.event_type = 'comment'; break
        case '--link': ev.links = [...((ev.links as unknown[]) ?? []), { href: value() }]; break
        case '--label': {
          const v = value()
          const e = v.indexOf('=')
          if (e <= 0) return `--label needs NAME=VALUE (got "${v}")`
          labels[v.slice(0, e)] = v.slice(e + 1)
          break
        }
        default:
          return `unknown option "${name}"`
      }
    } catch (err) {
      return (err as Error).message
    }
  }
  if (Object.keys(labels).length > 0) ev.labels = labels
  if (Object.keys(ev).length > 0) out.event = ev
  return out
}

export async function runSend(argv: string[], io: CliIo, readStdin: () => Promise<string> = () => Bun.stdin.text()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(SEND_USAGE_TEXT)
    return SEND_ACCEPTED
  }
  const args = parseSendArgs(argv, io.env)
  if (typeof args === 'string') {
    io.stderr.write(`mcp-ilert send: ${args}\n${SEND_USAGE_TEXT}`)
    return SEND_USAGE
  }
  const lines = args.event ? [JSON.stringify(args.event)] : (await readStdin()).split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '')
  if (lines.length === 0) {
    io.stderr.write('mcp-ilert send: no event: give --summary (and more), or NDJSON events on stdin\n')
    return SEND_USAGE
  }
  return args.tcp ? sendTcp(args, args.tcp, lines, io) : sendHttp(args, lines, io)
}

async function sendHttp(args: SendArgs, lines: string[], io: CliIo): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' }
  if (args.token) headers.authorization = `Bearer ${args.token}`
  let res: Response
  try {
    res = await fetch(`${args.url}/events`, { method: 'POST', headers, body: lines.join('\n') + '\n', signal: AbortSignal.timeout(args.timeoutMs) })
  } catch (err) {
    io.stderr.write(`mcp-ilert send: bridge unreachable at ${args.url}: ${(err as Error).message}\n`)
    return SEND_UNREACHABLE
  }
  const text = await res.text()
  let body: { accepted?: number; rejected?: { line?: number; reason: string; message: string }[]; error?: string; reason?: string } = {}
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: reported by status below
  }
  if (res.status >= 500 || res.status === 429) {
    io.stderr.write(`mcp-ilert send: not stored (${res.status} ${body.reason ?? ''}): ${body.error ?? text}; retry later\n`)
    return SEND_UNREACHABLE
  }
  const rejected = body.rejected ?? []
  for (const r of rejected) io.stderr.write(`rejected${r.line !== undefined ? ` line ${r.line}` : ''}: ${r.reason}: ${r.message}\n`)
  if (res.status >= 400 && rejected.length === 0) {
    io.stderr.write(`mcp-ilert send: rejected (${res.status} ${body.reason ?? ''}): ${body.error ?? text}\n`)
    return SEND_REJECTED
  }
  io.stdout.write(`accepted ${body.accepted ?? 0}, rejected ${rejected.length}\n`)
  return rejected.length > 0 ? SEND_REJECTED : SEND_ACCEPTED
}

async function sendTcp(args: SendArgs, target: { host: string; port: number }, lines: string[], io: CliIo): Promise<number> {
  const all = args.token ? [JSON.stringify({ auth: args.token }), ...lines] : lines
  const errors: { line?: number; reason: string; field?: string; message?: string }[] = []
  let acked = 0
  let accepted = 0
  let buf = ''
  let closed = false
  let done: () => void = () => undefined
  const finished = new Promise<void>((r) => (done = r))
  try {
    const socket = await Bun.connect({
      hostname: target.host,
      port: target.port,
      socket: {
        data(_s, chunk) {
          buf += chunk.toString()
          let nl: number
          while ((nl = buf.indexOf('\n')) !== -1) {
            const line = buf.slice(0, nl)
            buf = buf.slice(nl + 1)
            try {
              const j = JSON.parse(line) as { ack?: number; accepted?: number; error?: { line?: number; reason: string; field?: string; message?: string } }
              if (j.error) errors.push(j.error)
              if (typeof j.ack === 'number') {
                acked = j.ack
                accepted = j.accepted ?? accepted
              }
            } catch {
              // not a reply line
            }
          }
          if (acked >= all.length || errors.some((e) => e.reason === 'unauthorized')) done()
        },
        close() {
          closed = true
          done()
        },
        error() {
          closed = true
          done()
        },
      },
    })
    socket.write(all.join('\n') + '\n')
    const timer = setTimeout(done, args.timeoutMs)
    await finished
    clearTimeout(timer)
    socket.end()
  } catch (err) {
    io.stderr.write(`mcp-ilert send: bridge unreachable at ${target.host}:${target.port}: ${(err as Error).message}\n`)
    return SEND_UNREACHABLE
  }
  const unauthorized = errors.find((e) => e.reason === 'unauthorized' || e.line === undefined)
  if (unauthorized) {
    io.stderr.write(`mcp-ilert send: rejected: ${unauthorized.reason}${unauthorized.message ? `: ${unauthorized.message}` : ''}\n`)
    return SEND_REJECTED
  }
  const offset = args.token ? 1 : 0
  for (const e of errors) io.stderr.write(`rejected line ${(e.line ?? 0) - offset}: ${e.reason}: ${e.field ? `${e.field} ` : ''}${e.message ?? ''}\n`)
  if (acked < all.length) {
    io.stderr.write(`mcp-ilert send: the bridge acknowledged ${Math.max(0, acked - offset)} of ${lines.length} lines before ${closed ? 'closing' : 'the timeout'}; the rest may not be stored, resend them\n`)
    return SEND_UNREACHABLE
  }
  io.stdout.write(`accepted ${accepted}, rejected ${errors.length}\n`)
  return errors.length > 0 ? SEND_REJECTED : SEND_ACCEPTED
}
