/**
 * The inbound event contract: one TypeBox schema, shared by HTTP, TCP and the MCP `send_event` tool
 * (as its JSON input schema). It takes the seed README's MCP event (mcp_id, source, priority,
 * summary, details, tags) plus everything ilert's Events API carries. Its check is compiled ahead
 * of time into src/generated/checks.ts (scripts/gen-checks.ts), so ingest never loads TypeBox
 * unless an event is invalid and its error must be named (pipeline/compiled.ts).
 */
import { Type, type Static } from '@sinclair/typebox'
import { EVENT_TYPES } from './event-constants'

export { EVENT_TYPES, LABEL_NAME_MAX, type EventTypeName } from './event-constants'

const ShortString = (max: number, extra: object = {}) => Type.String({ maxLength: max, ...extra })

export const EventSchema = Type.Object(
  {
    mcp_id: Type.Optional(ShortString(256, { minLength: 1, description: 'Sender-side event id; default alert_key.' })),
    source: Type.Optional(ShortString(256, { description: 'Who produced the event (becomes label "source").' })),
    priority: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 4, description: 'MCP priority 1..4, mapped via mapping.priority_map.' }),
    ),
    summary: Type.Optional(ShortString(4096, { minLength: 1, description: 'Alert summary; required for alert events.' })),
    details: Type.Optional(ShortString(65_536, { description: 'Alert details (Markdown).' })),
    tags: Type.Optional(Type.Array(ShortString(256), { maxItems: 64 })),
    event_type: Type.Optional(
      Type.Union(
        EVENT_TYPES.map((t) => Type.Literal(t)),
        { description: 'alert (default), accept, resolve or comment.' },
      ),
    ),
    alert_key: Type.Optional(ShortString(256, { minLength: 1, description: 'ilert dedup key; defaults to mcp_id.' })),
    severity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'Overrides the mapped severity.' })),
    links: Type.Optional(
      Type.Array(
        Type.Object({ href: ShortString(2048, { minLength: 1 }), text: Type.Optional(ShortString(256)) }, { additionalProperties: false }),
        { maxItems: 32 },
      ),
    ),
    images: Type.Optional(
      Type.Array(
        Type.Object(
          { src: ShortString(2048, { minLength: 1 }), href: Type.Optional(ShortString(2048)), alt: Type.Optional(ShortString(256)) },
          { additionalProperties: false },
        ),
        { maxItems: 32 },
      ),
    ),
    comments: Type.Optional(
      Type.Array(
        Type.Object({ creator: ShortString(256), content: ShortString(16_384) }, { additionalProperties: false }),
        { maxItems: 32 },
      ),
    ),
    labels: Type.Optional(Type.Record(Type.String(), ShortString(1024), { maxProperties: 64 })),
    custom_details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 256 })),
    routing_key: Type.Optional(ShortString(256, { minLength: 1 })),
    services: Type.Optional(
      Type.Array(
        Type.Object(
          { alias: Type.Optional(ShortString(256)), id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) },
          { additionalProperties: false },
        ),
        { maxItems: 32 },
      ),
    ),
    integration_key: Type.Optional(ShortString(256, { minLength: 1, description: 'Route to another ilert alert source.' })),
  },
  { additionalProperties: false, $id: 'McpEvent' },
)

export type McpEvent = Static<typeof EventSchema>
