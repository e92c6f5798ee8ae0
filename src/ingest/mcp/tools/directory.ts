/**
 * The read-only directory tools: list_schedules (with current and next shift), list_escalation_policies
 * (their levels), list_services (with status), list_users and find_user_by_email. Each pages within
 * its endpoint's ilert cap.
 */
import { Type } from '@sinclair/typebox'
import { clampPage, type PagedEndpoint } from '../../../ilert/pagination'
import type { EscalationPolicy, Schedule, Service, UserRef } from './ilert-types'
import { paging } from './common'
import { listOf, PolicyOut, ScheduleOut, ServiceOut, UserRefOut } from './output-schemas'
import { policyLine, scheduleLine, serviceLine, userLine } from './render'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError, type ToolContext, type ToolOutcome } from './types'

async function listPage<T>(
  ctx: ToolContext,
  endpoint: PagedEndpoint,
  path: string,
  key: string,
  args: { start_index?: number; max_results?: number },
  line: (t: T) => string,
  query: Record<string, string | string[]> = {},
  decorate: (t: T) => T = (t) => t,
): Promise<ToolOutcome> {
  const page = clampPage(endpoint, args.start_index, args.max_results)
  const r = await ctx.ilert<T[]>({ method: 'GET', path, query: { ...page, ...query } })
  if (r.kind === 'error') return restError(r)
  const items = (r.value ?? []).map(decorate)
  const p = pageInfo(page['start-index'], page['max-results'], items.length, ctx.now())
  return ok({ [key]: items, count: items.length, ...p }, items.length ? `${items.map(line).join('\n')}${pageNote(p)}` : `No ${key.replace('_', ' ')} (server time ${p.server_time}).`)
}

export const listSchedules = defineTool({
  name: 'list_schedules',
  description: 'List ilert on-call schedules with who is on call now and who is next (ids for who_is_on_call and assign_alert).',
  input: Type.Object({ ...paging('schedules') }, { additionalProperties: false }),
  output: listOf('schedules', ScheduleOut),
  annotations: READ_ONLY('List on-call schedules'),
  run: (args, ctx) => listPage<Schedule>(ctx, 'schedules', '/schedules', 'schedules', args, scheduleLine, { include: ['currentShift', 'nextShift'] }),
})

export const listEscalationPolicies = defineTool({
  name: 'list_escalation_policies',
  description: 'List ilert escalation policies and their levels: who (users or schedules) is paged at each level and after how many minutes it escalates.',
  input: Type.Object({ ...paging('escalationPolicies') }, { additionalProperties: false }),
  output: listOf('escalation_policies', PolicyOut),
  annotations: READ_ONLY('List escalation policies'),
  run: (args, ctx) => listPage<EscalationPolicy>(ctx, 'escalationPolicies', '/escalation-policies', 'escalation_policies', args, policyLine),
})

export const listServices = defineTool({
  name: 'list_services',
  description: 'List ilert services (what status pages show) with their current status: OPERATIONAL, DEGRADED, PARTIAL_OUTAGE, MAJOR_OUTAGE or UNDER_MAINTENANCE.',
  input: Type.Object({ ...paging('services') }, { additionalProperties: false }),
  output: listOf('services', Type.Object({ ...ServiceOut.properties, url: Type.String({ description: 'The service in the ilert web app.' }) })),
  annotations: READ_ONLY('List services'),
  run: (args, ctx) =>
    listPage<Service & { url?: string }>(ctx, 'services', '/services', 'services', args, (s) => serviceLine(s, s.url), {}, (s) => ({ ...s, url: ctx.link('service', s.id) })),
})

export const listUsers = defineTool({
  name: 'list_users',
  description: 'List the users of the ilert account with id, name, email, role and time zone.',
  input: Type.Object({ ...paging('users') }, { additionalProperties: false }),
  output: listOf('users', UserRefOut),
  annotations: READ_ONLY('List users'),
  run: (args, ctx) => listPage<UserRef>(ctx, 'users', '/users', 'users', args, userLine),
})

export const findUserByEmail = defineTool({
  name: 'find_user_by_email',
  description: 'Find an ilert user by email address (exact, case-insensitive). Returns the user id needed by assign_alert and add_alert_responder.',
  input: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320, description: 'Email address, e.g. jane@example.com.' }) }, { additionalProperties: false }),
  output: Type.Object({ user: UserRefOut }),
  annotations: READ_ONLY('Find user by email'),
  async run(args, ctx) {
    const r = await ctx.ilert<UserRef>({ method: 'POST', path: '/users/search-email', body: { email: args.email } })
    if (r.kind === 'error') return restError(r)
    return ok({ user: r.value }, userLine(r.value))
  },
})
