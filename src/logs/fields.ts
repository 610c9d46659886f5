import type { LogContextIds } from './record';
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

export const FIELD_KEYS = [
  'trace_id',
  'segment_id',
  'span_id',
  'sw_service',
  'sw_instance',
  'sw_endpoint',
  'sw_ctx',
] as const;

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

/** The key of the packed field (`packedFieldsOf`). */
export const PACKED_KEY = 'sw_ctx';

/**
 * All six values in one field, `sw_ctx: "traceId|segmentId|spanId|service|instance|endpoint"` (the
 * endpoint last: it may itself hold `|`). One field costs pino a fraction of six (each key and
 * value is escaped on its own).
 */
export function packedFieldsOf(x?: unknown): { sw_ctx: string } | undefined {
  const packed = packedContextOf(x);
  return packed === undefined ? undefined : { sw_ctx: packed };
}

/** The packed string of each span, built once (again only when the segment's endpoint changes). */
const PACKED = new WeakMap<RecordedSpan, { endpoint: string; packed: string }>();

/** The `sw_ctx` value of `x` (as `logFieldsOf`), or undefined outside a recorded span. */
export function packedContextOf(x?: unknown): string | undefined {
  const span = recordedSpanOf(x);
  return span ? packedOfRecorded(span) : undefined;
}

/** The `sw_ctx` value of a recorded span: the same string object while its segment's endpoint stays. */
export function packedOfRecorded(span: RecordedSpan): string {
  const endpoint = span.segment.primaryEndpoint();
  const known = PACKED.get(span);
  if (known !== undefined && known.endpoint === endpoint) return known.packed;
  let s: RecordedSpan | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  const seg = span.segment;
  const packed = `${seg.traceId}|${seg.segmentId}|${s ? s.id : 0}|${seg.service}|${seg.instance}|${endpoint}`;
  PACKED.set(span, { endpoint, packed });
  return packed;
}

/** The ids of a packed `sw_ctx` value, or null when it is not one. */
export function contextOfPacked(packed: unknown): LogContextIds | null {
  if (typeof packed !== 'string') return null;
  const a = packed.indexOf('|');
  const b = packed.indexOf('|', a + 1);
  const c = packed.indexOf('|', b + 1);
  const d = packed.indexOf('|', c + 1);
  const e = packed.indexOf('|', d + 1);
  if (a <= 0 || b < 0 || c < 0 || d < 0 || e < 0) return null;
  return {
    traceId: packed.slice(0, a),
    segmentId: packed.slice(a + 1, b),
    spanId: Number(packed.slice(b + 1, c)) | 0,
    service: packed.slice(c + 1, d),
    serviceInstance: packed.slice(d + 1, e),
    endpoint: packed.slice(e + 1),
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
  if (typeof traceId !== 'string' || traceId === '') return contextOfPacked(record[PACKED_KEY]);
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
