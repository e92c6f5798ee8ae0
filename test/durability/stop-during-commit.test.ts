// A graceful stop that begins while an event's commit (its fdatasync) is under way still gives
// the sender its acknowledgement before the connection closes: the event is stored, and a sender
// without its ack would send it again (a duplicate at ilert). The MQTT source's case is in
// test/sources/mqtt-tls-auth.test.ts; these are HTTP's 202 and TCP's ack line.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../helpers/harness'
import { heldSync } from '../helpers/held-sync'

const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-stop-commit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Starts a durable bridge (ilert down, so nothing leaves), runs `send` with the sync held, stops mid-commit. */
async function stopDuringCommit<T>(name: string, send: (stack: Awaited<ReturnType<typeof startStack>>) => Promise<T>): Promise<T> {
  const sync = heldSync()
  const stack = await startStack({
    config: { tcp: { enabled: true, port: 0 }, queue: { durable: true, path: join(dir, name) }, dispatch: { drain_timeout_seconds: 1 } },
    app: { syncFn: sync.syncFn },
    sim: { faults: { forceStatus: 503 } },
  })
  sync.hold()
  const answer = send(stack)
  while (sync.waiting() === 0) await Bun.sleep(2)
  const stopped = stack.stop()
  await Bun.sleep(100) // the stop has begun while the commit waits for its sync
  sync.release()
  await stopped
  return answer
}

test('HTTP: the 202 goes out before the listener closes', async () => {
  const status = await stopDuringCommit('http', (stack) =>
    fetch(stack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ summary: 'during the stop', alert_key: 'stop-http' }) }).then(
      (r) => r.status,
      (e: Error) => `no answer: ${e.message}`,
    ),
  )
  expect(status).toBe(202)
})

test('TCP: the ack line goes out before the connection closes', async () => {
  let got = ''
  let closed = false
  await stopDuringCommit('tcp', async (stack) => {
    const s = await Bun.connect({ hostname: '127.0.0.1', port: stack.bound.tcp!.port, socket: { data: (_s, d) => void (got += d.toString()), close: () => void (closed = true) } })
    s.write(`${JSON.stringify({ summary: 'during the stop', alert_key: 'stop-tcp' })}\n`)
  })
  for (let i = 0; i < 100 && !closed; i++) await Bun.sleep(10)
  expect(got).toBe('{"ack":1,"accepted":1,"rejected":0}\n')
  expect(closed).toBe(true)
})
