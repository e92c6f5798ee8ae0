/**
 * The bad-input corpus over TCP NDJSON, against the real bridge and the ilert simulator. Every
 * input must be answered with an error line naming its line number and reason (and field), or
 * skipped where the protocol says so (empty lines); the connection must survive it; a control
 * client sending valid events beside the abuse must see each of them acknowledged and delivered;
 * mcp_rejected_events_total{transport="tcp",reason} must count each rejection; memory must stay bounded.
 */
import { isUtf8 } from 'node:buffer'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Stack, waitFor } from '../helpers/harness'
import { connectClient } from '../helpers/tcp-client'
import { bugCases, bytes, type Case, corpus, GARBAGE_BYTES, GARBAGE_SEED, NL, randomBytes, splitLines, validEvent } from './corpus'
import {
  delta,
  expectBoundedGrowth,
  expectDelivered,
  expectNoPollution,
  expectRejectionCounts,
  jsonDepthLimit,
  memory,
  type MemoryReading,
  rejectedByReason,
  runTcpGroup,
  startControl,
  startRobustStack,
  STORES,
  withControl,
} from './support'

const MAX_LINE = 65_536 // tcp.max_line_bytes default

for (const store of STORES) {
  describe(`TCP corpus, ${store} queue`, () => {
    let stack: Stack
    let baseline: MemoryReading
    const port = () => stack.bound.tcp!.port

    beforeAll(async () => {
      stack = await startRobustStack({ store })
      // Warm both paths up so first-use allocations are not counted as growth.
      const control = startControl(stack, 'tcp-warmup')
      await control.stop()
      baseline = memory()
    })
    afterAll(() => stack.stop())

    test(`runs on the ${store} queue`, () => {
      expect(stack.app.config.queue.durable).toBe(store === 'durable')
    })

    describe('TCP: bad-input corpus (each group on one connection, a control client beside it)', () => {
      for (const [name, cases] of Object.entries(corpus('tcp', { maxJsonDepth: jsonDepthLimit() }))) {
        test(`${name}: ${cases.length} inputs, each answered with line + reason; connection and control unaffected; counted`, () =>
          runTcpGroup(stack, name, cases))
      }

      test('no prototype pollution after the corpus', () => {
        expectNoPollution()
      })
    })

    describe('TCP: empty, whitespace-only and binary lines', () => {
      test('empty lines are skipped but numbered; whitespace-only lines are rejected as invalid_json', async () => {
        const before = await rejectedByReason(stack, 'tcp')
        await withControl(stack, 'tcp-empty', async () => {
          const c = await connectClient(port())
          await c.send('\n' + '\r\n' + '   \n' + '\t\n' + '  \r\n' + '\n' + validEvent('tcp-empty-after') + '\n')
          expect(await c.waitForAck(7, 20_000)).toEqual({ ack: 7, accepted: 1, rejected: 3 })
          expect(c.errors().map((e) => [e.line, e.reason])).toEqual([
            [3, 'invalid_json'],
            [4, 'invalid_json'],
            [5, 'invalid_json'],
          ])
          // A connection that sends nothing but empty lines gets them acknowledged.
          const e = await connectClient(port())
          await e.send('\n\n\r\n')
          expect(await e.waitForAck(3, 20_000)).toEqual({ ack: 3, accepted: 0, rejected: 0 })
          expect(e.errors()).toEqual([])
          c.close()
          e.close()
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'tcp-empty-after' }], 'tcp empty lines')
        })
        expect(delta(await rejectedByReason(stack, 'tcp'), before)).toEqual({ invalid_json: 3 })
      })

      test(`binary garbage (${GARBAGE_BYTES / 1024} KiB, seed ${GARBAGE_SEED}): every non-empty line answered, nothing accepted`, async () => {
        const garbage = randomBytes(GARBAGE_SEED, GARBAGE_BYTES)
        const lines = splitLines(bytes(garbage, NL))
        const want = lines.map((l): string | undefined => {
          if (l.length === 0) return undefined
          if (l.length > MAX_LINE) return 'line_too_long'
          if (!isUtf8(l)) return 'invalid_utf8'
          try {
            JSON.parse(Buffer.from(l).toString('utf8'))
            return 'schema' // valid JSON by chance (e.g. a lone number): not an object
          } catch {
            return 'invalid_json'
          }
        })
        expect(want.filter((w) => w !== undefined).length).toBeGreaterThan(500) // the seed gives a real corpus

        const before = await rejectedByReason(stack, 'tcp')
        await withControl(stack, 'tcp-garbage', async () => {
          const c = await connectClient(port())
          await c.send(bytes(garbage, NL, validEvent('tcp-garbage-after'), NL))
          const last = lines.length + 1
          const nRejected = want.filter((w) => w !== undefined).length
          expect(await c.waitForAck(last, 20_000)).toEqual({ ack: last, accepted: 1, rejected: nRejected })
          const got = new Map(c.errors().map((e) => [e.line, e.reason]))
          expect(c.errors().length).toBe(got.size)
          const problems: string[] = []
          want.forEach((w, i) => {
            if (got.get(i + 1) !== w) problems.push(`line ${i + 1}: got ${got.get(i + 1)}, want ${w}`)
          })
          expect(problems).toEqual([])
          expect(c.closed).toBe(false)
          c.close()
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'tcp-garbage-after' }], 'tcp garbage')
        })
        expectRejectionCounts(
          delta(await rejectedByReason(stack, 'tcp'), before),
          want.filter((w): w is string => w !== undefined),
        )
      })
    })

    describe('TCP: oversize lines', () => {
      /** A valid event line of exactly `n` bytes. */
      function eventOfBytes(alertKey: string, n: number): string {
        const head = `{"summary":"exact size","alert_key":"${alertKey}","details":"`
        const tail = '"}'
        return head + 'd'.repeat(n - head.length - tail.length) + tail
      }

      test('limit boundary and deep nesting beyond the limit', async () => {
        const cases: Case[] = [
          {
            name: `a valid event of exactly ${MAX_LINE} bytes is accepted`,
            line: new TextEncoder().encode(eventOfBytes('tcp-exact-limit', MAX_LINE)),
            expect: { kind: 'accepted', alertKey: 'tcp-exact-limit', check: (a) => (a.details?.length ?? 0) > MAX_LINE - 100 },
          },
          {
            name: `a valid event of ${MAX_LINE + 1} bytes is line_too_long`,
            line: new TextEncoder().encode(eventOfBytes('tcp-over-limit', MAX_LINE + 1)),
            expect: { kind: 'rejected', reason: 'line_too_long', message: /max_line_bytes/ },
          },
          {
            name: '100,000 levels of [ (200 KB)',
            line: new TextEncoder().encode('['.repeat(100_000) + ']'.repeat(100_000)),
            expect: { kind: 'rejected', reason: 'line_too_long', message: /max_line_bytes/ },
          },
          {
            name: '100,000 levels of [ inside custom_details',
            line: new TextEncoder().encode(`{"summary":"x","custom_details":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`),
            expect: { kind: 'rejected', reason: 'line_too_long', message: /max_line_bytes/ },
          },
        ]
        // Sanity: the exact-size event really is MAX_LINE bytes.
        expect(cases[0]!.line.length).toBe(MAX_LINE)
        await runTcpGroup(stack, 'oversize', cases)
      })

      test('a 10 MB line (garbage, then a valid event with a 10 MB field): line_too_long each, and the next line is processed', async () => {
        const before = await rejectedByReason(stack, 'tcp')
        await withControl(stack, 'tcp-10mb', async () => {
          const c = await connectClient(port())
          const ten = 10 * 1024 * 1024
          // Garbage, then a syntactically valid event with a 10 MB details field, then a valid line.
          await c.send(bytes(new Uint8Array(ten).fill(0x78), NL))
          await c.send(bytes(`{"summary":"huge","details":"`, new Uint8Array(ten).fill(0x64), '"}', NL))
          await c.send(validEvent('tcp-10mb-after') + '\n')
          expect(await c.waitForAck(3, 30_000)).toEqual({ ack: 3, accepted: 1, rejected: 2 })
          expect(c.errors().map((e) => [e.line, e.reason])).toEqual([
            [1, 'line_too_long'],
            [2, 'line_too_long'],
          ])
          expect(c.errors()[0]!.message).toContain('max_line_bytes')
          c.close()
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'tcp-10mb-after' }], 'tcp 10 MB')
        })
        expect(delta(await rejectedByReason(stack, 'tcp'), before)).toEqual({ line_too_long: 2 })
      })

      test('a 10 MB line without a newline, then half-close: answered line_too_long and closed cleanly', async () => {
        const before = await rejectedByReason(stack, 'tcp')
        await withControl(stack, 'tcp-10mb-eof', async () => {
          const c = await connectClient(port())
          await c.send(new Uint8Array(10 * 1024 * 1024).fill(0x7b))
          c.shutdown()
          await c.waitForClose(30_000)
          expect(c.replies).toEqual([
            { error: { line: 1, reason: 'line_too_long', message: expect.stringContaining('max_line_bytes') } },
            { ack: 1, accepted: 0, rejected: 1 },
          ])
        })
        expect(delta(await rejectedByReason(stack, 'tcp'), before)).toEqual({ line_too_long: 1 })
      })
    })

    describe('TCP: duplicate keys', () => {
      test('answered deterministically: if accepted, the last value is the one delivered (JSON.parse semantics, documented in the README)', async () => {
        await withControl(stack, 'tcp-dup', async () => {
          const c = await connectClient(port())
          await c.send('{"summary":"first","summary":"second","alert_key":"tcp-dup-1"}\n')
          const ack = await c.waitForAck(1, 20_000)
          if (ack.accepted === 1) {
            await waitFor('duplicate-key event at ilert', () => stack.sim.alerts().find((a) => a.alertKey === 'tcp-dup-1'), 20_000)
            expect(stack.sim.alerts().find((a) => a.alertKey === 'tcp-dup-1')!.summary).toBe('second')
          } else {
            expect(c.errors()[0]).toMatchObject({ line: 1, message: expect.stringContaining('summary') })
          }
          c.close()
        })
      })
    })

    // The bug cases go through validation, which both stores share: listed once, with the memory queue.
    if (store === 'memory') describe('TCP: inputs that expose bugs (todo until fixed; run with --todo)', () => {
      const bugs = bugCases('tcp-bug')

      // BUG: invalid UTF-8 inside JSON strings is decoded lossily (U+FFFD) and the event is
      // acknowledged and delivered with altered text. Suspect: src/ingest/tcp/line-framer.ts
      // `chunk.toString('utf8', …)` / `carry.toString('utf8', …)` (no fatal decoding).
      test('invalid UTF-8 inside strings is rejected, naming UTF-8', () => runTcpGroup(stack, 'bug-utf8', bugs.invalidUtf8InsideStrings!))

      // Fixed (was a bug, kept as a regression test).
      test('unknown fields with object/array values are named correctly', () => runTcpGroup(stack, 'bug-unknown', bugs.unknownFieldNames!))

      // Fixed (was a bug, kept as a regression test).
      test('label names longer than 128 chars are rejected', () => runTcpGroup(stack, 'bug-labels', bugs.labelKeyLength!))

      // Fixed (was a bug, kept as a regression test).
      test('numbers that would be altered on the way to ilert are rejected', () => runTcpGroup(stack, 'bug-numbers', bugs.alteredNumbers!))
    })

    describe('TCP: after the abuse', () => {
      test('memory stayed bounded, no prototype pollution, and the bridge still serves', async () => {
        expectNoPollution()
        const c = await connectClient(port())
        await c.send(validEvent('tcp-final') + '\n')
        expect(await c.waitForAck(1, 20_000)).toEqual({ ack: 1, accepted: 1, rejected: 0 })
        c.close()
        await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'tcp-final' }], 'tcp final')
        expectBoundedGrowth(baseline, memory())
      })
    })
  })
}
