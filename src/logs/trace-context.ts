import { loadOtelApi } from '../base/otel-api';
import { RECORDED_SPAN, RecordedSpan } from '../segment/span';
import { registered } from '../segment/span-registry';
import { settleRouteEndpoint } from './route-endpoint';

/** Where a log line was written in SkyWalking's terms: the ids a SkyWalking backend files it under. */
export interface SkyWalkingTraceContext {
  /** The SkyWalking trace id: for a trace that came in with a non-hex id (a Java agent's), that original id. */
  traceId: string;
  /** The segment (this process's part of the trace). */
  segmentId: string;
  /** The int span id inside the segment (0 = the segment's first span). */
  spanId: number;
  service: string;
  serviceInstance: string;
}

interface ContextLike {
  getValue(key: symbol): unknown;
}

function isContext(x: object): x is ContextLike {
  return typeof (x as ContextLike).getValue === 'function';
}

/**
 * The recorded span behind `x`: an OpenTracing span or span context of ours, an OTel span recorded
 * by our span processor, an OTel `Context` holding one, or (no argument) the active OTel context.
 * Never throws.
 */
export function recordedSpanOf(x?: unknown): RecordedSpan | undefined {
  try {
    if (x === undefined || x === null) {
      const api = loadOtelApi();
      if (!api) return undefined;
      const active = api.context.active();
      settleRouteEndpoint(active);
      return registered(api.trace.getSpan(active));
    }
    if (typeof x !== 'object') return undefined;
    if (x instanceof RecordedSpan) return x;
    // an OpenTracing span or span context of ours (an extracted context has none)
    if (RECORDED_SPAN in x) {
      const recorded = (x as { [RECORDED_SPAN]?: unknown })[RECORDED_SPAN];
      return recorded instanceof RecordedSpan ? recorded : undefined;
    }
    const own = registered(x);
    if (own) return own;
    if (isContext(x)) {
      settleRouteEndpoint(x);
      const api = loadOtelApi();
      return api ? registered(api.trace.getSpan(x as never)) : undefined;
    }
  } catch {
    // a hostile object: no context
  }
  return undefined;
}

/** The recorded span's ids (a span dropped past the span limit gives the span it hangs under). */
export function contextOfRecorded(span: RecordedSpan): SkyWalkingTraceContext {
  let s: RecordedSpan | undefined = span;
  while (s && s.id < 0) s = s.anchor;
  const seg = span.segment;
  return {
    traceId: seg.traceId,
    segmentId: seg.segmentId,
    spanId: s ? s.id : 0,
    service: seg.service,
    serviceInstance: seg.instance,
  };
}

/**
 * `{ traceId, segmentId, spanId, service, serviceInstance }` of a span: an OpenTracing span or span
 * context of `SkyWalkingTracer`, an OTel span or `Context` (spans recorded by `SkyWalkingSpanProcessor`),
 * or, with no argument, the active OTel context. `undefined` outside a recorded span. Never throws;
 * allocates only the result.
 */
export function traceContext(x?: unknown): SkyWalkingTraceContext | undefined {
  const span = recordedSpanOf(x);
  return span ? contextOfRecorded(span) : undefined;
}

/** The SkyWalking trace id of `x` (as `traceContext`), or `N/A` outside a recorded span: the Java toolkit's `%tid`. */
export function traceIdText(x?: unknown): string {
  const span = recordedSpanOf(x);
  return span ? span.segment.traceId : 'N/A';
}

/**
 * `[service,instance,traceId,segmentId,spanId]` of `x` (as `traceContext`), the Java toolkit's
 * `%sw_ctx` / `SW_CTX`, or `[N/A,N/A,N/A,N/A,-1]` outside a recorded span. For plain-text loggers.
 */
export function formatTraceContext(x?: unknown): string {
  const span = recordedSpanOf(x);
  if (!span) return '[N/A,N/A,N/A,N/A,-1]';
  const c = contextOfRecorded(span);
  return `[${c.service},${c.serviceInstance},${c.traceId},${c.segmentId},${c.spanId}]`;
}
