import type { LegacyContext } from '../propagation/legacy';
import type { Sw8Context } from '../propagation/sw8';
import { RECORDED_SPAN, type RecordedSpan } from '../segment/span';
import { SpanContextBase } from './opentracing-api';

/**
 * An OpenTracing SpanContext: either of a local span (`span`), or extracted from headers
 * (`remote` sw8 parent, or a `legacy` jaeger/b3/w3c parent). Baggage travels as sw8-correlation.
 */
export class SkyWalkingSpanContext extends SpanContextBase {
  /** @internal Baggage items (none until the first is set: most spans have none); copied into children at start. */
  baggage: Map<string, string> | undefined;

  /** @internal Made by `SkyWalkingTracer` (`startSpan`, `extract`). */
  constructor(
    /** @internal */
    readonly span: RecordedSpan | undefined,
    /** @internal */
    readonly remote: Sw8Context | undefined,
    /** @internal */
    readonly legacy: LegacyContext | undefined,
    baggage: Map<string, string> | undefined,
    /** @internal sw8-x tracing mode 1 came in with this context. */
    readonly skipAnalysis = false,
    /** @internal sw8-x sending timestamp that came in with this context. */
    readonly sendingTimestamp: number | undefined = undefined,
    /** @internal The application's own trace-id header (`traceIdHeader`) that came in without sw8: the new trace's id. */
    readonly appTraceId: string | undefined = undefined,
  ) {
    super();
    this.baggage = baggage;
  }

  /** @internal The local span's recorded span, for the log path (`traceContext`); none for an extracted context. */
  get [RECORDED_SPAN](): RecordedSpan | undefined {
    return this.span;
  }

  /** The SkyWalking trace id (for log correlation). */
  override toTraceId(): string {
    if (this.span) return this.span.segment.traceId;
    if (this.remote) return this.remote.traceId;
    return this.legacy?.traceId ?? this.appTraceId ?? '';
  }

  /** `<segmentId>-<spanId>`: where this span lives in SkyWalking. */
  override toSpanId(): string {
    if (this.span) return `${this.span.segment.segmentId}-${Math.max(this.span.id, 0)}`;
    if (this.remote) return `${this.remote.segmentId}-${this.remote.spanId}`;
    return this.legacy?.spanId ?? '';
  }
}
