// The process's stdout/stderr writers (src/observability/stdio.ts): log lines and CLI output written
// synchronously to fds 1 and 2 must arrive whole and in order, however slowly the reader drains
// the pipe (a pipe holds 64 KiB; a dead-letter listing is larger).
import { expect, test } from 'bun:test'
import { join } from 'node:path'

const STDIO = join(import.meta.dir, '../../src/observability/stdio.ts')

test('4 MB written through stdoutWriter and stderrWriter to slow pipes arrive complete and in order', async () => {
  const script = `import { stdoutWriter, stderrWriter } from ${JSON.stringify(STDIO)}
for (let i = 0; i < 20000; i++) { stdoutWriter.write('out ' + i + ' ' + 'é'.repeat(50) + '\\n'); stderrWriter.write('err ' + i + ' ' + 'x'.repeat(90) + '\\n') }`
  const child = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' })
  const read = async (s: ReadableStream<Uint8Array>) => {
    const chunks: Uint8Array[] = []
    for await (const c of s) {
      chunks.push(c)
      if (chunks.length % 16 === 0) await Bun.sleep(1) // a slow reader: the writer meets a full pipe
    }
    return Buffer.concat(chunks).toString()
  }
  const [out, err, code] = await Promise.all([read(child.stdout), read(child.stderr), child.exited])
  expect(code).toBe(0)
  const outLines = out.split('\n').slice(0, -1)
  const errLines = err.split('\n').slice(0, -1)
  expect(outLines).toHaveLength(20000)
  expect(errLines).toHaveLength(20000)
  expect(outLines).toEqual(Array.from({ length: 20000 }, (_, i) => `out ${i} ${'é'.repeat(50)}`))
  expect(errLines).toEqual(Array.from({ length: 20000 }, (_, i) => `err ${i} ${'x'.repeat(90)}`))
})
