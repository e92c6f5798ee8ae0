/**
 * The tools' names alone, so the bridge can create every mcp_tool_calls_total series at 0 at
 * start without loading the tools themselves (they load with the first /mcp request). A test
 * holds this list equal to the names in ALL_TOOLS.
 */
export const TOOL_NAMES = [
  'search', 'fetch', 'send_event', 'list_alerts', 'list_my_alerts', 'get_alert', 'accept_alert', 'resolve_alert', 'assign_alert',
  'add_alert_responder', 'comment_on_alert', 'escalate_alert', 'list_alert_log_entries', 'list_alert_sources', 'get_current_user',
  'who_is_on_call', 'list_schedules', 'list_escalation_policies', 'list_services', 'list_users', 'find_user_by_email', 'list_teams',
  'list_heartbeat_monitors', 'get_heartbeat_monitor', 'list_maintenance_windows', 'create_maintenance_window', 'end_maintenance_window',
  'list_status_pages', 'list_incidents', 'get_incident', 'create_incident', 'update_incident',
] as const
