/** list_alert_log_entries: an alert's history (events received, notifications, who accepted or assigned). */
import { Type } from '@sinclair/typebox'
import { clampPage } from '../../../ilert/pagination'
import type { LogEntry } from './ilert-types'
import { Id, paging } from './common'
import { listOf, LogEntryOut } from './output-schemas'
import { logLine } from './render'
import { defineTool, ok, pageInfo, pageNote, READ_ONLY, restError } from './types'

export const listAlertLogEntries = defineTool({
  name: 'list_alert_log_entries',
  description: "List an ilert alert's log entries, oldest first: events received from its source, assignments, accepts and resolves, with who did them and when.",
  input: Type.Object({ id: Id('alert'), ...paging('alertLogEntries') }, { additionalProperties: false }),
  output: listOf('log_entries', LogEntryOut, { alert_id: Type.Integer() }),
  annotations: READ_ONLY('List alert log entries'),
  async run(args, ctx) {
    const page = clampPage('alertLogEntries', args.start_index, args.max_results)
    const r = await ctx.ilert<LogEntry[]>({ method: 'GET', path: `/alerts/${args.id}/log-entries`, query: page })
    if (r.kind === 'error') return restError(r)
    const entries = r.value ?? []
    const p = pageInfo(page['start-index'], page['max-results'], entries.length, ctx.now())
    return ok({ alert_id: args.id, log_entries: entries, count: entries.length, ...p }, entries.length ? `Alert #${args.id}:\n${entries.map(logLine).join('\n')}${pageNote(p)}` : `No log entries for alert #${args.id}.`)
  },
})
