/**
 * Simulator-only routes that let tests and benchmarks look inside: the event log, counters, a
 * reset, runtime fault injection over HTTP (for a simulator running as a separate process) and a
 * health check. None of these exist at ilert.
 */
import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { SimContext } from './context'
import { ilertError, intParam, json } from './http'
import type { FaultOptions } from './options'
import type { EventLogEntry } from './state'

const LOG_MAX_RESULTS_DEFAULT = 1000

/** GET /api/events/log?start-index=&max-results=&alert-key= : accepted events, oldest first. */
export function eventLog(ctx: SimContext, req: Request): Response {
  const q = new URL(req.url).searchParams
  const start = intParam(q, 'start-index', 0)
  if (start instanceof Response) return start
  const max = intParam(q, 'max-results', LOG_MAX_RESULTS_DEFAULT)
  if (max instanceof Response) return max
  const key = q.get('alert-key')?.toLowerCase()
  const log = ctx.state.log
  const page: EventLogEntry[] = []
  let matched = 0
  for (let i = 0; i < log.length; i++) {
    const e = log.at(i)
    if (e === undefined || (key !== undefined && e.alertKey?.toLowerCase() !== key)) continue
    if (matched++ >= start && page.length < max) page.push(e)
  }
  return Response.json(page, { headers: { 'x-total-count': String(matched) } })
}

export function stats(ctx: SimContext): Response {
  return json(ctx.snapshot())
}

export function reset(ctx: SimContext): Response {
  ctx.reset()
  return new Response(null, { status: 204 })
}

const Num = Type.Optional(Type.Union([Type.Number(), Type.Null()]))
const FaultPatch = TypeCompiler.Compile(
  Type.Object(
    {
      errorRatio: Num,
      errorStatus: Num,
      latencyMs: Num,
      resetRatio: Num,
      downUntil: Num,
      forceStatus: Num,
      forceStatusKeys: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1000 }), Type.Null()])),
      hangMs: Num,
      times: Num,
      seed: Num,
    },
    { additionalProperties: false },
  ),
)

/** POST /admin/faults with a partial FaultOptions; `null` switches a fault off. Answers the faults now in force. */
export async function setFaults(ctx: SimContext, req: Request): Promise<Response> {
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return ilertError(400, 'Request body is not valid JSON')
  }
  if (!FaultPatch.Check(body)) {
    const e = FaultPatch.Errors(body).First()
    return ilertError(400, `Invalid field '${e?.path.slice(1) ?? '(root)'}': ${e?.message ?? 'invalid'}`)
  }
  const patch: FaultOptions = {}
  for (const [k, v] of Object.entries(body)) (patch as Record<string, unknown>)[k] = v ?? undefined
  ctx.faults.set(patch)
  return json(ctx.faults.current)
}

export function getFaults(ctx: SimContext): Response {
  return json(ctx.faults.current)
}
