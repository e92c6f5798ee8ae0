/**
 * Micro-benchmark behind bench/PROFILE.md §2: reading a POST body through the request's JS
 * ReadableStream (what src/ingest/http/body.ts readBounded does) vs `await request.text()`, in a
 * bare Bun.serve, driven by wrk with the HTTP scenario's single-event bodies, alternating.
 * Usage: bun bench/micro/http-body-read.ts [rounds=4] [seconds=3]   (needs wrk)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BENCH, BUN, median, pinned, spawnChild, SUT_CORE } from '../lib/common'
import { httpBodies } from '../lib/events'
import { runWrk } from '../lib/wrk'

if (process.argv[2] === '--serve') {
  const mode = process.argv[3]
  async function viaStream(request: Request): Promise<string> {
    const reader = request.body!.getReader()
    const chunks: Uint8Array[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
    }
    return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength).toString('utf8') : Buffer.concat(chunks).toString('utf8')
  }
  const s = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    routes: {
      '/events': {
        POST: async (req) => {
          JSON.parse(mode === 'stream' ? await viaStream(req) : await req.text())
          return new Response('{"accepted":1}', { status: 202 })
        },
      },
    },
  })
  process.on('SIGTERM', () => process.exit(0))
  console.log(JSON.stringify({ port: s.port }))
} else {
  const rounds = Number(process.argv[2] ?? 4)
  const seconds = Number(process.argv[3] ?? 3)
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-micro-http-'))
  const bodies = join(dir, 'single.bodies')
  writeFileSync(bodies, httpBodies(10_000, 1, 10_000).join('\n') + '\n')
  const rps: Record<string, number[]> = { stream: [], text: [] }
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['stream', 'text']) {
      const child = spawnChild(pinned(SUT_CORE, [BUN, join(BENCH, 'micro', 'http-body-read.ts'), '--serve', mode]), { readyJson: true })
      const { port } = (await child.ready) as { port: number }
      const w = await runWrk({ url: `http://127.0.0.1:${port}`, bodiesFile: bodies, connections: 50, seconds })
      rps[mode]!.push(Math.round(w.requestsPerSec))
      await child.kill()
    }
  }
  for (const [mode, xs] of Object.entries(rps)) console.log(`${mode.padEnd(6)} median ${median(xs)} req/s  (runs ${xs.join(', ')})`)
  rmSync(dir, { recursive: true, force: true })
}
