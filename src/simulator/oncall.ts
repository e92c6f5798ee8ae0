/**
 * On-call arithmetic for the simulator's seeded rotations: who holds a schedule's shift at a time,
 * the shifts overlapping a range, and ilert's OnCall rows (user, escalation policy, schedule,
 * start, end, escalationLevel) for GET /api/on-calls. Pure functions over seed-org data.
 */
import { POLICIES, SCHEDULES, type SeedPolicy, type SeedSchedule } from './seed-org'

export interface Shift {
  userId: number
  start: number
  end: number
}

export interface OnCallRow {
  userId: number
  policy: SeedPolicy | undefined
  schedule: SeedSchedule | undefined
  start: number
  end: number
  escalationLevel: number | null
}

const HOUR = 3_600_000

/** The shift of `s` that contains `t`. */
export function shiftAt(s: SeedSchedule, t: number): Shift {
  const len = s.shiftHours * HOUR
  const k = Math.floor((t - s.epoch) / len)
  const n = s.users.length
  return { userId: s.users[((k % n) + n) % n]!, start: s.epoch + k * len, end: s.epoch + (k + 1) * len }
}

/** Shifts of `s` overlapping [from, until] (a single instant when from === until), in order. */
export function shiftsBetween(s: SeedSchedule, from: number, until: number, limit = 1000): Shift[] {
  const out: Shift[] = []
  let cur = shiftAt(s, from)
  while (out.length < limit) {
    out.push(cur)
    if (cur.end > until) break
    cur = shiftAt(s, cur.end)
  }
  return out
}

export interface OnCallFilter {
  policies?: Set<number>
  schedules?: Set<number>
  users?: Set<number>
  from: number
  until: number
}

/** OnCall rows for every policy level (and for schedules no policy uses), filtered. */
export function onCalls(f: OnCallFilter): OnCallRow[] {
  const rows: OnCallRow[] = []
  const usedSchedules = new Set<number>()
  for (const policy of POLICIES) {
    if (f.policies && !f.policies.has(policy.id)) continue
    policy.rules.forEach((rule, i) => {
      for (const sid of rule.schedules ?? []) {
        usedSchedules.add(sid)
        const schedule = SCHEDULES.find((s) => s.id === sid)
        if (schedule === undefined || (f.schedules && !f.schedules.has(sid))) continue
        for (const sh of shiftsBetween(schedule, f.from, f.until)) rows.push({ userId: sh.userId, policy, schedule, start: sh.start, end: sh.end, escalationLevel: i + 1 })
      }
      if (f.schedules) return
      for (const uid of rule.users ?? []) rows.push({ userId: uid, policy, schedule: undefined, start: f.from, end: f.until, escalationLevel: i + 1 })
    })
  }
  if (!f.policies) {
    for (const schedule of SCHEDULES) {
      if (usedSchedules.has(schedule.id) || (f.schedules && !f.schedules.has(schedule.id))) continue
      for (const sh of shiftsBetween(schedule, f.from, f.until)) rows.push({ userId: sh.userId, policy: undefined, schedule, start: sh.start, end: sh.end, escalationLevel: null })
    }
  }
  return f.users ? rows.filter((r) => f.users!.has(r.userId)) : rows
}

/** Who a policy's first level pages at `t` (an alert's initial assignee). */
export function firstResponder(policy: SeedPolicy, t: number): number | undefined {
  const rule = policy.rules[0]
  if (rule === undefined) return undefined
  const sid = rule.schedules?.[0]
  const schedule = sid === undefined ? undefined : SCHEDULES.find((s) => s.id === sid)
  return schedule ? shiftAt(schedule, t).userId : rule.users?.[0]
}
