/**
 * The part of the root entry that needs no peer package: configuration and error types, the ids of
 * a span for log lines (`traceContext`), component ids for the `component` tag, and the embedded
 * collector. Re-exported by the subpath entries `skywalking-bridge/opentracing` and
 * `skywalking-bridge/opentelemetry` (the root entry exports it too).
 * test/exports.test.ts pins the names of every entry.
 */
export { ConfigError } from '../base/config';
export type { BridgeOptions, LegacyFormat, ReporterKind } from '../base/config';
export type { BridgeOwner, BridgeStats, FrontEndOptions } from '../bridge/bridge';
export { Component, componentId } from '../base/components';
export { formatTraceContext, traceContext, traceIdText } from '../logs/trace-context';
export type { SkyWalkingTraceContext } from '../logs/trace-context';
export type { SkyWalkingLogRecord } from '../logs/record';
export { startCollector } from '../collector';
export type { Collector, CollectorOptions } from '../collector';
