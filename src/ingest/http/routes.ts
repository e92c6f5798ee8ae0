/**
 * The Elysia side of the HTTP listener: the admin API (admin.ts) and /mcp (mcp/route.ts).
 * POST /events and the probes are served from Bun's native route table (events.ts), so the
 * App loads this module, and Elysia with it, on the first request for any other path.
 */
import { Elysia } from 'elysia'
import type { QueueStore } from '../../queue/open-store'
import { createAdminRoutes } from './admin'
import { createMcpRoutes, type McpRouteDeps } from '../mcp/route'

/** Everything the listener serves beyond its native routes, as one fetch handler. */
export function createHttpApp(store: QueueStore, mcp: McpRouteDeps): (req: Request) => Response | Promise<Response> {
  const app = new Elysia().use(createAdminRoutes(store)).use(createMcpRoutes(mcp))
  return (req) => app.fetch(req)
}
