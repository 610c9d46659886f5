import { MAX_LEGACY_HEADER_LENGTH, isStrictHex } from './hex';

/** The `sampled` bit of traceparent's trace flags. */
const SAMPLED_FLAG = 1;

/** The W3C Trace Context header. */
export const TRACEPARENT_HEADER = 'traceparent';

export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const VERSION = /^[0-9a-f]{2}$/;

/**
 * Decode `traceparent`: `{version}-{trace-id 32}-{parent-id 16}-{flags 2}`, lowercase hex. Version
 * `00` has exactly four parts; a higher version may append more (ignored); `ff` is invalid.
 * All-zero ids are invalid. Returns undefined for anything else.
 */
export function decodeTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string' || value.length > MAX_LEGACY_HEADER_LENGTH) return undefined;
  const parts = value.trim().split('-');
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  if (!VERSION.test(version) || version === 'ff') return undefined;
  if (version === '00' && parts.length !== 4) return undefined;
  if (!isStrictHex(traceId, 32) || !isStrictHex(spanId, 16) || !/^[0-9a-f]{2}$/.test(flags)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & SAMPLED_FLAG) === SAMPLED_FLAG };
}

/** Encode version 00 `traceparent`. */
export function encodeTraceparent(ctx: TraceParent): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`;
}
