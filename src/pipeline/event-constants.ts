/**
 * Constants of the inbound event contract that code outside the schema needs at run time,
 * apart from event-schema.ts so that importing them does not load TypeBox (see generated/checks.ts).
 */
export const EVENT_TYPES = ['alert', 'accept', 'resolve', 'comment'] as const
/** Longest label name; checked in validate.ts since JSON Schema records cannot bound their keys. */
export const LABEL_NAME_MAX = 128
export type EventTypeName = (typeof EVENT_TYPES)[number]
