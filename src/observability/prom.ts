/**
 * prom-client's classes, loaded from its own lib files rather than its index: the index also
 * loads the Pushgateway client (node:http, node:https, node:url), which the bridge never uses and
 * which costs about 20 ms of every cold start. Types come from the package as usual.
 */
import type * as Prom from 'prom-client'

export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram
export const collectDefaultMetrics = require('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics

export type Registry = Prom.Registry
export type Counter<T extends string = string> = Prom.Counter<T>
export type Gauge<T extends string = string> = Prom.Gauge<T>
export type Histogram<T extends string = string> = Prom.Histogram<T>
