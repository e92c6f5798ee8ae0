/**
 * Connection-level abuse over TCP: thousands of connections opened and abandoned in every way a
 * client can walk away (silent, mid-line, reset, half-closed), and slow-drip connections that
 * trickle lines byte by byte. The bridge must close what it should, process exactly the complete
 * lines it was given, deliver what it accepted, keep serving a control client, and stay bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Socket } from 'bun'
import { type Stack, waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'
import { seededRandom, validEvent } from './corpus'
import {
  delta,
  expectBoundedGrowth,
  expectDelivered,
  memory,
  type MemoryReading,
  rejectedByReason,
  startControl,
  liftPerPeerBounds,
  startRobustStack,
  STORES,
  withControl,
} from './support'

const N = 2000
const WAVE = 200

/** Open connections the listener holds (TcpIngest.connections(); the App keeps it private). */
const openOn = (s: Stack): number => (s.app as unknown as { tcp: { connections(): number } }).tcp.connections()

type Pattern = 'silent' | 'half_line_then_silent' | 'half_line_reset' | 'line_then_half_line_fin' | 'unterminated_line_fin'
const PATTERNS: Pattern[] = ['silent', 'half_line_then_silent', 'half_line_reset', 'line_then_half_line_fin', 'unterminated_line_fin']

async function openMany(n: number, connect: () => Promise<Socket<undefined>>): Promise<Socket<undefined>[]> {
  const socks: Socket<undefined>[] = []
  for (let w = 0; w < n; w += WAVE) socks.push(...(await Promise.all(Array.from({ length: Math.min(WAVE, n - w) }, connect))))
  return socks
}

describe('TCP: idle timeout', () => {
  test('quiet abandoned connections (silent or mid-line) are reclaimed by tcp.idle_timeout_seconds; half lines are never processed', async () => {
    const idle = await startRobustStack({ config: liftPerPeerBounds(1000, { tcp: { idle_timeout_seconds: 1 } }) })
    const openIdle = () => openOn(idle)
    try {
      // The control client stays on HTTP here: a TCP one would itself be cut by the idle-timeout
      // bug below (todo). Once that is fixed, drop `{ tcp: false }`.
      await withControl(
        idle,
        'conn-idle',
        async () => {
          const connect = () => Bun.connect({ hostname: '127.0.0.1', port: idle.bound.tcp!.port, socket: { data() {}, close() {}, error() {} } })
          const socks = await openMany(400, connect)
          socks.forEach((s, i) => {
            if (i % 2) s.write(`{"summary":"half ${i}`)
          })
          await waitFor('400 open', () => openIdle() === 400, 20_000)
          try {
            await waitFor('idle connections reclaimed', () => openIdle() === 0, 30_000)
          } finally {
            for (const s of socks) s.terminate()
          }
        },
        { tcp: false },
      )
      expect(await rejectedByReason(idle, 'tcp')).toEqual({})
      expect(await idle.metric('mcp_in_events_total', { transport: 'tcp' })).toBe(0)
      expect(idle.sim.alerts().some((a) => a.summary.startsWith('half '))).toBe(false)
    } finally {
      await idle.stop()
    }
  })

  // BUG: the idle timeout is not an idle timeout: Bun's socket.timeout() is a one-shot deadline
  // from when it was armed (reads and writes do not reset it), and src/ingest/tcp/listener.ts arms it only in
  // open() and after an unblock, never in data(). So every connection, however busy, is closed as
  // "idle" tcp.idle_timeout_seconds after it opened (default 300 s): a device streaming events is
  // cut off every 5 minutes, and lines it sends after the cut are ignored unacknowledged.
  // Expected: re-arm s.timeout(cfg.idle_timeout_seconds) on every data() callback.
  test('a connection that keeps sending is never closed as idle', async () => {
    const busy = await startRobustStack({ config: { tcp: { idle_timeout_seconds: 1 } } })
    try {
      const c = await connectClient(busy.bound.tcp!.port)
      // Bun's socket timers tick at ~4 s granularity: 7 s is well beyond a 1 s idle timeout.
      for (let n = 1; n <= 28; n++) {
        await c.send(validEvent(`busy-${n}`) + '\n')
        expect(await c.waitForAck(n, 20_000)).toEqual({ ack: n, accepted: n, rejected: 0 })
        expect(c.closed).toBe(false)
        await Bun.sleep(250)
      }
      c.close()
    } finally {
      await busy.stop()
    }
  }, 30_000) // runs past bun test's 5 s default; npm test gives every test 30 s
})

