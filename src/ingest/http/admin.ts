/**
 * The admin HTTP API over the dead letters: list, replay into the store (at each event's place in
 * its alert key's order; `?force=true` also sends ones newer deliveries superseded), purge. The same
 * operations as `mcp-ilert dead-letters`, for a running bridge. Integration keys are masked in
 * every listing.
 */
import { Elysia } from 'elysia'
import type { Selection } from '../../queue/dead-letters'
import type { QueueStore } from '../../queue/open-store'
import { BodyTooLarge, readBounded } from './body'
import { json } from './events'

/** A selection is a few ids; nothing legitimate comes near this. */
const MAX_ADMIN_BODY_BYTES = 1_048_576


/** `{"all":true}` or `{"ids":[1,2]}`; anything else is a 400 naming the field. */
export function parseSelection(body: unknown): Selection | { error: string } {
  if (typeof body !== 'object' || body === null) return { error: 'body must be {"all":true} or {"ids":[...]}' }
  const b = body as { all?: unknown; ids?: unknown }
  if (b.all === true) return { kind: 'all' }
  if (Array.isArray(b.ids) && b.ids.length > 0 && b.ids.every((i) => Number.isInteger(i) && i > 0)) return { kind: 'ids', ids: b.ids as number[] }
  return { error: 'ids must be a non-empty array of positive integers (or send {"all":true})' }
}

async function readSelection(request: Request): Promise<Selection | { error: string; status?: number }> {
  let text: string
  try {
    text = (await readBounded(request, MAX_ADMIN_BODY_BYTES)).text
  } catch (e) {
    if (e instanceof BodyTooLarge) return { error: `body exceeds ${MAX_ADMIN_BODY_BYTES} bytes`, status: 413 }
    throw e
  }
  try {
    return parseSelection(JSON.parse(text))
  } catch {
    return { error: 'body is not valid JSON' }
  }
}

export function createAdminRoutes(store: QueueStore) {
  return new Elysia({ name: 'http-admin' })
    .get('/admin/dead-letters', ({ query }) => {
      const limit = Math.min(1000, Math.max(1, Number(query.limit) || 100))
      return json(200, { size: store.deadLetters.size, items: store.deadLetters.list(limit) })
    })
    .post(
      '/admin/dead-letters/replay',
      async ({ request }) => {
        const sel = await readSelection(request)
        if ('error' in sel) return json(sel.status ?? 400, { error: sel.error })
        return json(200, await store.replay(sel, new URL(request.url).searchParams.get('force') === 'true'))
      },
      { parse: 'none' },
    )
    .post(
      '/admin/dead-letters/purge',
      async ({ request }) => {
        const sel = await readSelection(request)
        if ('error' in sel) return json(sel.status ?? 400, { error: sel.error })
        return json(200, { purged: store.purge(sel) })
      },
      { parse: 'none' },
    )
}
