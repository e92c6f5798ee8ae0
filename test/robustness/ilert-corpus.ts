/**
 * The shared bad-input corpus (corpus.ts) in ilert's Event body shape, for the ilert-compatible
 * `POST /api/events`. Each case's bytes are rewritten as little as possible: inputs that are not
 * JSON objects (truncated, bad UTF-8, too deep, not an object) are sent as they are; a JSON object
 * gets ilert's names (alert_key → alertKey, custom_details → customDetails, ...) and is prefixed
 * with `integrationKey` and `eventType: "ALERT"`, which the case's own values override (JSON.parse
 * keeps the last of duplicate keys).
 *
 * The expectation is the corpus's own, with the field in ilert's spelling, except where ilert's
 * contract differs from ours; those rules are spelled out below (`ilertRule`) so a reader sees every
 * case whose outcome is not the TCP/HTTP one, and why.
 */
import { TEST_KEY } from '../helpers/harness'
import { bytes, type Case, type Expect, type GroupName } from './corpus'

export const TO_ILERT: Record<string, string> = {
  alert_key: 'alertKey',
  custom_details: 'customDetails',
  routing_key: 'routingKey',
  integration_key: 'integrationKey',
  event_type: 'eventType',
}
const FROM_ILERT = Object.fromEntries(Object.entries(TO_ILERT).map(([a, b]) => [b, a]))

/** ilert's field path in our spelling (`alertKey` → `alert_key`, `customDetails.x` → `custom_details.x`). */
export function ourFieldName(field: string): string {
  const dot = field.indexOf('.')
  const head = dot === -1 ? field : field.slice(0, dot)
  const name = FROM_ILERT[head] ?? head
  return dot === -1 ? name : name + field.slice(dot)
}

export type IlertExpect =
  | { kind: 'accepted'; alertKey: string; check?: (a: any) => boolean; rule?: string }
  /** 400 `{status: 400, message, code: 'BAD_REQUEST'}`; `field` matched against the field the message names, in our spelling. */
  | { kind: 'rejected'; reason: string | RegExp; field?: string | RegExp; message?: RegExp; rule?: string }

export interface IlertCase {
  name: string
  body: Uint8Array
  expect: IlertExpect
}

const te = new TextEncoder()
const td = new TextDecoder('utf-8', { fatal: true })

/** Fields of our event that ilert's body does not have; ilert ignores unknown properties. */
const NOT_IN_ILERT = ['mcp_id', 'source', 'tags']

/**
 * Where ilert's contract differs from ours, the outcome on POST /api/events:
 * - a field ilert's body does not have (mcp_id, source, tags), or any unknown property at any
 *   level, is ignored as ilert ignores it: the event is accepted without it, or, when that leaves
 *   an ALERT without summary, rejected naming `summary`;
 * - ilert's empty `alertKey`/`routingKey` mean "none": accepted;
 * - `eventType: "ALERT"` is ilert's spelling: accepted.
 * Undefined: the corpus's expectation holds (the field in ilert's spelling).
 */
function ilertRule(group: GroupName, k: Case, parsed: Record<string, unknown>): 'ignored' | 'empty_means_none' | 'ilert_spelling' | undefined {
  const hasSummary = typeof parsed.summary === 'string' && parsed.summary !== ''
  if (k.expect.kind !== 'rejected' || k.expect.reason !== 'schema') return undefined
  const wrongType = /^([a-z_]+) = (.*)$/.exec(k.name)
  if (group === 'wrongTypes' && wrongType) {
    const [, field, value] = wrongType
    if (NOT_IN_ILERT.includes(field!)) return 'ignored'
    if ((field === 'alert_key' || field === 'routing_key') && value === '""') return 'empty_means_none'
    if (field === 'event_type' && value === '"ALERT"') return 'ilert_spelling'
    return undefined
  }
  if (group === 'longStrings' && NOT_IN_ILERT.some((f) => k.name.startsWith(`${f}:`) || k.name.startsWith(`${f}.`))) return 'ignored'
  if (group === 'notAnObject' && k.name === 'object where an array is expected (tags)') return 'ignored'
  if (group === 'unknownFields' || group === 'prototypePollution' || k.name === 'escaped \\u0000 in a field name') {
    return hasSummary ? 'ignored' : undefined // without summary: the summary error below
  }
  return undefined
}

/** Rewrites one corpus group into ilert's shape. `tag` makes the alert keys of rule-accepted cases unique. */
export function ilertGroup(group: GroupName, cases: Case[], tag: string): IlertCase[] {
  return cases.map((k, i) => {
    if (k.expect.kind === 'rejected' && k.expect.reason !== 'schema') {
      return { name: k.name, body: k.line, expect: { kind: 'rejected', reason: k.expect.reason, message: k.expect.message } }
    }
    let text: string
    let parsed: unknown
    try {
      text = td.decode(k.line)
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`corpus case ${k.name}: expected to be JSON`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { name: k.name, body: k.line, expect: { kind: 'rejected', reason: 'schema', field: '(root)', message: /JSON object/ } }
    }
    let renamed = text
    for (const [ours, theirs] of Object.entries(TO_ILERT)) renamed = renamed.replaceAll(`"${ours}":`, `"${theirs}":`)
    const rest = renamed.slice(1).trimStart()
    const prefix = `{"integrationKey":${JSON.stringify(TEST_KEY)},"eventType":"ALERT"`
    let body = rest.startsWith('}') ? prefix + rest : `${prefix},${rest}`
    const obj = parsed as Record<string, unknown>
    const rule = ilertRule(group, k, obj)
    let expect: IlertExpect
    if (rule !== undefined) {
      // Accepted: an alert key of its own (unless the empty alert key is the point), found by it or by its details.
      const alertKey = `${tag}-${group}-${i}`
      const marker = `ilert corpus ${alertKey}`
      const tail = `"details":${JSON.stringify(marker)}${rule === 'empty_means_none' && k.name.startsWith('alert_key') ? '' : `,"alertKey":${JSON.stringify(alertKey)}`}`
      body = body.replace(/}\s*$/, `,${tail}}`)
      expect = { kind: 'accepted', alertKey, check: (a) => a.body?.details === marker, rule }
    } else if (k.expect.kind === 'accepted') {
      expect = { kind: 'accepted', alertKey: k.expect.alertKey, check: k.expect.check }
    } else if (!(typeof obj.summary === 'string' && obj.summary !== '') && (k.expect.field === undefined || !matchesField(k.expect.field, 'summary'))) {
      // The corpus's error concerns a field ilert ignores; what remains is an ALERT without summary.
      expect = { kind: 'rejected', reason: 'schema', field: 'summary', rule: 'ignored, then summary missing' }
    } else {
      expect = { kind: 'rejected', reason: k.expect.reason, field: k.expect.field }
    }
    return { name: k.name, body: te.encode(body), expect }
  })
}

export function matchesField(want: string | RegExp, got: string): boolean {
  return typeof want === 'string' ? got === want : want.test(got)
}

/** A valid ilert Event body. */
export function validIlertEvent(alertKey: string, extra: Record<string, unknown> = {}): Uint8Array {
  return bytes(JSON.stringify({ integrationKey: TEST_KEY, eventType: 'ALERT', summary: `valid ${alertKey}`, alertKey, priority: 'HIGH', ...extra }))
}

export type { Expect }
