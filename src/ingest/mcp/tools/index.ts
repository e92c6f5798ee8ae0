/**
 * Every MCP tool the bridge serves, in the order tools/list shows them. `readOnlyTools` is the
 * set left when mcp.read_only hides everything that changes state.
 */
import './common' // registers the date-time format before any tool input is checked
import { addAlertResponder } from './add-alert-responder'
import { acceptAlert, resolveAlert } from './alert-actions'
import { assignAlert } from './assign-alert'
import { getHeartbeatMonitor, listAlertSources, listHeartbeatMonitors, listStatusPages, listTeams } from './catalog'
import { commentOnAlert, escalateAlert } from './comment-escalate'
import { createMaintenanceWindow, endMaintenanceWindow, listMaintenanceWindows } from './maintenance'
import { getCurrentUser, listMyAlerts } from './me'
import { findUserByEmail, listEscalationPolicies, listSchedules, listServices, listUsers } from './directory'
import { getAlert } from './get-alert'
import { createIncident, getIncident, listIncidents, updateIncident } from './incidents'
import { listAlertLogEntries } from './list-alert-log-entries'
import { listAlerts } from './list-alerts'
import { fetchTool, search } from './search-fetch'
import { sendEvent } from './send-event'
import type { ToolDef } from './types'
import { whoIsOnCall } from './who-is-on-call'

export const ALL_TOOLS: readonly ToolDef[] = [
  search,
  fetchTool,
  sendEvent,
  listAlerts,
  listMyAlerts,
  getAlert,
  acceptAlert,
  resolveAlert,
  assignAlert,
  addAlertResponder,
  commentOnAlert,
  escalateAlert,
  listAlertLogEntries,
  listAlertSources,
  getCurrentUser,
  whoIsOnCall,
  listSchedules,
  listEscalationPolicies,
  listServices,
  listUsers,
  findUserByEmail,
  listTeams,
  listHeartbeatMonitors,
  getHeartbeatMonitor,
  listMaintenanceWindows,
  createMaintenanceWindow,
  endMaintenanceWindow,
  listStatusPages,
  listIncidents,
  getIncident,
  createIncident,
  updateIncident,
]

export const toolsFor = (readOnly: boolean): readonly ToolDef[] => (readOnly ? ALL_TOOLS.filter((t) => t.annotations.readOnlyHint) : ALL_TOOLS)
