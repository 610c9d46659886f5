/**
 * `skywalking-bridge`: what an application uses. The OpenTracing tracer, the OpenTelemetry span
 * processor, exporter, propagator and log processor, the ids of a span for log lines, the
 * configuration and error types, component ids, and the embedded collector. Advanced parts live in
 * subpath entries: `skywalking-bridge/sw8` (header codecs), `skywalking-bridge/recorder` (the
 * segment recorder and reporters, for custom front-ends), `skywalking-bridge/collector` (the
 * collector's analysis and printers). The peer-free part is src/entry/core.ts: keep the two in step.
 */
export { ConfigError } from './config';
export type { BridgeOptions, LegacyFormat, ReporterKind } from './config';
export type { BridgeOwner, BridgeStats, FrontEndOptions } from './bridge';
export { Component, componentId } from './components';
export { formatTraceContext, traceContext, traceIdText } from './logs/trace-context';
export type { SkyWalkingTraceContext } from './logs/trace-context';
export type { SkyWalkingLogRecord } from './logs/record';
export { startCollector } from './collector';
export type { Collector, CollectorOptions } from './collector';
export { SkyWalkingTracer } from './opentracing/tracer';
export type { SkyWalkingTracerOptions } from './opentracing/tracer';
export { SkyWalkingSpan } from './opentracing/span';
export { SkyWalkingSpanContext } from './opentracing/span-context';
export { SkyWalkingPropagator, SkyWalkingSpanProcessor, SkyWalkingTraceExporter } from './opentelemetry';
export type {
  EndpointNamer,
  ReadableSpanLike,
  SkyWalkingPropagatorOptions,
  SkyWalkingSpanProcessorOptions,
  SkyWalkingTraceExporterOptions,
} from './opentelemetry';
export { SkyWalkingLogRecordProcessor } from './opentelemetry';
export type { LogRecordLike, SkyWalkingLogRecordProcessorOptions } from './opentelemetry';
