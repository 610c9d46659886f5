/**
 * `skywalking-bridge/recorder`: what the front-ends are built on, for a custom front-end or a test
 * harness. `Bridge` (resolved configuration + reporter + `Recorder`), the recorder and the
 * `Segment`s and `RecordedSpan`s it makes, the reporters (gRPC, Kafka, console, memory, none), the
 * configuration resolver, and the SkyWalking v3 segment model as types and enums. No peer package.
 * Fields the front-ends use on the hot path are not part of this API (not in the `.d.ts`).
 */
export { ConfigError, DEFAULT_COLLECTOR, DEFAULT_SERVICE_NAME, resolveConfig } from '../base/config';
export type { BridgeOptions, LegacyFormat, LogLevelName, ReporterKind, ResolvedConfig } from '../base/config';
export type { KafkaConfig } from '../base/kafka-config';
export { Bridge, createReporter } from '../bridge/bridge';
export type { BridgeOwner, BridgeStats, FrontEndOptions } from '../bridge/bridge';
export { Recorder } from '../segment/recorder';
export type { SegmentSink, StartSpanOptions } from '../segment/recorder';
export { Segment } from '../segment/segment';
export type { RecorderCounters, SegmentLimits } from '../segment/segment';
export { RecordedSpan } from '../segment/span';
export { ConsoleReporter, NoopReporter } from '../reporter/console';
export { GrpcReporter } from '../reporter/grpc';
export type { GrpcReporterOptions } from '../reporter/grpc';
export { KafkaReporter } from '../reporter/kafka';
export type { KafkaLogStats, KafkaReporterStats } from '../reporter/kafka';
export { MemoryReporter } from '../reporter/memory';
export type { LogStats, Reporter, ReporterStats, SegmentSource } from '../reporter/types';
export { Component, componentId, componentName } from '../base/components';
export { RefType, SpanLayer, SpanType } from '../base/model';
export type { KeyStringValuePair, LogObject, SegmentObject, SegmentReference, SpanObject } from '../base/model';
export type { LogContextIds, SkyWalkingLogRecord } from '../logs/record';
export type { LogBody, LogData, LogTraceContext } from '../protocol/log-encoder';