for (const store of STORES) {
  describe(`TCP connection abuse, ${store} queue`, () => {
    let stack: Stack
    let baseline: MemoryReading
    const port = () => stack.bound.tcp!.port
    const open = () => openOn(stack)
    const rawConnect = (): Promise<Socket<undefined>> =>
      Bun.connect({ hostname: '127.0.0.1', port: port(), socket: { data() {}, close() {}, error() {} } })

    beforeAll(async () => {
      // Room for the abandoned ones plus the control client.
      stack = await startRobustStack({ store, config: liftPerPeerBounds(N + 500, { tcp: { max_connections: N + 500 } }) })
      await startControl(stack, 'conn-warmup').stop()
      baseline = memory()
    })
    afterAll(() => stack.stop())

    describe('TCP: connections opened and abandoned', () => {
      test(`${N} connections abandoned (silent, mid-line, reset, half-closed): closed, complete lines delivered, half lines counted`, async () => {
        const rejectedBefore = await rejectedByReason(stack, 'tcp')
        const expectedKeys: string[] = []
        const count: Record<Pattern, number> = { silent: 0, half_line_then_silent: 0, half_line_reset: 0, line_then_half_line_fin: 0, unterminated_line_fin: 0 }

        const socks: Socket<undefined>[] = []
        try {
          await withControl(stack, 'conn-abandon', async () => {
            socks.push(...(await openMany(N, rawConnect)))
            // All of them are held at once (plus the control client's connection).
            await waitFor(`${N} connections open`, () => open() >= N + 1, 20_000)

            const silent: Socket<undefined>[] = []
            socks.forEach((s, i) => {
              const p = PATTERNS[i % PATTERNS.length]!
              count[p]++
              const key = `abandon-${i}`
              switch (p) {
                case 'silent':
                  silent.push(s) // never sends
                  break
                case 'half_line_then_silent':
                  s.write(`{"summary":"half ${i}`) // mid-line, then quiet
                  silent.push(s)
                  break
                case 'half_line_reset':
                  s.write(`{"summary":"half ${i}`)
                  s.terminate() // RST: nothing after the last newline may be taken as a line
                  break
                case 'line_then_half_line_fin':
                  s.write(validEvent(key) + '\n{"summ')
                  s.end() // half-close: the complete line is processed; so is the half line, as a final (invalid) line
                  expectedKeys.push(key)
                  break
                case 'unterminated_line_fin':
                  s.write(validEvent(key))
                  s.end() // half-close: a final line without \n is processed
                  expectedKeys.push(key)
                  break
              }
            })

            // The reset and half-closed ones go; the quiet ones are still held, nothing else.
            await waitFor('reset and half-closed connections closed', () => open() === silent.length + 1, 30_000)
            await expectDelivered(stack, expectedKeys.map((alertKey) => ({ kind: 'accepted' as const, alertKey })), 'abandoned connections')
            // Now the quiet ones vanish without a FIN (a crashed or unplugged client): all released.
            for (const s of silent) s.terminate()
            await waitFor('quiet connections released', () => open() <= 1, 30_000)
          })
        } finally {
          for (const s of socks) s.terminate() // never leave sockets behind for the next test
        }

        // Nothing but the complete lines was queued: no alert for a half line ever appears.
        expect(stack.sim.alerts().filter((a) => a.alertKey.startsWith('abandon-')).length).toBe(expectedKeys.length)
        expect(stack.sim.alerts().some((a) => a.summary.startsWith('half '))).toBe(false)
        const d = delta(await rejectedByReason(stack, 'tcp'), rejectedBefore)
        // The FIN'd half lines are answered and counted as invalid_json; a reset connection's half
        // line is not a line (the kernel may or may not hand the bytes over before the RST).
        expect(Object.keys(d).filter((r) => r !== 'invalid_json')).toEqual([])
        expect(d.invalid_json ?? 0).toBeGreaterThanOrEqual(count.line_then_half_line_fin)
        expect(d.invalid_json ?? 0).toBeLessThanOrEqual(count.line_then_half_line_fin + count.half_line_reset + count.half_line_then_silent)
        await waitFor('every connection closed', () => open() === 0, 20_000)
      })

      test('the bridge still takes a new connection normally afterwards', async () => {
        const c = await connectClient(port())
        await c.send(validEvent('after-abandon') + '\n')
        expect(await c.waitForAck(1, 20_000)).toEqual({ ack: 1, accepted: 1, rejected: 0 })
        c.close()
        await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'after-abandon' }], 'after abandon')
      })
    })

    describe('TCP: slow-drip connections', () => {
      /** Writes `data` in pieces of 1..maxPiece bytes (seeded), yielding to the event loop between pieces. */
      async function drip(s: Socket<undefined>, data: Uint8Array, seed: number, maxPiece: number): Promise<void> {
        const rnd = seededRandom(seed)
        let at = 0
        while (at < data.length) {
          const n = Math.min(data.length - at, 1 + Math.floor(rnd() * maxPiece))
          let piece = data.subarray(at, at + n)
          while (piece.length > 0) {
            const w = s.write(piece)
            if (w < 0) throw new Error('socket closed while dripping')
            piece = piece.subarray(w)
            if (piece.length > 0) await Bun.sleep(1)
          }
          at += n
          await Bun.sleep(1)
        }
      }

      /** A raw connection that collects reply lines. */
      async function dripClient() {
        let text = ''
        const replies: any[] = []
        let closed = false
        const s = await Bun.connect({
          hostname: '127.0.0.1',
          port: port(),
          socket: {
            data(_s, chunk) {
              text += chunk.toString('utf8')
              let nl: number
              while ((nl = text.indexOf('\n')) !== -1) {
                replies.push(JSON.parse(text.slice(0, nl)))
                text = text.slice(nl + 1)
              }
            },
            close() {
              closed = true
            },
            error() {},
          },
        })
        return { s, replies, closed: () => closed }
      }

      test('lines trickled one to a few bytes at a time are processed whole, beside a control client', async () => {
        const enc = new TextEncoder()
        const rejectedBefore = await rejectedByReason(stack, 'tcp')
        const jobs: { data: Uint8Array; maxPiece: number; want: any[]; key?: string; check?: (a: any) => boolean }[] = [
          ...Array.from({ length: 4 }, (_, i) => ({
            data: enc.encode(validEvent(`drip-${i}`) + (i % 2 ? '\r\n' : '\n')),
            maxPiece: 1,
            want: [{ ack: 1, accepted: 1, rejected: 0 }],
            key: `drip-${i}`,
          })),
          {
            // Multi-byte UTF-8 split across pieces must be reassembled, not replaced.
            data: enc.encode(JSON.stringify({ summary: 'drip € ü 日本 🚀', alert_key: 'drip-utf8' }) + '\n'),
            maxPiece: 1,
            want: [{ ack: 1, accepted: 1, rejected: 0 }],
            key: 'drip-utf8',
            check: (a) => a.summary === 'drip € ü 日本 🚀',
          },
          {
            data: enc.encode('{"summary":\n' + validEvent('drip-after-bad') + '\n'),
            maxPiece: 3,
            want: [
              { error: { line: 1, reason: 'invalid_json', message: expect.any(String) } },
              { ack: 2, accepted: 1, rejected: 1 },
            ],
            key: 'drip-after-bad',
          },
          {
            // An oversize line trickled in small pieces: still discarded as line_too_long.
            data: enc.encode('x'.repeat(70_000) + '\n' + validEvent('drip-after-long') + '\n'),
            maxPiece: 4096,
            want: [
              { error: { line: 1, reason: 'line_too_long', message: expect.stringContaining('max_line_bytes') } },
              { ack: 2, accepted: 1, rejected: 1 },
            ],
            key: 'drip-after-long',
          },
        ]
        await withControl(stack, 'conn-drip', async () => {
          const clients = await Promise.all(jobs.map(() => dripClient()))
          await Promise.all(jobs.map((j, i) => drip(clients[i]!.s, j.data, 1000 + i, j.maxPiece)))
          for (const [i, j] of jobs.entries()) {
            const c = clients[i]!
            const lastWant = j.want.at(-1)
            await waitFor(`drip ${i} answered`, () => c.replies.some((r) => r.ack === lastWant.ack), 20_000)
            // Acks are cumulative and at most one per chunk: keep the errors and the final ack.
            const seen = c.replies.filter((r) => 'error' in r || r.ack === lastWant.ack)
            expect({ i, seen }).toEqual({ i, seen: j.want })
            expect(c.closed()).toBe(false)
            c.s.end()
          }
          await expectDelivered(
            stack,
            jobs.map((j) => ({ kind: 'accepted' as const, alertKey: j.key!, check: j.check })),
            'slow drip',
          )
        })
        expect(delta(await rejectedByReason(stack, 'tcp'), rejectedBefore)).toEqual({ invalid_json: 1, line_too_long: 1 })
      })
    })

    describe('TCP: after the connection abuse', () => {
      test('memory stayed bounded', () => {
        expectBoundedGrowth(baseline, memory())
      })
    })
  })
}
