/** The simulator CLI: argument parsing, and a real start/stop through runSimulatorCli. */
import { describe, expect, test } from 'bun:test'
import { parseSimulatorArgs, runSimulatorCli } from '../../src/simulator/cli'
import { createMemoryLogger } from '../../src/observability/logger'

describe('simulator CLI', () => {
  test('parses flags into options', () => {
    const p = parseSimulatorArgs(['--port', '0', '--per-key-limit', '5', '--window-ms', '1000', '--error-ratio', '0.3', '--reset-ratio', '0.1', '--latency-ms', '7', '--force-status', '503', '--times', '3', '--integration-key', 'a', '--integration-key', 'b'])
    expect(p.kind).toBe('run')
    if (p.kind !== 'run') return
    expect(p.options).toMatchObject({ port: 0, address: '127.0.0.1', rateLimit: { perKey: 5, windowMs: 1000 }, integrationKeys: ['a', 'b'] })
    expect(p.options.faults).toMatchObject({ errorRatio: 0.3, resetRatio: 0.1, latencyMs: 7, forceStatus: 503, times: 3 })
    expect(parseSimulatorArgs([]).kind === 'run' && parseSimulatorArgs([])).toMatchObject({ options: { port: 8090, rateLimit: { perKey: 50, windowMs: 60000 } } })
  })

  test('rejects bad values and unknown flags; --help', () => {
    expect(parseSimulatorArgs(['--error-ratio', '1.5'])).toMatchObject({ kind: 'error' })
    expect(parseSimulatorArgs(['--port', 'x'])).toMatchObject({ kind: 'error' })
    expect(parseSimulatorArgs(['--window-ms', '0'])).toMatchObject({ kind: 'error' })
    expect(parseSimulatorArgs(['--nope'])).toMatchObject({ kind: 'error' })
    expect(parseSimulatorArgs(['-h'])).toEqual({ kind: 'help' })
  })

  test('runSimulatorCli serves until stopped, logs one listening line, exits 0', async () => {
    const log = createMemoryLogger('info')
    const stop = new AbortController()
    let url = ''
    const done = runSimulatorCli(['--port', '0', '--per-key-limit', '1'], { log, signal: stop.signal, onListening: (u) => (url = u) })
    while (url === '') await Bun.sleep(5)
    const body = JSON.stringify({ integrationKey: 'k1234', eventType: 'ALERT', summary: 's' })
    expect((await fetch(`${url}/api/events`, { method: 'POST', body })).status).toBe(202)
    expect((await fetch(`${url}/api/events`, { method: 'POST', body })).status).toBe(429)
    stop.abort()
    expect(await done).toBe(0)
    const listening = log.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'ilert simulator listening.')
    expect(listening).toMatchObject({ level: 'info', url })
    expect(await fetch(`${url}/healthz`).then(() => 'up', () => 'down')).toBe('down')
  })

  test('exit code 2 on bad arguments, 0 on --help', async () => {
    const log = createMemoryLogger('info')
    expect(await runSimulatorCli(['--bogus'], { log })).toBe(2)
    let out = ''
    expect(await runSimulatorCli(['--help'], { log, stdout: { write: (s: string) => (out += s) } })).toBe(0)
    expect(out).toContain('--per-key-limit')
  })
})
