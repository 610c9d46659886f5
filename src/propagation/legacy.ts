import type { LegacyFormat } from '../base/config';
import { hexTraceIdOf } from '../base/ids';
import {
  B3_FLAGS_HEADER,
  B3_PARENT_SPAN_ID_HEADER,
  B3_SAMPLED_HEADER,
  B3_SINGLE_HEADER,
  B3_SPAN_ID_HEADER,
  B3_TRACE_ID_HEADER,
  decodeB3Multi,
  decodeB3Single,
  encodeB3Multi,
  encodeB3Single,
} from './b3';
import { isStrictHex } from './hex';
import {
  UBER_TRACE_ID_HEADER,
  decodeUberBaggage,
  decodeUberTraceId,
  encodeUberBaggage,
  encodeUberTraceId,
} from './jaeger';
import { TRACEPARENT_HEADER, decodeTraceparent, encodeTraceparent } from './w3c';

/** A parent read from a non-SkyWalking header, for services migrating from Jaeger, Zipkin or W3C. */
export interface LegacyContext {
  format: LegacyFormat;
  /** 32 lowercase hex, never all zeros (64-bit ids left-padded). */
  traceId: string;
  /** 16 lowercase hex, never all zeros. */
  spanId: string;
  sampled: boolean;
  /** jaeger `uberctx-*` baggage (URL-decoded); empty for the other formats. */
  baggage: Map<string, string>;
}

/** What a legacy header is written from. */
export interface LegacyInjectContext {
  /** Any SkyWalking trace id; non-hex ids are mapped with `hexTraceIdOf`. */
  traceId: string;
  /** 16 hex. */
  spanId: string;
  sampled: boolean;
  baggage?: Iterable<[string, string]>;
}

/** Every header name the legacy codecs read or write (lowercase; jaeger baggage is `uberctx-*`). */
export const LEGACY_HEADERS: readonly string[] = [
  TRACEPARENT_HEADER,
  B3_SINGLE_HEADER,
  B3_TRACE_ID_HEADER,
  B3_SPAN_ID_HEADER,
  B3_PARENT_SPAN_ID_HEADER,
  B3_SAMPLED_HEADER,
  B3_FLAGS_HEADER,
  UBER_TRACE_ID_HEADER,
];

/**
 * Read a legacy parent: `traceparent`, then single `b3`, then `X-B3-*`, then `uber-trace-id`; an
 * invalid one falls through to the next. `get` takes lowercase names and returns the first value;
 * `names` (optional) lists the carrier's lowercase header names, for `uberctx-*` baggage.
 * Never throws.
 */
export function extractLegacy(
  get: (name: string) => string | undefined,
  names?: () => Iterable<string>,
): LegacyContext | undefined {
  try {
    const w3c = decodeTraceparent(get(TRACEPARENT_HEADER));
    if (w3c) return { format: 'w3c', ...w3c, baggage: new Map() };
    const single = decodeB3Single(get(B3_SINGLE_HEADER));
    if (single) return { format: 'b3', ...single, baggage: new Map() };
    const multi = decodeB3Multi(get);
    if (multi) return { format: 'b3multi', ...multi, baggage: new Map() };
    const jaeger = decodeUberTraceId(get(UBER_TRACE_ID_HEADER));
    if (jaeger) return { format: 'jaeger', ...jaeger, baggage: names ? decodeUberBaggage(get, names()) : new Map() };
  } catch {
    // a hostile getter: no legacy context
  }
  return undefined;
}

/** Write the requested legacy headers for a span. Never throws. */
export function injectLegacy(
  formats: readonly LegacyFormat[],
  ctx: LegacyInjectContext,
  set: (name: string, value: string) => void,
): void {
  if (formats.length === 0 || !isStrictHex(ctx.spanId, 16)) return;
  const ids = { traceId: hexTraceIdOf(ctx.traceId), spanId: ctx.spanId, sampled: ctx.sampled };
  // Jaeger and B3 carry 64-bit trace ids too: a trace that arrived with one (padded to 32 here)
  // goes back out in its original width, so 64-bit tracers see the id they started with.
  const narrow = { ...ids, traceId: ids.traceId.startsWith('0000000000000000') ? ids.traceId.slice(16) : ids.traceId };
  try {
    for (const format of formats) {
      switch (format) {
        case 'w3c':
          set(TRACEPARENT_HEADER, encodeTraceparent(ids));
          break;
        case 'b3':
          set(B3_SINGLE_HEADER, encodeB3Single(narrow));
          break;
        case 'b3multi':
          encodeB3Multi(narrow, set);
          break;
        case 'jaeger':
          set(UBER_TRACE_ID_HEADER, encodeUberTraceId(narrow));
          if (ctx.baggage) encodeUberBaggage(ctx.baggage, set);
          break;
      }
    }
  } catch {
    // a hostile setter: stop writing
  }
}
