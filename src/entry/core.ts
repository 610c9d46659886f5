/**
 * What every front-end shares and that needs no peer package: configuration, codecs, the recorder,
 * reporters and the embedded collector. Re-exported by the subpath entries
 * `skywalking-bridge/opentracing` and `skywalking-bridge/opentelemetry` (the root entry exports it too).
 * Keep in step with src/index.ts.
 */
export { ConfigError, DEFAULT_COLLECTOR, DEFAULT_SERVICE_NAME, resolveConfig } from '../config';
export type { BridgeOptions, LegacyFormat, ReporterKind, ResolvedConfig } from '../config';
export { Bridge, createReporter } from '../bridge';
export type { BridgeStats, FrontEndOptions } from '../bridge';
export { Component, componentId, componentName } from '../components';
export { RefType, SpanLayer, SpanType } from '../model';
export type { KeyStringValuePair, LogObject, SegmentObject, SegmentReference, SpanObject } from '../model';
export { SW8_CORRELATION_HEADER, SW8_HEADER, SW8_X_HEADER, headerNames } from '../propagation/headers';
export { decodeSw8, encodeSw8, isValidSw8 } from '../propagation/sw8';
export type { Sw8Context } from '../propagation/sw8';
export { decodeCorrelation, encodeCorrelation } from '../propagation/correlation';
export type { CorrelationLimits } from '../propagation/correlation';
export { decodeSw8x, encodeSw8x } from '../propagation/extension';
export type { Sw8Extension } from '../propagation/extension';
export { Recorder } from '../segment/recorder';
export type { SegmentSink, StartSpanOptions } from '../segment/recorder';
export { Segment } from '../segment/segment';
export { RecordedSpan } from '../segment/span';
export { ConsoleReporter, NoopReporter } from '../reporter/console';
export { GrpcReporter } from '../reporter/grpc';
export { MemoryReporter } from '../reporter/memory';
export type { Reporter, ReporterStats, SegmentSource } from '../reporter/types';
export { LEGACY_HEADERS, extractLegacy, injectLegacy } from '../propagation/legacy';
export type { LegacyContext, LegacyInjectContext } from '../propagation/legacy';
export { startCollector, analyze, renderTopology, renderTrace } from '../collector';
export type {
  Analysis,
  Collector,
  CollectorOptions,
  Problem,
  Topology,
  TopologyEdge,
  TopologyNode,
} from '../collector';
export type { GrpcReporterOptions } from '../reporter/grpc';
export { formatTraceContext, traceContext, traceIdText } from '../logs/trace-context';
export type { SkyWalkingTraceContext } from '../logs/trace-context';
export type { LogContextIds, SkyWalkingLogRecord } from '../logs/record';
export type { BridgeOwner } from '../bridge';
export type { LogBody, LogData, LogTraceContext } from '../protocol/log-encoder';
export type { LogStats } from '../reporter/types';
export { KafkaReporter } from '../reporter/kafka';
export type { KafkaLogStats, KafkaReporterStats } from '../reporter/kafka';
export type { KafkaConfig } from '../reporter/kafka-config';
