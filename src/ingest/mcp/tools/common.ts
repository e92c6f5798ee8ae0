/**
 * Input-schema pieces shared by several tools: paging bounded by the endpoint's ilert cap (so a
 * model cannot even ask for a page ilert would refuse with 400) and numeric ids.
 */
import { FormatRegistry, Type } from '@sinclair/typebox'
import { PAGE_CAPS, type PagedEndpoint } from '../../../ilert/pagination'

// TypeBox checks no format unless registered; tool inputs use ISO-8601 date-times.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)))

export const Id = (what: string) => Type.Integer({ minimum: 1, description: `Numeric ${what} id.` })

export const paging = (endpoint: PagedEndpoint) => ({
  start_index: Type.Optional(Type.Integer({ minimum: 0, description: 'Offset of the first item (0-based). Use next_start_index from the previous page.' })),
  max_results: Type.Optional(
    Type.Integer({ minimum: 1, maximum: PAGE_CAPS[endpoint].max, description: `Page size, at most ${PAGE_CAPS[endpoint].max} (default ${PAGE_CAPS[endpoint].def}).` }),
  ),
})

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const

/** A relative time window ending now: "30m", "1h", "2d", "1w". */
export const Since = Type.String({
  pattern: '^[1-9][0-9]{0,4}[mhdw]$',
  description: 'Only what was reported in this window before the server time: a number and m, h, d or w, e.g. "30m", "1h", "2d". Instead of from.',
})

/** `since` ("1h") as an ISO time counted back from `now`. */
export function sinceToIso(since: string, now: number): string {
  const n = Number(since.slice(0, -1))
  return new Date(now - n * UNIT_MS[since.at(-1) as keyof typeof UNIT_MS]).toISOString()
}
