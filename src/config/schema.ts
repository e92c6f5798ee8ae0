/**
 * The bridge's whole configuration as one TypeBox schema with documented defaults.
 * Loaded and validated once at start (see load.ts) by the check compiled from it ahead of time
 * (src/generated/checks.ts, which also holds it as JSON): the start does not load TypeBox. The rest
 * of the code receives a typed `Config`.
 * The seed README's keys (listen, tls, ilert, mapping, rate_limit, retries, logging, metrics) are
 * accepted exactly as written; everything else is what the real ilert API needs.
 */
import { Type, type Static } from '@sinclair/typebox'

const Positive = (def: number, extra: object = {}) => Type.Integer({ minimum: 1, default: def, ...extra })
const Seconds = (def: number) => Type.Number({ exclusiveMinimum: 0, default: def })

export const LevelName = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9_-]*$' })

export const LevelTarget = Type.Object(
  {
    priority: Type.Union([Type.Literal('HIGH'), Type.Literal('LOW')]),
    severity: Type.Integer({ minimum: 1, maximum: 5 }),
  },
  { additionalProperties: false },
)

export const ConfigSchema = Type.Object(
  {
    listen: Type.Object(
      {
        address: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        max_body_bytes: Positive(1_048_576),
        /** Events in one POST /events body (JSON array or NDJSON lines); more is a 413. */
        max_events_per_request: Positive(10_000),
        /** Seconds a connection may stay silent (also mid-request); Bun caps it at 255. Headers must be complete within Bun's fixed 10 s. */
        idle_timeout_seconds: Positive(30, { maximum: 255 }),
        /** Seconds a request body may take to arrive once its headers are in; beyond it 408 and the connection closed. */
        body_timeout_seconds: Seconds(10),
        /** Requests being handled at once on the HTTP listener; beyond it 503. */
        max_requests_in_flight: Positive(1024),
        /** Requests being handled at once per client address; beyond it 429. */
        max_requests_in_flight_per_peer: Positive(64),
      },
      { additionalProperties: false, default: {} },
    ),
    tls: Type.Object(
      {
        cert_file: Type.Optional(Type.String()),
        key_file: Type.Optional(Type.String()),
        /** PEM CA bundle: a TCP client presenting a certificate it signed needs no auth line. */
        client_ca_file: Type.Optional(Type.String()),
        /** Oldest TLS version offered; older ones are never accepted. */
        min_version: Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], { default: 'TLSv1.2' }),
      },
      { additionalProperties: false, default: {} },
    ),
    tcp: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        address: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
        max_line_bytes: Positive(65_536, { maximum: 16_777_216 }),
        max_connections: Positive(1024),
        idle_timeout_seconds: Positive(300),
        /** Connections at once from one client address; beyond it the connection is refused. */
        max_connections_per_peer: Positive(256),
        /** Seconds a new connection has to finish its TLS handshake and send its first line (the auth line when required). */
        auth_timeout_seconds: Positive(10),
      },
      { additionalProperties: false, default: {} },
    ),
    ilert: Type.Object(
      {
        /** User API key for the REST API (MCP tools). Secret. */
        api_key: Type.String({ default: '' }),
        api_url: Type.String({ default: 'https://api.ilert.com', pattern: '^https?://' }),
        /** Alert-source integration key used by the Events API. Secret. */
        integration_key: Type.String({ default: '' }),
        /** Seed README's "optional fallback": used as integration key when integration_key is empty. Secret. */
        webhook_key: Type.String({ default: '' }),
        connect_timeout_seconds: Seconds(5),
        timeout_seconds: Seconds(15),
      },
      { additionalProperties: false, default: {} },
    ),
    mapping: Type.Object(
      {
        priority_map: Type.Record(Type.String({ pattern: '^[0-9]+$' }), LevelName, {
          default: { '1': 'critical', '2': 'high', '3': 'medium', '4': 'low' },
        }),
        /** Level used when an event carries no priority. */
        default_level: Type.String({ default: 'medium' }),
        levels: Type.Record(LevelName, LevelTarget, {
          default: {
            critical: { priority: 'HIGH', severity: 1 },
            high: { priority: 'HIGH', severity: 2 },
            medium: { priority: 'LOW', severity: 3 },
            low: { priority: 'LOW', severity: 4 },
            info: { priority: 'LOW', severity: 5 },
          },
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    rate_limit: Type.Object(
      {
        /** Global cap on outgoing calls per window (ilert's per-IP API limit is 700/min). */
        per_minute: Positive(600, { maximum: 1_000_000 }),
        /** Cap per integration key (ilert: 50 events/min per alert source). */
        per_key_per_minute: Positive(50, { maximum: 100_000 }),
        /** Window length; 60 for real ilert. Tests and benchmarks scale it down. */
        window_seconds: Seconds(60),
        /** Extra time a spent token stays spent, covering clock and network skew against ilert's windows. */
        margin_seconds: Type.Number({ minimum: 0, default: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    retries: Type.Object(
      {
        max_attempts: Positive(5),
        base_interval_seconds: Seconds(2),
        max_interval_seconds: Seconds(60),
      },
      { additionalProperties: false, default: {} },
    ),
    queue: Type.Object(
      {
        /**
         * Pending ilert calls held (coalesced records: what ilert still has to receive, whatever
         * the number of events merged into them); ingest pushes back when reached.
         */
        capacity: Positive(65_536, { maximum: 16_777_216 }),
        /**
         * local: this bridge's own store (the write-ahead log in queue.path, or memory when
         * durable is false); nats: a JetStream stream shared by several bridges (see nats.*).
         */
        backend: Type.Union([Type.Literal('local'), Type.Literal('nats')], { default: 'local' }),
        /** Keep every accepted event in the write-ahead log before acknowledging it. */
        durable: Type.Boolean({ default: true }),
        /**
         * Directory of the durable store (created if missing); one bridge per directory. The loader
         * fills the default from the environment: $STATE_DIRECTORY, else ~/.local/state/mcp-ilert,
         * else this one (data-dir.ts).
         */
        path: Type.String({ default: '/var/lib/mcp-ilert', minLength: 1 }),
        /**
         * full: the fdatasync covering an event is done before its acknowledgement (survives power
         * loss and kill -9); normal: written to the OS before it (survives a process crash, not power
         * loss); off: as normal, and segments are not synced when they are closed either.
         */
        sync: Type.Union([Type.Literal('full'), Type.Literal('normal'), Type.Literal('off')], { default: 'full' }),
        /** Upper bound on everything in queue.path, in bytes (0 = the disk's size); beyond it ingest answers storage_full. */
        max_disk_bytes: Type.Integer({ minimum: 0, default: 0 }),
        /** Size at which a log segment is closed and a new one begun. */
        segment_bytes: Positive(8 * 1024 * 1024, { minimum: 65_536 }),
        /**
         * Bytes of event bodies (as JSON) the pending calls may hold in memory, in both modes; beyond
         * it ingest pushes back like a full queue. The heap they take is a small multiple of this.
         */
        max_memory_bytes: Positive(256 * 1024 * 1024, { minimum: 65_536 }),
      },
      { additionalProperties: false, default: {} },
    ),
    dispatch: Type.Object(
      {
        concurrency: Positive(16, { maximum: 1024 }),
        /** No longer used (0.1: events moved from the queue per batch); accepted so old configs load. */
        batch_size: Positive(1024),
        /** No longer used: queue.capacity now bounds the pending calls; accepted so old configs load. */
        max_pending: Positive(100_000),
        drain_timeout_seconds: Type.Number({ minimum: 0, default: 30 }),
        /** Dead letters kept in memory when queue.durable is false (the durable store keeps all). */
        dead_letter_capacity: Positive(10_000),
        /**
         * A RESOLVE whose ALERT is still unsent, for an alert key this bridge has no open ALERT for
         * in ilert, cancels it: neither is sent (README "Storms"). When the key's history is unknown
         * the RESOLVE is sent.
         */
        cancel_pairs: Type.Boolean({ default: true }),
        /** Storm digest (README "Storms"): one alert per alert source whose backlog would take too long to drain. */
        storm: Type.Object(
          {
            digest: Type.Boolean({ default: true }),
            /** A backlog that would take longer than this to drain at the source's rate limit opens the digest. */
            max_delay_seconds: Seconds(300),
            /** Label names whose values the digest counts the waiting alerts by. */
            group_by_labels: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
            /** Display names for alert sources (digest summary, metric label); others show their masked integration key. */
            source_names: Type.Array(
              Type.Object({ integration_key: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
              { default: [] },
            ),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** The shared JetStream store (queue.backend: nats; src/queue/nats/). */
    nats: Type.Object(
      {
        /** Server URLs, comma-separated (nats://host:4222, tls://host:4222), tried in turn and on reconnect. */
        servers: Type.String({ default: 'nats://127.0.0.1:4222', minLength: 1 }),
        user: Type.String({ default: '' }),
        /** Secret. */
        password: Type.String({ default: '' }),
        /** Secret. */
        token: Type.String({ default: '' }),
        /** PEM CA bundle for TLS to NATS; setting it (or cert_file) turns TLS on. */
        tls_ca_file: Type.String({ default: '' }),
        /** Client certificate and key (PEM) when the server asks for one. */
        tls_cert_file: Type.String({ default: '' }),
        tls_key_file: Type.String({ default: '' }),
        /** JetStream stream shared by every bridge of one fleet; its KV buckets are named after it. */
        stream: Type.String({ default: 'MCP_ILERT', pattern: '^[A-Za-z0-9_-]+$' }),
        /** Stream replicas (1 on a single server; 3 on a cluster). */
        replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
        /** Partitions (units of ownership); fixed for the life of the stream. More than the instances you will run. */
        partitions: Positive(16, { maximum: 1024 }),
        /** Bound on the stream's bytes; beyond it publishes are refused and ingest answers storage_full. */
        max_bytes: Type.Integer({ minimum: 1_048_576, default: 1024 * 1024 * 1024 }),
        /** A partition's lease: it moves to another instance this long after its owner stopped renewing. */
        lease_seconds: Type.Number({ minimum: 0.5, default: 10 }),
        /** This instance's name in the leases (default host-pid); unique per running bridge. */
        instance: Type.String({ default: '' }),
        /** How long a publish waits for JetStream's acknowledgement. */
        publish_timeout_seconds: Type.Number({ minimum: 0.1, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    logging: Type.Object(
      {
        level: Type.Union(
          [Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')],
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        listen_address: Type.String({ default: '127.0.0.1' }),
        listen_port: Type.Integer({ minimum: 0, maximum: 65535, default: 9090 }),
        /** When set, GET /metrics requires "Authorization: Bearer <token>". Secret. */
        token: Type.String({ default: '' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Inbound authentication for POST /events, the admin API and TCP (security/). */
    auth: Type.Object(
      {
        /** Bearer tokens (TCP: first line {"auth":"<token>"}). Empty list: no authentication. Secrets. */
        tokens: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
        /** File with more tokens, one per line (# comments); read at start. */
        tokens_file: Type.String({ default: '' }),
        /** When set, only these tokens may use /admin/* (others get 403); when empty, any token may. Secrets. */
        admin_tokens: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
        /** Longest delay put on one failed authentication; repeated failures from one address wait longer, up to this. */
        failure_delay_max_seconds: Type.Number({ minimum: 0, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Structural bounds on inbound JSON, whatever the transport. */
    limits: Type.Object(
      {
        /** Deepest nesting of arrays/objects in one event; deeper events are rejected (reason json_too_deep). */
        max_json_depth: Positive(32, { maximum: 1000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Syslog listener (src/ingest/syslog/): RFC 5424 and RFC 3164 over TCP and UDP. Off by default. */
    syslog: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        address: Type.String({ default: '127.0.0.1' }),
        /** TCP port (octet-counted or newline framing, detected per connection); -1 = no TCP listener. */
        tcp_port: Type.Integer({ minimum: -1, maximum: 65535, default: 5514 }),
        /** UDP port (one message per datagram); -1 = no UDP listener. */
        udp_port: Type.Integer({ minimum: -1, maximum: 65535, default: 5514 }),
        /** Least severe message that becomes an event (0 emerg .. 7 debug); less severe ones are counted and dropped. */
        min_severity: Type.Union(
          ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'].map((n) => Type.Literal(n)),
          { default: 'warning' },
        ),
        /** Longest message (TCP frame or UDP datagram); longer ones are counted (message_too_long) and skipped. */
        max_message_bytes: Positive(8192, { maximum: 1_048_576 }),
        max_connections: Positive(256),
        idle_timeout_seconds: Positive(300),
        /** Integration key of the syslog events; empty = ilert.integration_key. Secret. */
        integration_key: Type.String({ default: '' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** MQTT source (src/ingest/mqtt/): subscribes on a broker, QoS 1, PUBACK once stored. Off when url is empty. */
    mqtt: Type.Object(
      {
        /** Broker URL: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://. Empty: no MQTT source. */
        url: Type.String({ default: '' }),
        /** Topic filters subscribed with QoS 1. */
        topics: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Fixed client id: with clean_session false the broker keeps QoS 1 messages while the bridge is down. */
        client_id: Type.String({ default: 'mcp-ilert', minLength: 1, maxLength: 128 }),
        clean_session: Type.Boolean({ default: false }),
        /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
        protocol_version: Type.Integer({ minimum: 4, maximum: 5, default: 4 }),
        username: Type.String({ default: '' }),
        /** Secret. */
        password: Type.String({ default: '' }),
        /** PEM CA bundle for mqtts:// (default: the system's). */
        ca_file: Type.String({ default: '' }),
        keepalive_seconds: Positive(30),
        /** Reconnect backoff: first delay, doubled per failed attempt up to the max. */
        reconnect_min_seconds: Seconds(1),
        reconnect_max_seconds: Seconds(30),
        /** Largest payload taken as an event; larger ones are acknowledged and counted (payload_too_large). */
        max_payload_bytes: Positive(65_536, { maximum: 16_777_216 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Heartbeats (src/ingest/heartbeats/): the ping proxy and the bridge's own heartbeat. */
    heartbeat: Type.Object(
      {
        /** Heartbeat monitor key the bridge itself pings while it is healthy; empty = off. Secret. */
        key: Type.String({ default: '' }),
        interval_seconds: Type.Integer({ minimum: 12, default: 60 }),
        /** Base URL of ilert's ping endpoint (/api/pings/{key}); empty = https://beat.ilert.com for the default ilert.api_url, else ilert.api_url. */
        ping_url: Type.String({ default: '', pattern: '^(https?://.*)?$' }),
        /** Pings forwarded per key per minute (ilert allows 5); more are answered 202 without forwarding. */
        per_key_per_minute: Type.Integer({ minimum: 1, maximum: 5, default: 5 }),
        /** Distinct keys tracked for the limit; the least recently pinged is forgotten beyond it. */
        max_keys: Positive(10_000),
      },
      { additionalProperties: false, default: {} },
    ),
    /** MCP endpoint at /mcp on the HTTP listener (src/ingest/mcp/). */
    mcp: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** Host names (besides loopback) the Host header may carry; DNS-rebinding protection. */
        allowed_hosts: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Origins (scheme://host[:port]) besides loopback that browsers may call /mcp from. */
        allowed_origins: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        /** Hide every tool that changes state (send_event, accept/resolve/assign, incidents). */
        read_only: Type.Boolean({ default: false }),
        /** A bearer that is not a configured token is used as the caller's ilert user API key. */
        accept_ilert_keys: Type.Boolean({ default: true }),
        /** Requests without Authorization act with ilert.api_key (single-user bridge on loopback). */
        allow_anonymous: Type.Boolean({ default: false }),
        /** Bridge-issued bearer tokens, each mapped to an ilert user API key (default ilert.api_key). Secrets. */
        tokens: Type.Array(
          Type.Object(
            {
              token: Type.String({ minLength: 16 }),
              ilert_api_key: Type.Optional(Type.String()),
              name: Type.Optional(Type.String({ maxLength: 64 })),
            },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
        /** REST calls per ilert user key per minute (ilert allows 120). */
        rest_per_minute: Positive(120),
        /**
         * Base URL of the ilert web app that tool results link to (e.g. https://yourco.ilert.com);
         * empty = derived from ilert.api_url: api.X → app.X (https://app.ilert.com), else ilert.api_url itself (the simulator serves those pages).
         */
        web_url: Type.String({ default: '', pattern: '^(https?://.+)?$' }),
        /** OAuth 2.1 for hosted connectors (claude.ai, ChatGPT): the bridge as its own authorization server (src/ingest/mcp/oauth/). */
        oauth: Type.Object(
          {
            enabled: Type.Boolean({ default: true }),
            /** Public base URL (scheme://host[:port]) when behind a proxy; default: from the request's (guarded) Host. */
            issuer_url: Type.String({ default: '' }),
            access_token_ttl_seconds: Positive(3600),
            refresh_token_ttl_seconds: Positive(30 * 24 * 3600),
            /** Host names redirect URIs may point at (besides loopback); empty = any https host. */
            allowed_redirect_hosts: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
            /** Registered clients kept at most (the oldest is forgotten first). */
            max_clients: Positive(1000),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export type Config = Static<typeof ConfigSchema>
export type LevelTargetT = Static<typeof LevelTarget>

export { SECRET_LIST_FIELDS, SECRET_LISTS, SECRET_PATHS } from './secrets'
