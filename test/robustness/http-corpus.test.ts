/**
 * The bad-input corpus over HTTP (POST /events), against the real bridge and the ilert simulator.
 * Each input is sent alone as an application/json body and as a line of an NDJSON body. It must
 * be answered with a JSON error that names the problem (whole-body `reason`, or per item
 * `index`/`line`/`reason`/`field`); a control client sending valid events beside the abuse must
 * see each of them acknowledged and delivered; mcp_rejected_events_total{transport="http",reason}
 * must count each rejection; memory must stay bounded.
 */
import { isUtf8 } from 'node:buffer'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { postEvents, type Stack, waitFor } from '../helpers/harness'
import { bugCases, bytes, type Case, corpus, deepExpect, GARBAGE_BYTES, GARBAGE_SEED, type GroupName, randomBytes, STRING_FIELDS, validEvent } from './corpus'
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
  runHttpGroup,
  startControl,
  startRobustStack,
  STORES,
  withControl,
} from './support'

for (const store of STORES) {
  describe(`HTTP corpus, ${store} queue`, () => {
    let stack: Stack
    let baseline: MemoryReading

    beforeAll(async () => {
      stack = await startRobustStack({ store })
      await startControl(stack, 'http-warmup').stop()
      baseline = memory()
    })
    afterAll(() => stack.stop())

    test(`runs on the ${store} queue`, () => {
      expect(stack.app.config.queue.durable).toBe(store === 'durable')
    })

    async function post(body: string | Uint8Array | ReadableStream<Uint8Array> | null, contentType = 'application/json', headers: Record<string, string> = {}) {
      const res = await fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body })
      const text = await res.text()
      let json: any
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return { status: res.status, text, json, contentType: res.headers.get('content-type') }
    }

    function tenMegabytes(): ReadableStream<Uint8Array> {
      const chunk = new Uint8Array(64 * 1024).fill(0x78)
      let sent = 0
      return new ReadableStream({
        pull(c) {
          if (sent >= 160) return c.close()
          sent++
          c.enqueue(chunk)
        },
      })
    }

    const depthOpts = { maxJsonDepth: jsonDepthLimit() }
    const jsonCorpus = corpus('json', depthOpts)
    const ndjsonCorpus = corpus('ndjson', depthOpts)

    describe('HTTP: bad-input corpus (each input as a JSON body and as an NDJSON line, a control client beside it)', () => {
      for (const name of Object.keys(jsonCorpus) as GroupName[]) {
        test(`${name}: ${jsonCorpus[name].length} inputs, each answered naming index/line, reason and field; control unaffected; counted`, () =>
          runHttpGroup(stack, name, jsonCorpus[name], ndjsonCorpus[name]))
      }

      test('no prototype pollution after the corpus', () => {
        expectNoPollution()
      })
    })

    describe('HTTP: inputs beyond what a TCP line can carry', () => {
      test('100,000 levels of nesting in a body', async () => {
        const deep = (tag: string): Case[] => [
          { name: '100,000 levels of [ (a batch whose item 0 is an array)', line: new TextEncoder().encode('['.repeat(100_000) + ']'.repeat(100_000)), expect: deepExpect(99_999, depthOpts, { kind: 'rejected', reason: 'schema', field: '(root)', message: /object/ }) },
          { name: '100,000 levels of [ never closed', line: new TextEncoder().encode('['.repeat(100_000)), expect: { kind: 'rejected', reason: 'invalid_json', message: /\S/ } },
          { name: '100,000 levels of {"a": never closed', line: new TextEncoder().encode('{"a":'.repeat(100_000)), expect: { kind: 'rejected', reason: 'invalid_json', message: /\S/ } },
          { name: `100,000 levels of [ in tags (${tag})`, line: new TextEncoder().encode(`{"summary":"x","tags":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), expect: deepExpect(100_001, depthOpts, { kind: 'rejected', reason: 'schema', field: 'tags.0' }) },
        ]
        await runHttpGroup(stack, 'deep-100k', deep('json'), deep('ndjson'))
      })

      test('extremely long strings (800,000 chars) in each field: rejected naming the field, except free-form custom_details', async () => {
        const N = 800_000
        const long = (tag: string): Case[] => [
          ...STRING_FIELDS.map((f) => ({
            name: `${f.field}: ${N} chars`,
            line: new TextEncoder().encode(JSON.stringify({ summary: 'long', alert_key: `${tag}-long`, ...f.build('x'.repeat(N)) })),
            expect: { kind: 'rejected' as const, reason: 'schema', field: f.field, message: /length|less/i },
          })),
          {
            name: `custom_details value: ${N} chars (free-form; bounded by the body limit)`,
            line: new TextEncoder().encode(JSON.stringify({ summary: 'long custom', alert_key: `${tag}-xlong-custom`, custom_details: { blob: 'c'.repeat(N) } })),
            expect: { kind: 'accepted', alertKey: `${tag}-xlong-custom`, check: (a) => (a.customDetails?.blob as string | undefined)?.length === N },
          },
        ]
        await runHttpGroup(stack, 'long-800k', long('json'), long('ndjson'))
      })
    })

    describe('HTTP: empty, whitespace-only and binary bodies', () => {
      test('empty and whitespace-only bodies are 400 empty_body; blank NDJSON lines are skipped but numbered', async () => {
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-empty', async () => {
          for (const [body, type] of [
            [null, 'application/json'],
            ['', 'application/json'],
            ['   \n\t \r\n', 'application/json'],
            ['\n\r\n\n', 'application/x-ndjson'],
            [' \n\t\n', 'application/x-ndjson'],
          ] as const) {
            const r = await post(body, type)
            expect({ body, status: r.status, json: r.json }).toEqual({ body, status: 400, json: { accepted: 0, error: expect.stringMatching(/empty|no events/), reason: 'empty_body' } })
          }
          const r = await post(['', '   ', validEvent('http-blank-lines'), '\t', '{bad'].join('\n'), 'application/x-ndjson')
          expect(r.status).toBe(202)
          expect(r.json).toEqual({ accepted: 1, rejected: [{ index: 1, line: 5, reason: 'invalid_json', message: expect.stringContaining('line 5') }] })
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'http-blank-lines' }], 'http blank lines')
        })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ empty_body: 5, invalid_json: 1 })
      })

      test(`binary garbage (${GARBAGE_BYTES / 1024} KiB, seed ${GARBAGE_SEED}) as a JSON body and as NDJSON: every line answered`, async () => {
        const garbage = randomBytes(GARBAGE_SEED, GARBAGE_BYTES)
        // Expected NDJSON items exactly as the bridge frames them: split at \n, bytes that are not
        // UTF-8 refused as such, one \r stripped, blank lines skipped.
        const items: { line: number; reason: string }[] = []
        const raw = Buffer.from(garbage)
        const byteLines: Buffer[] = []
        for (let start = 0; start <= raw.length; ) {
          let end = raw.indexOf(10, start)
          if (end === -1) end = raw.length
          byteLines.push(raw.subarray(start, end))
          start = end + 1
        }
        byteLines.forEach((bytesOfLine, i) => {
            const text0 = bytesOfLine.toString('utf8')
            const text = text0.endsWith('\r') ? text0.slice(0, -1) : text0
            if (!isUtf8(bytesOfLine)) {
              if (text !== '') items.push({ line: i + 1, reason: 'invalid_utf8' })
              return
            }
            if (text.trim() === '') return
            let reason = 'invalid_json'
            try {
              JSON.parse(text)
              reason = 'schema'
            } catch {}
            items.push({ line: i + 1, reason })
          })
        expect(items.length).toBeGreaterThan(500)
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-garbage', async () => {
          const whole = await post(garbage, 'application/json')
          expect(whole.status).toBe(400)
          expect(whole.json).toEqual({ accepted: 0, error: expect.stringContaining('not valid UTF-8'), reason: 'invalid_utf8' })

          const nd = await post(bytes(garbage, '\n', validEvent('http-garbage-after'), '\n'), 'application/x-ndjson')
          expect(nd.status).toBe(202)
          expect(nd.json.accepted).toBe(1)
          const got = (nd.json.rejected as any[]).map((r) => ({ index: r.index, line: r.line, reason: r.reason }))
          expect(got).toEqual(items.map((it, index) => ({ index, line: it.line, reason: it.reason })))
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'http-garbage-after' }], 'http garbage')
        })
        expectRejectionCounts(delta(await rejectedByReason(stack, 'http'), before), ['invalid_utf8', ...items.map((i) => i.reason)])
      })
    })

    describe('HTTP: 10 MB bodies', () => {
      test('10 MB streamed without Content-Length (JSON and NDJSON): 413 body_too_large, counted', async () => {
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-10mb-chunked', async () => {
          for (const type of ['application/json', 'application/x-ndjson']) {
            const r = await post(tenMegabytes(), type)
            expect({ type, status: r.status, json: r.json }).toEqual({
              type,
              status: 413,
              json: { accepted: 0, error: expect.stringContaining('max_body_bytes'), reason: 'body_too_large' },
            })
          }
        })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ body_too_large: 2 })
      })

      test('just over the limit with Content-Length (1.5 MB): 413 body_too_large, counted', async () => {
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-1.5mb', async () => {
          const r = await post(JSON.stringify({ summary: 'x', details: 'd'.repeat(1.5 * 1024 * 1024) }))
          expect(r.status).toBe(413)
          expect(r.json).toEqual({ accepted: 0, error: expect.stringContaining('max_body_bytes'), reason: 'body_too_large' })
        })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ body_too_large: 1 })
      })

      // BUG: a body with Content-Length above 2 × listen.max_body_bytes + 64 KiB (e.g. 10 MB) is cut
      // off by Bun's own maxRequestBodySize before the route runs: a bare 413 with an empty body (no
      // JSON, no reason) that mcp_rejected_events_total{reason="body_too_large"} does not count.
      // Suspect: src/app.ts `maxRequestBodySize: c.listen.max_body_bytes * 2 + 65_536`.
      if (store === 'memory') test('10 MB with Content-Length: 413 JSON body_too_large, counted', async () => {
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-10mb-cl', async () => {
          const body = JSON.stringify({ summary: 'x', details: 'd'.repeat(10 * 1024 * 1024) })
          for (const type of ['application/json', 'application/x-ndjson']) {
            const r = await post(body, type)
            expect({ type, status: r.status, json: r.json }).toEqual({
              type,
              status: 413,
              json: { accepted: 0, error: expect.stringContaining('max_body_bytes'), reason: 'body_too_large' },
            })
          }
        })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ body_too_large: 2 })
      })
    })

    describe('HTTP: batches', () => {
      // BUG: an empty JSON array is answered 400 {"accepted":0,"rejected":[]}: no error, no reason,
      // nothing counted. Suspect: src/ingest/http/body.ts parseEventsBody (no empty-batch check) and
      // src/ingest/http/events.ts handleEvents.
      if (store === 'memory') test('an empty array is 400 empty_body, counted', async () => {
        const before = await rejectedByReason(stack, 'http')
        const r = await post('[]')
        expect(r.status).toBe(400)
        expect(r.json).toEqual({ accepted: 0, error: expect.any(String), reason: 'empty_body' })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ empty_body: 1 })
      })

      test('a batch mixing every kind of bad item with valid ones: each bad item named by index, the valid ones delivered', async () => {
        const before = await rejectedByReason(stack, 'http')
        await withControl(stack, 'http-mixed', async () => {
          const batch = [null, 42, 'str', [], { summary: 'ok', alert_key: 'http-mixed-1' }, { summary: 1 }, { summary: 'x', colour: 'red' }, { summary: 'ok', alert_key: 'http-mixed-2' }]
          const r = await post(JSON.stringify(batch))
          expect(r.status).toBe(202)
          expect(r.json.accepted).toBe(2)
          expect((r.json.rejected as any[]).map((x) => [x.index, x.reason, x.field])).toEqual([
            [0, 'schema', '(root)'],
            [1, 'schema', '(root)'],
            [2, 'schema', '(root)'],
            [3, 'schema', '(root)'],
            [5, 'schema', 'summary'],
            [6, 'schema', 'colour'],
          ])
          await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'http-mixed-1' }, { kind: 'accepted', alertKey: 'http-mixed-2' }], 'http mixed batch')
        })
        expect(delta(await rejectedByReason(stack, 'http'), before)).toEqual({ schema: 6 })
      })
    })

    describe('HTTP: duplicate keys', () => {
      test('answered deterministically: if accepted, the last value is the one delivered (JSON.parse semantics, documented in the README)', async () => {
        await withControl(stack, 'http-dup', async () => {
          const r = await post('{"summary":"first","summary":"second","alert_key":"http-dup-1"}')
          if (r.status === 202) {
            await waitFor('duplicate-key event at ilert', () => stack.sim.alerts().find((a) => a.alertKey === 'http-dup-1'), 20_000)
            expect(stack.sim.alerts().find((a) => a.alertKey === 'http-dup-1')!.summary).toBe('second')
          } else {
            expect(r.status).toBe(400)
            expect(r.text).toContain('summary')
          }
        })
      })
    })

    // The bug cases go through validation, which both stores share: listed once, with the memory queue.
    if (store === 'memory') describe('HTTP: inputs that expose bugs (todo until fixed; run with --todo)', () => {
      const json = bugCases('json-bug')
      const nd = bugCases('ndjson-bug')

      // BUG: invalid UTF-8 inside JSON strings is decoded lossily (U+FFFD) and the event is accepted
      // (202) and delivered with altered text. Suspect: src/ingest/http/body.ts readBounded
      // `Buffer…toString('utf8')` (no fatal decoding).
      test('invalid UTF-8 inside strings is rejected, naming UTF-8', () => runHttpGroup(stack, 'bug-utf8', json.invalidUtf8InsideStrings!, nd.invalidUtf8InsideStrings!))

      // Fixed (was a bug, kept as a regression test).
      test('unknown fields with object/array values are named correctly', () => runHttpGroup(stack, 'bug-unknown', json.unknownFieldNames!, nd.unknownFieldNames!))

      // Fixed (was a bug, kept as a regression test).
      test('label names longer than 128 chars are rejected', () => runHttpGroup(stack, 'bug-labels', json.labelKeyLength!, nd.labelKeyLength!))

      // Fixed (was a bug, kept as a regression test).
      test('numbers that would be altered on the way to ilert are rejected', () => runHttpGroup(stack, 'bug-numbers', json.alteredNumbers!, nd.alteredNumbers!))
    })

    describe('HTTP: after the abuse', () => {
      test('memory stayed bounded, no prototype pollution, and the bridge still serves', async () => {
        expectNoPollution()
        const r = await postEvents(stack, JSON.parse(validEvent('http-final')))
        expect(r.status).toBe(202)
        await expectDelivered(stack, [{ kind: 'accepted', alertKey: 'http-final' }], 'http final')
        expect((await fetch(`${stack.bound.http.url}/readyz`)).status).toBe(200)
        expectBoundedGrowth(baseline, memory())
      })
    })
  })
}
