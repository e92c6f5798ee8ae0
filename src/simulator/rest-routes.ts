/**
 * The simulator's REST API routes (paths under /api, as ilert's), each behind ilert's
 * authentication (rest-auth.ts). Kept apart from simulator.ts so the server setup stays short.
 */
import type { BunRequest } from 'bun'
import type { SimContext } from './context'
import { acceptAlert, addResponder, assignAlert, logEntries, resolveAlert } from './rest-alert-actions'
import { countAlerts, getAlert, listAlerts } from './rest-alerts'
import { authenticate, type RestCaller } from './rest-auth'
import { fullName } from './org'
import {
  createMaintenanceWindow,
  deleteMaintenanceWindow,
  getAlertSource,
  getHeartbeatMonitor,
  getMaintenanceWindow,
  listAlertSources,
  listHeartbeatMonitors,
  listMaintenanceWindows,
  listStatusPages,
  listTeams,
  updateMaintenanceWindow,
} from './rest-responder'
import { createIncident, getIncident, listIncidents, updateIncident } from './rest-incidents'
import {
  getPolicy,
  getSchedule,
  getService,
  getUser,
  listOnCalls,
  listPolicies,
  listSchedules,
  listServices,
  listUsers,
  scheduleShifts,
  searchUserByEmail,
  userOnCall,
} from './rest-org'

type Handler<P extends string> = (req: BunRequest<P>, caller: RestCaller) => Response | Promise<Response>

export function restRoutes(ctx: SimContext) {
  const auth =
    <P extends string>(h: Handler<P>) =>
    (req: BunRequest<P>): Response | Promise<Response> => {
      const a = authenticate(ctx, req)
      return a.kind === 'denied' ? a.response : h(req, a.caller)
    }
  return {
    '/api/alerts': { GET: auth<'/api/alerts'>((req) => listAlerts(ctx, req)) },
    '/api/alerts/count': { GET: auth<'/api/alerts/count'>((req) => countAlerts(ctx, req)) },
    '/api/alerts/:id': { GET: auth<'/api/alerts/:id'>((req) => getAlert(ctx, req.params.id)) },
    '/api/alerts/:id/accept': { PUT: auth<'/api/alerts/:id/accept'>((req, c) => acceptAlert(ctx, req.params.id, c)) },
    '/api/alerts/:id/resolve': { PUT: auth<'/api/alerts/:id/resolve'>((req, c) => resolveAlert(ctx, req.params.id, c)) },
    '/api/alerts/:id/assign': { PUT: auth<'/api/alerts/:id/assign'>((req, c) => assignAlert(ctx, req, req.params.id, c)) },
    '/api/alerts/:id/responders': { POST: auth<'/api/alerts/:id/responders'>((req, c) => addResponder(ctx, req, req.params.id, c)) },
    '/api/alerts/:id/log-entries': { GET: auth<'/api/alerts/:id/log-entries'>((req) => logEntries(ctx, req, req.params.id)) },
    '/api/users': { GET: auth<'/api/users'>((req) => listUsers(ctx, req)) },
    '/api/users/search-email': { POST: auth<'/api/users/search-email'>((req) => searchUserByEmail(ctx, req)) },
    '/api/users/:id': { GET: auth<'/api/users/:id'>((req, c) => getUser(ctx, req.params.id, c)) },
    '/api/schedules': { GET: auth<'/api/schedules'>((req) => listSchedules(ctx, req)) },
    '/api/schedules/:id': { GET: auth<'/api/schedules/:id'>((req) => getSchedule(ctx, req, req.params.id)) },
    '/api/schedules/:id/user-on-call': { GET: auth<'/api/schedules/:id/user-on-call'>((req) => userOnCall(ctx, req.params.id)) },
    '/api/schedules/:id/shifts': { GET: auth<'/api/schedules/:id/shifts'>((req) => scheduleShifts(ctx, req, req.params.id)) },
    '/api/escalation-policies': { GET: auth<'/api/escalation-policies'>((req) => listPolicies(ctx, req)) },
    '/api/escalation-policies/:id': { GET: auth<'/api/escalation-policies/:id'>((req) => getPolicy(ctx, req.params.id)) },
    '/api/services': { GET: auth<'/api/services'>((req) => listServices(ctx, req)) },
    '/api/services/:id': { GET: auth<'/api/services/:id'>((req) => getService(ctx, req.params.id)) },
    '/api/on-calls': { GET: auth<'/api/on-calls'>((req) => listOnCalls(ctx, req)) },
    '/api/incidents': {
      GET: auth<'/api/incidents'>((req) => listIncidents(ctx, req)),
      POST: auth<'/api/incidents'>((req) => createIncident(ctx, req)),
    },
    '/api/alert-sources': { GET: auth<'/api/alert-sources'>((req) => listAlertSources(ctx, req)) },
    '/api/alert-sources/:id': { GET: auth<'/api/alert-sources/:id'>((req) => getAlertSource(ctx, req, req.params.id)) },
    '/api/teams': { GET: auth<'/api/teams'>((req) => listTeams(ctx, req)) },
    '/api/status-pages': { GET: auth<'/api/status-pages'>((req) => listStatusPages(ctx, req)) },
    '/api/heartbeat-monitors': { GET: auth<'/api/heartbeat-monitors'>((req) => listHeartbeatMonitors(ctx, req)) },
    '/api/heartbeat-monitors/:id': { GET: auth<'/api/heartbeat-monitors/:id'>((req) => getHeartbeatMonitor(ctx, req.params.id)) },
    '/api/maintenance-windows': {
      GET: auth<'/api/maintenance-windows'>((req) => listMaintenanceWindows(ctx, req)),
      POST: auth<'/api/maintenance-windows'>((req, c) => createMaintenanceWindow(ctx, req, c.kind === 'user' ? fullName(c.user) : 'an API client')),
    },
    '/api/maintenance-windows/:id': {
      GET: auth<'/api/maintenance-windows/:id'>((req) => getMaintenanceWindow(ctx, req.params.id)),
      PUT: auth<'/api/maintenance-windows/:id'>((req) => updateMaintenanceWindow(ctx, req, req.params.id)),
      DELETE: auth<'/api/maintenance-windows/:id'>((req) => deleteMaintenanceWindow(ctx, req.params.id)),
    },
    '/api/incidents/:id': {
      GET: auth<'/api/incidents/:id'>((req) => getIncident(ctx, req.params.id)),
      PUT: auth<'/api/incidents/:id'>((req) => updateIncident(ctx, req, req.params.id)),
    },
  }
}
