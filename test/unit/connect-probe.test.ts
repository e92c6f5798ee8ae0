/** The ilert client's connect probe over real loopback sockets: open port, closed port. */
import { expect, test } from 'bun:test'
import { probeConnect } from '../../src/dispatch/connect-probe'

test('a listening ilert origin: ok, and the probe leaves no connection behind', async () => {
  let opened = 0
  let closed = 0
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open() {
        opened++
      },
      data() {},
      close() {
        closed++
      },
    },
  })
  try {
    expect(await probeConnect(new URL(`http://127.0.0.1:${server.port}/api/events`), 1000)).toEqual({ kind: 'ok' })
    for (let i = 0; i < 100 && closed < 1; i++) await Bun.sleep(10)
    expect([opened, closed]).toEqual([1, 1])
  } finally {
    server.stop(true)
  }
})

test('nothing listening: a network error naming the origin (not a connect timeout)', async () => {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true) // a port that was free a moment ago and is closed now
  const r = await probeConnect(new URL(`http://127.0.0.1:${port}/api/events`), 5000)
  expect(r).toMatchObject({ kind: 'error', reason: 'network' })
  if (r.kind === 'error') expect(r.message).toContain(`127.0.0.1:${port}`)
})
