/**
 * The shape every MCP tool module exports, and what a tool gets to work with. A tool is data
 * (name, description written for a model, TypeBox input and output schemas, honest annotations)
 * plus `run`, which returns a tagged outcome; server.ts turns it into an MCP result (structured
 * content that matches the output schema plus a text rendering that keeps the ids, labels and
 * links the next call needs, or `isError` with the message). Tools never see or print the API key.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import type { IlertRest, RestOutcome, RestRequest } from '../../../ilert/rest-client'
import type { Normalizer } from '../../../pipeline/normalize'
import type { Ingestor } from '../../accept'
import type { Auditor } from '../../../observability/audit'

export interface ToolAnnotations {
  title: string
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export type ToolOutcome =
  | { kind: 'ok'; data: Record<string, unknown>; text: string }
  | { kind: 'error'; reason: string; message: string }

export interface ToolContext {
  /** Calls ilert's REST API with the caller's user API key. */
  ilert<T>(req: RestRequest): Promise<RestOutcome<T>>
  ingestor: Ingestor
  normalizer: Normalizer
  /**
   * Like `ilert`, for catalog reads that change rarely (services): answered from a short per-key
   * cache when fresh, so search spends fewer REST calls. Only ok outcomes are kept.
   */
  ilertCached<T>(req: RestRequest): Promise<RestOutcome<T>>
  /** The ilert web-app page of an object, a URL a person can open (ChatGPT cites only results with a url). */
  link(kind: LinkKind, id: number): string
  /** The server's clock (tests may pin it); list results report it and relative times count from it. */
  now(): number
  /** Audit line for calls of state-changing tools (src/observability/audit.ts). */
  audit?: Auditor
}

export type LinkKind = 'alert' | 'incident' | 'service'

export interface ToolDef<S extends TSchema = TSchema> {
  name: string
  description: string
  input: S
  /** What structuredContent holds on success (published as outputSchema; test/mcp checks every tool's results against it). */
  output: TSchema
  annotations: ToolAnnotations
  run(args: Static<S>, ctx: ToolContext): Promise<ToolOutcome>
}

/** Keeps the schema's static type for `run` while storing tools in one list. */
export const defineTool = <S extends TSchema>(def: ToolDef<S>): ToolDef => def as unknown as ToolDef

export const READ_ONLY = (title: string): ToolAnnotations => ({ title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true })

export const ok = (data: Record<string, unknown>, text: string): ToolOutcome => ({ kind: 'ok', data, text })

/** A failed REST outcome as a tool error (its message is written for a model already). */
export const restError = (r: Extract<RestOutcome<unknown>, { kind: 'error' }>): ToolOutcome => ({ kind: 'error', reason: r.reason, message: r.message })

export const fail = (reason: string, message: string): ToolOutcome => ({ kind: 'error', reason, message })

/**
 * Paging fields shared by list tools: what was asked, where the next page starts (null at the
 * end), and the server's time when the list was read (so "reported 12 minutes ago" can be worked out).
 */
export function pageInfo(startIndex: number, maxResults: number, got: number, now: number) {
  return { start_index: startIndex, max_results: maxResults, next_start_index: got >= maxResults ? startIndex + got : null, server_time: new Date(now).toISOString() }
}

export const pageNote = (p: ReturnType<typeof pageInfo>) =>
  `${p.next_start_index === null ? '' : `\n(more: call again with start_index ${p.next_start_index})`}\n(server time ${p.server_time})`
