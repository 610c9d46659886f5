/**
 * `skywalking-bridge/opentelemetry`: the OpenTelemetry front-end (span processor, exporter,
 * propagator) and the shared core. Its types need only `@opentelemetry/api`, so an application
 * without `opentracing` type-checks with `skipLibCheck: false`.
 */
export * from './core';
export { SkyWalkingPropagator, SkyWalkingSpanProcessor, SkyWalkingTraceExporter } from '../opentelemetry';
export type {
  EndpointNamer,
  ReadableSpanLike,
  SkyWalkingPropagatorOptions,
  SkyWalkingSpanProcessorOptions,
  SkyWalkingTraceExporterOptions,
} from '../opentelemetry';
export { SkyWalkingLogRecordProcessor } from '../opentelemetry';
export { SkyWalkingSampler } from '../opentelemetry';
export type { SkyWalkingSamplerOptions } from '../opentelemetry';
export type { LogRecordLike, SkyWalkingLogRecordProcessorOptions } from '../opentelemetry';
