// Issue 15.2: when an alert source's budget is the bottleneck its calls go out in the documented
// order: new ALERTs by priority (HIGH, unset, LOW), then ACCEPT/RESOLVE, then updates and
// comments; round-robin among equals; the order of calls per alert key always kept.
// Real dispatcher, real simulator enforcing the per-key window (scaled), one call at a time.
import { afterEach, expect, test } from 'bun:test'
import { rig, until } from './helpers'

let r: Awaited<ReturnType<typeof rig>> | undefined
afterEach(async () => {
  await r?.stop()
  r = undefined
})

test('a spent budget is used by class: HIGH, unset, LOW new alerts, then state changes, then updates and comments', async () => {
  r = await rig({ perKey: 4, windowMs: 300 })
  // Four alerts spend the first window and are open in ilert afterwards.
  r.add(['w0', 'w1', 'w2', 'w3'].map((k) => ({ alertKey: k, priority: 'LOW' as const })))
  await until('the first window spent', () => r!.calls().length === 4)
  r.add([
    { alertKey: 'a', priority: 'LOW' },
    { alertKey: 'a', eventType: 'RESOLVE' },
    { alertKey: 'w0', summary: 'updated' },
    { alertKey: 'b', priority: 'HIGH' },
    { alertKey: 'w1', eventType: 'COMMENT', comments: [{ creator: 'x', content: 'c' }] },
    { alertKey: 'd' },
    { alertKey: 'w2', eventType: 'ACCEPT' },
    { alertKey: 'c', priority: 'HIGH' },
    { alertKey: 'e', priority: 'LOW' },
  ])
  await until('all delivered', () => r!.calls().length === 13)
  expect(r.calls().slice(4)).toEqual([
    'b:ALERT', // new, HIGH, in arrival order
    'c:ALERT',
    'd:ALERT', // new, no priority
    'a:ALERT', // new, LOW
    'e:ALERT',
    'w2:ACCEPT', // state changes (a's RESOLVE became its head after a's ALERT, behind w2's ACCEPT)
    'a:RESOLVE',
    'w0:ALERT', // an update of an alert this bridge has open
    'w1:COMMENT',
  ])
  expect(r.sim.stats().rateLimited).toBe(0)
})

test('round-robin among equals: a key with many calls waits its turn behind the others; its own order is kept', async () => {
  r = await rig({ perKey: 3, windowMs: 300 })
  r.add(['p', 'q', 'z'].map((k) => ({ alertKey: k, priority: 'HIGH' as const })))
  await until('the first window spent', () => r!.calls().length === 3)
  r.add([
    { alertKey: 'p', eventType: 'ACCEPT' },
    { alertKey: 'p', eventType: 'RESOLVE' },
    { alertKey: 'p', summary: 'p again', priority: 'HIGH' },
    { alertKey: 'p', eventType: 'RESOLVE' },
    { alertKey: 'q', eventType: 'ACCEPT' },
    { alertKey: 'z', eventType: 'RESOLVE' },
  ])
  await until('all delivered', () => r!.calls().length === 9)
  const rest = r.calls().slice(3)
  // Equals (state changes) alternate: p, q, z, then p again; p's own calls stay in order.
  expect(rest.slice(0, 3)).toEqual(['p:ACCEPT', 'q:ACCEPT', 'z:RESOLVE'])
  expect(rest.filter((c) => c.startsWith('p:'))).toEqual(['p:ACCEPT', 'p:RESOLVE', 'p:ALERT', 'p:RESOLVE'])
  const final = r.sim.alerts().filter((a) => a.alertKey === 'p')
  expect(final.at(-1)!.status).toBe('RESOLVED')
})

test('through the dispatcher: a delivered RESOLVE makes the key known closed, so its next ALERT/RESOLVE pair cancels; with history unknown the RESOLVE is sent', async () => {
  r = await rig({ perKey: 2, windowMs: 300 }) // memory store: history unknown at start
  r.add([{ alertKey: 'spent-1' }, { alertKey: 'spent-2' }])
  await until('window spent', () => r!.calls().length === 2)
  r.add([{ alertKey: 'k' }, { alertKey: 'k', eventType: 'RESOLVE' }])
  await until('pair sent', () => r!.calls().length === 4)
  expect(r.calls().slice(2)).toEqual(['k:ALERT', 'k:RESOLVE'])
  await until('answers in', () => r!.dispatcher.stats().inFlight === 0 && r!.store.table.entries === 0)
  // Now the bridge knows k is closed in ilert.
  r.add([{ alertKey: 'spent-3' }, { alertKey: 'spent-4' }, { alertKey: 'spent-5' }])
  r.add([{ alertKey: 'k', summary: 'flap' }, { alertKey: 'k', eventType: 'RESOLVE' }])
  await until('drained', () => r!.store.table.entries === 0 && r!.dispatcher.stats().inFlight === 0)
  expect(r.calls().filter((c) => c.startsWith('k:'))).toEqual(['k:ALERT', 'k:RESOLVE'])
  expect(r.store.table.cancelled).toBe(2)
  expect(r.log.lines.some((l) => l.includes('ALERT and RESOLVE cancel out') && l.includes('"debug"'))).toBe(true)
})
