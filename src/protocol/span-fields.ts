/**
 * The one shape of a span and a closed segment that both wire writers read: the protobuf encoder
 * (`segment/encode.ts`) and the OAP JSON line writer (`protocol/line-json.ts`, `segment/encode-line.ts`).
 * A `RecordedSpan` and a `Segment` are these; a `SpanObject` is read through `spanFieldsOf`.
 */
import type { KeyStringValuePair, LogObject, SegmentReference, SpanObject } from '../base/model';

/** The fields of one span the writers read, named as in `RecordedSpan`. `forced`: closed by the timeout (a tag says so). */
export interface SpanFields {
  readonly id: number;
  readonly parentId: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly refs: readonly SegmentReference[] | undefined;
  readonly operationName: string;
  readonly peer: string;
  readonly type: number;
  readonly layer: number;
  readonly componentId: number;
  readonly isError: boolean;
  readonly tags: readonly KeyStringValuePair[] | undefined;
  readonly forced: boolean;
  readonly logs: readonly LogObject[] | undefined;
  readonly skipAnalysis: boolean;
}

/** A span in a segment's finish-order list (a `RecordedSpan`). */
export interface FinishedSpan extends SpanFields {
  readonly nextFinished: FinishedSpan | undefined;
}

/** What the writers read of a closed segment (a `Segment`; named here so they need nothing of it). */
export interface EncodableSegment {
  readonly traceId: string;
  readonly segmentId: string;
  readonly service: string;
  readonly instance: string;
  readonly sizeLimited: boolean;
  readonly firstFinished: FinishedSpan | undefined;
}

/** A `SpanObject` as the fields the writers read. */
export function spanFieldsOf(s: SpanObject): SpanFields {
  return {
    id: s.spanId,
    parentId: s.parentSpanId,
    startTime: s.startTime,
    endTime: s.endTime,
    refs: s.refs,
    operationName: s.operationName,
    peer: s.peer,
    type: s.spanType,
    layer: s.spanLayer,
    componentId: s.componentId,
    isError: s.isError,
    tags: s.tags,
    forced: false,
    logs: s.logs,
    skipAnalysis: s.skipAnalysis,
  };
}
