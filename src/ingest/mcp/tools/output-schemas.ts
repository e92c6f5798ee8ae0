/**
 * The output schemas the tools declare (MCP `outputSchema`): what a client may rely on in
 * structuredContent. ilert objects are passed through as ilert sends them, so these describe the
 * fields the tools and models use and allow the rest: every object admits more properties, every
 * field but `id` is optional and may be null, and no `format` is used, so a newer ilert field or
 * a null cannot make a client's output validation reject a good answer.
 */
import { Type, type TProperties, type TSchema } from '@sinclair/typebox'

/** Optional and nullable: how ilert fields arrive (absent when not requested, null when unset). */
const opt = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]))
const Str = Type.String()
const Int = Type.Integer()

export const UserRefOut = Type.Object({ id: Int, firstName: opt(Str), lastName: opt(Str), email: opt(Str), role: opt(Str), timezone: opt(Str) })
export const RefOut = Type.Object({ id: Int, name: opt(Str) })

export const AlertOut = Type.Object({
  id: Int,
  summary: opt(Str),
  details: opt(Str),
  reportTime: opt(Str),
  resolvedOn: opt(Str),
  status: opt(Str),
  priority: opt(Str),
  alertKey: opt(Str),
  alertSource: opt(RefOut),
  escalationPolicy: opt(RefOut),
  assignedTo: opt(UserRefOut),
  responders: opt(Type.Array(Type.Object({ user: opt(UserRefOut), status: opt(Str) }))),
  labels: opt(Type.Record(Type.String(), Type.Unknown())),
  links: opt(Type.Array(Type.Object({ href: opt(Str), text: opt(Str) }))),
  url: Type.Optional(Type.String({ description: 'The alert in the ilert web app.' })),
})

export const IncidentOut = Type.Object({
  id: Int,
  summary: opt(Str),
  status: opt(Str),
  message: opt(Str),
  sendNotification: opt(Type.Boolean()),
  createdAt: opt(Str),
  updatedAt: opt(Str),
  resolvedOn: opt(Str),
  affectedServices: opt(Type.Array(Type.Object({ impact: opt(Str), service: opt(RefOut) }))),
  url: Type.Optional(Type.String({ description: 'The incident in the ilert web app.' })),
})

export const LogEntryOut = Type.Object({ id: Type.Optional(Int), timestamp: opt(Str), logEntryType: opt(Str), text: opt(Str) })
export const OnCallOut = Type.Object({ user: opt(UserRefOut), escalationPolicy: opt(RefOut), schedule: opt(RefOut), start: opt(Str), end: opt(Str), escalationLevel: opt(Int) })
const ShiftOut = Type.Object({ user: opt(UserRefOut), start: opt(Str), end: opt(Str) })
export const ScheduleOut = Type.Object({ id: Int, name: opt(Str), timezone: opt(Str), type: opt(Str), currentShift: opt(ShiftOut), nextShift: opt(ShiftOut) })
export const PolicyOut = Type.Object({
  id: Int,
  name: opt(Str),
  routingKey: opt(Str),
  escalationRules: opt(Type.Array(Type.Object({ escalationTimeout: opt(Type.Number()), users: opt(Type.Array(UserRefOut)), schedules: opt(Type.Array(RefOut)) }))),
})
export const ServiceOut = Type.Object({ id: Int, name: opt(Str), status: opt(Str), description: opt(Str) })
export const AlertSourceOut = Type.Object({ id: Int, name: opt(Str), status: opt(Str), active: opt(Type.Boolean()), integrationType: opt(Str), escalationPolicy: opt(RefOut) })
export const TeamOut = Type.Object({ id: Int, name: opt(Str), members: opt(Type.Array(Type.Object({ user: opt(UserRefOut), role: opt(Str) }))) })
export const StatusPageOut = Type.Object({ id: Int, name: opt(Str), status: opt(Str), visibility: opt(Str), domain: opt(Str), services: opt(Type.Array(ServiceOut)) })
export const HeartbeatOut = Type.Object({ id: Int, name: opt(Str), state: opt(Str), intervalSec: opt(Type.Number()), lastPingAt: opt(Str), alertSource: opt(RefOut) })
export const WindowOut = Type.Object({
  id: Int,
  summary: opt(Str),
  description: opt(Str),
  start: opt(Str),
  end: opt(Str),
  services: opt(Type.Array(RefOut)),
  alertSources: opt(Type.Array(RefOut)),
  createdBy: opt(Str),
})

const ServerTime = Type.String({ description: "The server's time when this was read (ISO-8601 UTC)." })

/** The paging fields every list result carries (types.ts pageInfo). */
export const PageOut = {
  count: Type.Integer({ description: 'Items in this page.' }),
  start_index: Type.Integer(),
  max_results: Type.Integer(),
  next_start_index: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as start_index for the next page; null at the end.' }),
  server_time: ServerTime,
}

/** `{ [key]: item[], count, start_index, max_results, next_start_index, server_time, ...extra }`. */
export const listOf = (key: string, item: TSchema, extra: TProperties = {}) => Type.Object({ [key]: Type.Array(item), ...PageOut, ...extra })

export const serverTime = () => ({ server_time: ServerTime })
