/**
 * The shapes we use of the OTel SDK's spans, structurally (no runtime import of SDK packages, so
 * the 1.x, 2.x and 3.x SDKs all fit).
 */
import { hrTimeToEpochMs } from '../segment/time';

export type HrTime = [number, number];
/** `unknown`: api 1.10 widened attribute values to it (earlier lines have a union); every reader checks at run time. */
export type AttributeValue = unknown;
export type Attributes = Record<string, AttributeValue>;

export interface SpanContextLike {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
}

export interface TimedEventLike {
  name: string;
  time: HrTime;
  attributes?: Attributes;
}

/** What a finished span offers (ReadableSpan), across SDK versions. */
export interface ReadableSpanLike {
  name: string;
  kind: number;
  spanContext(): SpanContextLike;
  /** SDK 2.x+ */
  parentSpanContext?: SpanContextLike;
  /** SDK 1.x */
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  status: { code: number; message?: string };
  attributes: Attributes;
  events: TimedEventLike[];
  resource?: { attributes: Attributes };
  /** SDK 2.x+ */
  instrumentationScope?: { name: string; version?: string };
  /** SDK 1.x */
  instrumentationLibrary?: { name: string; version?: string };
}

/** A started span as onStart sees it (the SDK Span: readable while open). */
export type StartedSpanLike = ReadableSpanLike;

export interface ExportResult {
  code: number;
  error?: Error;
}

/** NaN when `t` is not an [s, ns] pair: the recorder then takes now and counts it (src/segment/time.ts), as for a time that is not epoch-based. */
export function hrTimeToMs(t: HrTime | undefined): number {
  return hrTimeToEpochMs(t);
}

export function scopeNameOf(span: ReadableSpanLike): string {
  return span.instrumentationScope?.name ?? span.instrumentationLibrary?.name ?? '';
}

export function parentSpanIdOf(span: ReadableSpanLike): string | undefined {
  return span.parentSpanContext?.spanId ?? span.parentSpanId;
}
