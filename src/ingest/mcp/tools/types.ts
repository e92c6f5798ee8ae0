/**
 * The shape every MCP tool module exports, and what a tool gets to work with. A tool is data
 * (name, description written for a model, TypeBox input schema, honest annotations) plus `run`,
 * which returns a tagged outcome; server.ts turns it into an MCP result (structured content plus
 * a text rendering, or `isError` with the message). Tools never see or print the API key itself.
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
  /** A stable, non-empty URL for an ilert object (ChatGPT cites only results with a url). */
  link(kind: 'alert' | 'incident' | 'service', id: number): string
  /** Audit line for calls of state-changing tools (src/observability/audit.ts). */
  audit?: Auditor
}

export interface ToolDef<S extends TSchema = TSchema> {
  name: string
  description: string
  input: S
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

/** Paging fields shared by list tools: what was asked, and where the next page starts (null at the end). */
export function pageInfo(startIndex: number, maxResults: number, got: number) {
  return { start_index: startIndex, max_results: maxResults, next_start_index: got >= maxResults ? startIndex + got : null }
}

export const pageNote = (p: ReturnType<typeof pageInfo>) => (p.next_start_index === null ? '' : `\n(more: call again with start_index ${p.next_start_index})`)
