import { type CarriedIds, packIds } from './carrier';
import type { RecordedSpan } from '../segment/span';
import { recordedSpanOf } from './trace-context';

/**
 * The SkyWalking fields a structured logger adds to each record: the ids (`trace_id`, `segment_id`,
 * `span_id`, as OpenTelemetry's log instrumentations name theirs) and, so the record can be
 * reported from elsewhere (a pino worker), the segment's `sw_service`, `sw_instance`, `sw_endpoint`.
 */
export interface SkyWalkingLogFields {
  trace_id: string;
  segment_id: string;
  span_id: number;
  sw_service: string;
  sw_instance: string;
  sw_endpoint: string;
}

/** The fields of `x` (as `traceContext(x)`: a span, span context, OTel Context, or the active context), or undefined outside a recorded span. */
export function logFieldsOf(x?: unknown): SkyWalkingLogFields | undefined {
  const span = recordedSpanOf(x);
  if (!span) return undefined;
  let s: typeof span | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  const seg = span.segment;
  return {
    trace_id: seg.traceId,
    segment_id: seg.segmentId,
    span_id: s ? s.id : 0,
    sw_service: seg.service,
    sw_instance: seg.instance,
    sw_endpoint: seg.primaryEndpoint(),
  };
}

/**
 * The carrier of a recorded span (src/logs/carrier.ts), built once per span and endpoint. With
 * `otel` (the OTel span context of the log call: `skywalkingDestination` sends the carrier beside
 * the line), also the OTel ids an OTel log instrumentation stamps, so they are known as stamps.
 */
export function packedOfRecorded(span: RecordedSpan, otel?: OtelIds): string {
  const endpoint = span.segment.primaryEndpoint();
  const known = PACKED.get(span);
  if (known !== undefined && known.endpoint === endpoint && known.otel === otel?.spanId) return known.packed;
  let s: RecordedSpan | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  const seg = span.segment;
  const ids: CarriedIds = {
    traceId: seg.traceId,
    segmentId: seg.segmentId,
    spanId: s ? s.id : 0,
    service: seg.service,
    serviceInstance: seg.instance,
    endpoint,
  };
  if (otel) {
    ids.otelTraceId = otel.traceId;
    ids.otelSpanId = otel.spanId;
    ids.otelFlags = `0${(otel.traceFlags & 0xff).toString(16)}`;
  }
  const packed = packIds(ids);
  PACKED.set(span, { endpoint, otel: otel?.spanId, packed });
  return packed;
}

/** The OTel ids of a span context, as the carrier takes them. */
export interface OtelIds {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

const PACKED = new WeakMap<RecordedSpan, { endpoint: string; otel: string | undefined; packed: string }>();

/** The carrier of `x` (as `logFieldsOf`), or undefined outside a recorded span. */
export function packedContextOf(x?: unknown): string | undefined {
  const span = recordedSpanOf(x);
  return span ? packedOfRecorded(span) : undefined;
}

/** Only `trace_id`, `segment_id`, `span_id` of `x` (as `logFieldsOf`). */
export function idFieldsOf(x?: unknown): Pick<SkyWalkingLogFields, 'trace_id' | 'segment_id' | 'span_id'> | undefined {
  const span = recordedSpanOf(x);
  if (!span) return undefined;
  let s: typeof span | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  return { trace_id: span.segment.traceId, segment_id: span.segment.segmentId, span_id: s ? s.id : 0 };
}
