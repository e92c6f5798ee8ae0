/**
 * NDJSON load generator over real TCP sockets (Bun.connect): writes pre-built buffers as fast as
 * the peer takes them (honouring backpressure: Bun sockets do not buffer, a short write waits for
 * `drain`) and reads the bridge protocol's cumulative acks. The same client drives the bridge, the
 * bare baseline loop and syslog-ng, so they are measured identically.
 */
import type { Socket } from 'bun'

export interface ConnPlan {
  /** Buffers written in order; together they hold `lines` NDJSON lines. */
  chunks: Buffer[]
  lines: number
}

export interface SendResult {
  /** Wall time from the first write to the last ack (or the last write without acks), ms. */
  elapsedMs: number
  lines: number
  acked: number
  accepted: number
  rejected: number
  /** Error lines received (first few kept). */
  errors: string[]
  bytes: number
}

const SLICE = 256 * 1024

interface State {
  plan: ConnPlan
  chunk: number
  off: number
  acked: number
  accepted: number
  rejected: number
  carry: string
  doneWriting: boolean
  done: () => void
  fail: (e: Error) => void
  finished: boolean
}

/**
 * Opens one connection per plan, then starts every writer at once. With `acks`, resolves when
 * every connection has been acknowledged up to its last line; without, when every byte is written.
 */
export async function sendNdjson(host: string, port: number, plans: ConnPlan[], opts: { acks: boolean; timeoutMs: number }): Promise<SendResult> {
  const errors: string[] = []
  const states: State[] = []
  const sockets: Socket<State>[] = []
  const finished: Promise<void>[] = []
  for (const plan of plans) {
    let done!: () => void
    let fail!: (e: Error) => void
    finished.push(
      new Promise<void>((res, rej) => {
        done = res
        fail = rej
      }),
    )
    const st: State = { plan, chunk: 0, off: 0, acked: 0, accepted: 0, rejected: 0, carry: '', doneWriting: false, done, fail, finished: false }
    states.push(st)
    const s = await Bun.connect<State>({
      hostname: host,
      port,
      data: st,
      socket: {
        data(sock, buf) {
          const c = sock.data
          c.carry += buf.toString()
          let nl: number
          while ((nl = c.carry.indexOf('\n')) >= 0) {
            const line = c.carry.slice(0, nl)
            c.carry = c.carry.slice(nl + 1)
            if (line.startsWith('{"ack"')) {
              const a = JSON.parse(line) as { ack: number; accepted: number; rejected: number }
              c.acked = a.ack
              c.accepted = a.accepted
              c.rejected = a.rejected
            } else if (line.length > 0 && errors.length < 20) errors.push(line)
          }
          if (opts.acks && !c.finished && c.acked >= c.plan.lines) {
            c.finished = true
            c.done()
          }
        },
        drain(sock) {
          pump(sock)
        },
        close(sock) {
          const c = sock.data
          if (!c.finished) {
            if (!opts.acks && c.doneWriting) {
              c.finished = true
              c.done()
            } else c.fail(new Error(`connection closed early: acked ${c.acked} of ${c.plan.lines} lines`))
          }
        },
        error(sock, err) {
          sock.data.fail(err)
        },
      },
    })
    sockets.push(s)
  }

  function pump(sock: Socket<State>): void {
    const c = sock.data
    while (c.chunk < c.plan.chunks.length) {
      const b = c.plan.chunks[c.chunk]!
      const len = Math.min(SLICE, b.length - c.off)
      const n = sock.write(b, c.off, len)
      c.off += n
      if (n < len) return // wait for drain
      if (c.off >= b.length) {
        c.chunk++
        c.off = 0
      }
    }
    if (!c.doneWriting) {
      c.doneWriting = true
      if (!opts.acks) {
        sock.flush()
        c.finished = true
        c.done()
      }
    }
  }

  const t0 = performance.now()
  for (const s of sockets) pump(s)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`tcp send timed out after ${opts.timeoutMs} ms (acked ${states.map((s) => s.acked).join(',')})`)), opts.timeoutMs)
  })
  try {
    await Promise.race([Promise.all(finished), timeout])
  } finally {
    clearTimeout(timer)
  }
  const elapsedMs = performance.now() - t0
  for (const s of sockets) s.end()
  const sum = (f: (s: State) => number) => states.reduce((a, s) => a + f(s), 0)
  return {
    elapsedMs,
    lines: sum((s) => s.plan.lines),
    acked: sum((s) => s.acked),
    accepted: sum((s) => s.accepted),
    rejected: sum((s) => s.rejected),
    errors,
    bytes: sum((s) => s.plan.chunks.reduce((a, b) => a + b.length, 0)),
  }
}

/** `total` lines cycled from `block` (whole lines), split over `conns` connections. */
export function cyclePlans(block: { buf: Buffer; lines: number }, total: number, conns: number): ConnPlan[] {
  // Line offsets inside the block, to cut at line boundaries.
  const ends: number[] = []
  for (let i = block.buf.indexOf(10); i >= 0; i = block.buf.indexOf(10, i + 1)) ends.push(i + 1)
  const plans: ConnPlan[] = []
  const per = Math.floor(total / conns)
  for (let c = 0; c < conns; c++) {
    const lines = c === conns - 1 ? total - per * (conns - 1) : per
    const chunks: Buffer[] = []
    let left = lines
    while (left >= block.lines) {
      chunks.push(block.buf)
      left -= block.lines
    }
    if (left > 0) chunks.push(block.buf.subarray(0, ends[left - 1]))
    plans.push({ chunks, lines })
  }
  return plans
}
