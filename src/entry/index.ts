/**
 * `skywalking-bridge`: what an application uses. The OpenTracing tracer, the OpenTelemetry span
 * processor, exporter, propagator and log processor, the ids of a span for log lines, the
 * configuration and error types, component ids, and the embedded collector: the union of the two
 * front-end subpaths (`./opentracing`, `./opentelemetry`), each of which re-exports the peer-free
 * core (`./core`). Its types need both peers; an application with one of them imports its subpath.
 * Advanced parts live in subpath entries: `skywalking-bridge/sw8` (header codecs),
 * `skywalking-bridge/recorder` (the segment recorder and reporters, for custom front-ends),
 * `skywalking-bridge/collector` (the collector's analysis and printers).
 */
export * from './opentracing';
export * from './opentelemetry';
