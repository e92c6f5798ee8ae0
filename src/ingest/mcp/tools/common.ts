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
