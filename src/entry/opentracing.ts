/**
 * `skywalking-bridge/opentracing`: the OpenTracing front-end and the shared core. Its types need only
 * the `opentracing` peer, so an application without `@opentelemetry/api` type-checks with
 * `skipLibCheck: false`.
 */
export * from './core';
export { SkyWalkingTracer } from '../opentracing/tracer';
export type { SkyWalkingTracerOptions } from '../opentracing/tracer';
export { SkyWalkingSpan } from '../opentracing/span';
export { SkyWalkingSpanContext } from '../opentracing/span-context';
