/**
 * How `search` reads a query, and how it ranks what it finds. A query is free text a person or a
 * model typed ("What alerts are open for payments?"), so it is split into words and:
 * - `kind:id` words ("alert:2", "incident:1", "service:3") name objects to fetch directly;
 * - kind words ("alert", "incidents", "service") narrow the kinds searched;
 * - state words ("open", "pending", "acknowledged", "resolved", "investigating", ...) become
 *   ilert's server-side `states` filters, and a relative window ("1h", "2d", "today") its `from`;
 * - stop words ("what", "are", "for", ...) are dropped;
 * - the rest are search terms, stemmed ("payments" → "payment") and matched as substrings.
 * An object matches when ANY term appears in its text; more distinct terms rank higher, a term in
 * the title counts extra, and an exact `#id` counts most. With no terms left (e.g. "open alerts"),
 * everything the filters return matches.
 */
export type Kind = 'alert' | 'incident' | 'service'
export const KINDS: readonly Kind[] = ['alert', 'incident', 'service']

export interface ParsedQuery {
  /** Objects named as `kind:id`, fetched directly. */
  refs: { kind: Kind; id: number }[]
  /** Kinds to search (every kind when the query names none). */
  kinds: Set<Kind>
  /** Server-side `states` filters; undefined = no state word for that kind. */
  alertStates?: string[]
  incidentStates?: string[]
  /** Server-side `from` (epoch ms) for alerts, from "1h", "2d", "today". */
  fromMs?: number
  terms: string[]
}

const STOP_WORDS = new Set(
  (
    'a an the and or but of on in at to from by with about into over for as is are was were be been being am do does did done have has had ' +
    'what which who whom whose where when why how there here this that these those it its they them their we us our you your i me my mine ' +
    'any all some each every no not none can could should would will shall may might must please show list find get give tell search look ' +
    'see fetch want need know let lets right now currently current happening going on up new just still also only very much many ' +
    'thing things stuff anything something everything ilert item items related regarding concerning affecting affected'
  ).split(' '),
)

const KIND_WORDS: Record<string, Kind> = {
  alert: 'alert', alerts: 'alert', alarm: 'alert', alarms: 'alert',
  incident: 'incident', incidents: 'incident',
  service: 'service', services: 'service',
}

const OPEN_INCIDENT = ['INVESTIGATING', 'IDENTIFIED', 'MONITORING']
/** State word → the alert and incident states it stands for (and so, the kinds it concerns). */
const STATE_WORDS: Record<string, { alert?: string[]; incident?: string[] }> = {
  open: { alert: ['PENDING', 'ACCEPTED'], incident: OPEN_INCIDENT },
  active: { alert: ['PENDING', 'ACCEPTED'], incident: OPEN_INCIDENT },
  ongoing: { alert: ['PENDING', 'ACCEPTED'], incident: OPEN_INCIDENT },
  unresolved: { alert: ['PENDING', 'ACCEPTED'], incident: OPEN_INCIDENT },
  pending: { alert: ['PENDING'] },
  firing: { alert: ['PENDING'] },
  triggered: { alert: ['PENDING'] },
  unacknowledged: { alert: ['PENDING'] },
  unaccepted: { alert: ['PENDING'] },
  accepted: { alert: ['ACCEPTED'] },
  acknowledged: { alert: ['ACCEPTED'] },
  acked: { alert: ['ACCEPTED'] },
  resolved: { alert: ['RESOLVED'], incident: ['RESOLVED'] },
  closed: { alert: ['RESOLVED'], incident: ['RESOLVED'] },
  investigating: { incident: ['INVESTIGATING'] },
  identified: { incident: ['IDENTIFIED'] },
  monitoring: { incident: ['MONITORING'] },
}

const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const RELATIVE = /^(\d{1,4})(m|min|h|d|w)$/
const REF = /^(alert|incident|service)s?:#?(\d{1,12})$/

/** "payments" → "payment", "policies" → "policy", "classes" → "class"; short words stay. */
export function stem(word: string): string {
  if (word.length <= 3) return word
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`
  if (/(sses|xes|ches|shes)$/.test(word)) return word.slice(0, -2)
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1)
  return word
}

const union = (a: string[] | undefined, b: string[]) => [...new Set([...(a ?? []), ...b])]

export function parseQuery(query: string, now: number): ParsedQuery {
  const out: ParsedQuery = { refs: [], kinds: new Set(), terms: [] }
  const stateKinds = new Set<Kind>()
  const words = query
    .toLowerCase()
    .split(/[\s,;!?()"'`[\]{}<>|]+/)
    .map((w) => w.replace(/^[.:]+|[.:]+$/g, ''))
    .filter((w) => w !== '' && w !== '*')
  for (const w of words) {
    const ref = REF.exec(w)
    if (ref) {
      out.refs.push({ kind: ref[1] as Kind, id: Number(ref[2]) })
      continue
    }
    if (KIND_WORDS[w]) {
      out.kinds.add(KIND_WORDS[w])
      continue
    }
    const state = STATE_WORDS[w]
    if (state) {
      if (state.alert) (out.alertStates = union(out.alertStates, state.alert)), stateKinds.add('alert')
      if (state.incident) (out.incidentStates = union(out.incidentStates, state.incident)), stateKinds.add('incident')
      continue
    }
    const rel = RELATIVE.exec(w)
    if (rel) {
      out.fromMs = now - Number(rel[1]) * UNIT_MS[rel[2]!]!
      continue
    }
    if (w === 'today') {
      out.fromMs = now - (now % 86_400_000)
      continue
    }
    if (STOP_WORDS.has(w)) continue
    const term = stem(w.replace(/^#/, ''))
    if (term !== '' && !out.terms.includes(term)) out.terms.push(term)
  }
  // Kinds named explicitly win; else state words narrow to the kinds they concern; else all.
  if (out.kinds.size === 0) for (const k of stateKinds.size ? stateKinds : KINDS) out.kinds.add(k)
  return out
}

/**
 * How well an object matches: for each distinct term found, 1 (2 when it is in the title), and 3
 * for a term that is the object's id. 0 = no match. With no terms, everything scores 1.
 */
export function score(terms: string[], id: number, title: string, rest: (string | null | undefined)[]): number {
  if (terms.length === 0) return 1
  const t = title.toLowerCase()
  const hay = `${t} ${rest.filter(Boolean).join(' ').toLowerCase()}`
  let s = 0
  for (const term of terms) {
    if (term === String(id)) s += 3
    else if (t.includes(term)) s += 2
    else if (hay.includes(term)) s += 1
  }
  return s
}
