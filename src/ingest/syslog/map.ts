/**
 * Syslog message → our inbound event. The mapping (also in the README):
 *   severity 0-2 (emerg, alert, crit) → priority 1; 3 (err) → 2; 4 (warning) → 3; 5-7 → 4
 *   alert_key = "<hostname>/<app-name>/<msgid>" ("-" for an absent part), so repeats of one
 *     kind of message from one program on one host update one alert
 *   summary = the message (cut at 4096 characters; "<app> on <host>" when empty); details = the
 *     whole message when it was cut
 *   labels: host, app, procid, msgid, facility, severity (names); source "syslog"
 *   custom_details.syslog: format, timestamp, structured_data
 */
import type { McpEvent } from '../../pipeline/event-schema'
import { FACILITY_NAMES, SEVERITY_NAMES, type SyslogMessage } from './parse'

const PRIORITY_BY_SEVERITY = [1, 1, 1, 2, 3, 4, 4, 4]
const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s)

export function syslogToEvent(m: SyslogMessage, integrationKey: string | undefined): McpEvent {
  const host = m.hostname ?? '-'
  const app = m.appName ?? '-'
  const text = m.message.trim()
  const ev: McpEvent = {
    event_type: 'alert',
    alert_key: cut(`${host}/${app}/${m.msgId ?? '-'}`, 256),
    summary: text === '' ? cut(`${app} on ${host}`, 4096) : cut(text, 4096),
    priority: PRIORITY_BY_SEVERITY[m.severity]!,
    source: 'syslog',
  }
  if (text.length > 4096) ev.details = cut(text, 65_536)
  if (integrationKey !== undefined) ev.integration_key = integrationKey
  const labels: Record<string, string> = { facility: FACILITY_NAMES[m.facility] ?? String(m.facility), severity: SEVERITY_NAMES[m.severity]! }
  if (m.hostname) labels.host = cut(m.hostname, 1024)
  if (m.appName) labels.app = cut(m.appName, 1024)
  if (m.procId) labels.procid = cut(m.procId, 1024)
  if (m.msgId) labels.msgid = cut(m.msgId, 1024)
  ev.labels = labels
  const details: Record<string, string> = { format: m.format }
  if (m.timestamp) details.timestamp = m.timestamp
  if (m.structuredData) details.structured_data = cut(m.structuredData, 16_384)
  ev.custom_details = { syslog: details }
  return ev
}
