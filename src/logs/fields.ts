import type { LogContextIds } from './record';
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

export const FIELD_KEYS = ['trace_id', 'segment_id', 'span_id', 'sw_service', 'sw_instance', 'sw_endpoint'] as const;

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

/** Only `trace_id`, `segment_id`, `span_id` of `x` (as `logFieldsOf`). */
export function idFieldsOf(x?: unknown): Pick<SkyWalkingLogFields, 'trace_id' | 'segment_id' | 'span_id'> | undefined {
  const span = recordedSpanOf(x);
  if (!span) return undefined;
  let s: typeof span | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  return { trace_id: span.segment.traceId, segment_id: span.segment.segmentId, span_id: s ? s.id : 0 };
}

/** The trace context carried by a serialized record's fields, or null when it has none. */
export function contextOfFields(record: Record<string, unknown>): LogContextIds | null {
  const traceId = record.trace_id;
  if (typeof traceId !== 'string' || traceId === '') return null;
  const segmentId = record.segment_id;
  const spanId = record.span_id;
  const service = record.sw_service;
  const instance = record.sw_instance;
  const endpoint = record.sw_endpoint;
  return {
    traceId,
    segmentId: typeof segmentId === 'string' ? segmentId : '',
    spanId: typeof spanId === 'number' ? spanId : Number(spanId) || 0,
    service: typeof service === 'string' ? service : undefined,
    serviceInstance: typeof instance === 'string' ? instance : undefined,
    endpoint: typeof endpoint === 'string' ? endpoint : undefined,
  };
}
