/**
 * The bad-input corpus through the ilert-compatible `POST /api/events`, in ilert's body shape
 * (ilert-corpus.ts), on both queues. Every bad input must get ilert's 400 `{status, message, code}`
 * whose message names the field (or says the body is not JSON / not UTF-8 / too deep / not an
 * object), counted in mcp_rejected_events_total{transport="ilert_events",reason}; every accepted
 * case, and the valid ilert events an ilert-shaped control loop posts beside the abuse (plus the
 * usual TCP/HTTP control client), must be stored (202) and reach the ilert simulator.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Stack, waitFor } from '../helpers/harness'
import { corpus, type GroupName } from './corpus'
import { ilertGroup, type IlertCase, type IlertExpect, matchesField, ourFieldName, validIlertEvent } from './ilert-corpus'
import { delta, expectNoPollution, expectRejectionCounts, jsonDepthLimit, rejectedByReason, startRobustStack, STORES, withControl } from './support'

const T = 'ilert_events' as never

async function post(stack: Stack, body: Uint8Array) {
  const res = await fetch(`${stack.bound.http.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, text, json, contentType: res.headers.get('content-type') }
}

/** A problem with the answer to one case, or undefined when it fits. */
function check(r: Awaited<ReturnType<typeof post>>, want: IlertExpect): string | undefined {
  const got = `${r.status} ${r.text.slice(0, 300)}`
  if (want.kind === 'accepted') return r.status === 202 && r.text === '' ? undefined : `expected 202 (empty body), got ${got}`
  if (r.status !== 400) return `expected 400, got ${got}`
  if (r.contentType?.includes('application/json') !== true) return `content-type ${r.contentType}`
  const b = r.json
  if (typeof b !== 'object' || b === null || Object.keys(b).sort().join() !== 'code,message,status' || b.status !== 400 || b.code !== 'BAD_REQUEST' || typeof b.message !== 'string') {
    return `not ilert's error shape: ${got}`
  }
  if (want.message !== undefined && !want.message.test(b.message)) return `message ${JSON.stringify(b.message).slice(0, 200)}`
  if (want.field === '(root)') return /JSON object/.test(b.message) ? undefined : `message ${b.message.slice(0, 200)}`
  if (want.field !== undefined) {
    const named = /^Invalid field '([^]*?)'[: ]/.exec(b.message)?.[1]
    if (named === undefined) return `message does not name a field: ${b.message.slice(0, 200)}`
    if (!matchesField(want.field, ourFieldName(named))) return `field ${JSON.stringify(named).slice(0, 200)}, want ${want.field}`
  }
  return undefined
}

const describeWant = (w: IlertExpect) => (w.kind === 'accepted' ? `accepted as ${w.alertKey}` : `400 reason=${w.reason} field=${w.field ?? '-'}`) + (w.rule ? ` (${w.rule})` : '')

/** Waits until every accepted case is at the simulator (found by alert key, passing its check on the logged body or the alert). */
async function expectDelivered(stack: Stack, wants: IlertExpect[], what: string) {
  const acc = wants.filter((w): w is Extract<IlertExpect, { kind: 'accepted' }> => w.kind === 'accepted')
  const pending = () => {
    const events = stack.sim.events()
    const alerts = stack.sim.alerts()
    return acc
      .filter((w) => {
        if (w.rule === 'empty_means_none') return !events.some((e) => w.check!(e))
        const ofKey = alerts.filter((a) => a.alertKey === w.alertKey)
        if (w.rule !== undefined) return !events.some((e) => e.alertKey === w.alertKey && w.check!(e))
        return !ofKey.some((a) => w.check?.(a) ?? true)
      })
      .map((w) => w.alertKey)
  }
  try {
    await waitFor(`${what}: accepted events at ilert`, () => pending().length === 0, 20_000)
  } catch (err) {
    throw new Error(`${(err as Error).message}; missing or wrong: ${pending().join(', ')}`)
  }
}

async function runGroup(stack: Stack, name: string, cases: IlertCase[]) {
  const before = await rejectedByReason(stack, T)
  await withControl(stack, `ilert-${name}`, async () => {
    // An ilert-shaped control beside the abuse, on the same endpoint.
    let done = false
    const controlKeys: string[] = []
    const control = (async () => {
      for (let n = 0; !done || n < 3; n++) {
        const key = `ilert-ctl-${name}-${n}`
        const r = await post(stack, validIlertEvent(key))
        if (r.status !== 202) throw new Error(`ilert control: ${r.status} ${r.text}`)
        controlKeys.push(key)
      }
    })()
    const problems: string[] = []
    try {
      for (const k of cases) {
        const p = check(await post(stack, k.body), k.expect)
        if (p) problems.push(`${k.name}: ${p}; want ${describeWant(k.expect)}`)
      }
    } finally {
      done = true
      await control
    }
    expect(problems).toEqual([])
    await expectDelivered(stack, [...cases.map((k) => k.expect), ...controlKeys.map((alertKey) => ({ kind: 'accepted' as const, alertKey }))], `ilert ${name}`)
  }, { tcp: false })
  const reasons = cases.flatMap((k) => (k.expect.kind === 'rejected' ? [k.expect.reason] : []))
  expectRejectionCounts(delta(await rejectedByReason(stack, T), before), reasons)
}

for (const store of STORES) {
  describe(`POST /api/events corpus (ilert's body shape), ${store} queue`, () => {
    let stack: Stack
    beforeAll(async () => {
      stack = await startRobustStack({ store })
    })
    afterAll(() => stack.stop())

    test(`runs on the ${store} queue`, () => {
      expect(stack.app.config.queue.durable).toBe(store === 'durable')
    })

    const groups = corpus(`ilert-${store}`, { maxJsonDepth: jsonDepthLimit() })
    for (const name of Object.keys(groups) as GroupName[]) {
      const cases = ilertGroup(name, groups[name], `ilert-${store}`)
      test(`${name}: ${cases.length} inputs, each a 400 in ilert's shape naming the field, or stored and delivered; control unaffected; counted`, () =>
        runGroup(stack, name, cases))
    }

    test('no prototype pollution after the corpus', () => {
      expectNoPollution()
    })
  })
}
