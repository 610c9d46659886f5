import { MAX_LEGACY_HEADER_LENGTH, padHex } from './hex';

/** Zipkin B3 header names (lowercase, as HTTP/2 and Node deliver them). */
export const B3_SINGLE_HEADER = 'b3';
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';

export interface B3Context {
  /** 32 lowercase hex (64-bit ids left-padded). */
  traceId: string;
  /** 16 lowercase hex. */
  spanId: string;
  sampled: boolean;
}

function traceIdOf(value: string): string | undefined {
  // B3 trace ids are 64 or 128 bit: 16 or 32 hex characters
  if (value.length !== 16 && value.length !== 32) return undefined;
  return padHex(value, 32);
}

function spanIdOf(value: string): string | undefined {
  return value.length === 16 ? padHex(value, 16) : undefined;
}

/**
 * Decode the single `b3` header: `{trace}-{span}[-{sampling}[-{parent}]]`, sampling `1`, `0` or
 * `d` (debug, sampled). The deny-only form `0` carries no context and gives undefined.
 */
export function decodeB3Single(value: unknown): B3Context | undefined {
  if (typeof value !== 'string' || value.length > MAX_LEGACY_HEADER_LENGTH) return undefined;
  const parts = value.trim().split('-');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const traceId = traceIdOf(parts[0]!);
  const spanId = spanIdOf(parts[1]!);
  if (!traceId || !spanId) return undefined;
  let sampled = true;
  if (parts.length >= 3) {
    const s = parts[2]!;
    if (s === '0') sampled = false;
    else if (s !== '1' && s !== 'd') return undefined;
  }
  if (parts.length === 4 && !spanIdOf(parts[3]!)) return undefined;
  return { traceId, spanId, sampled };
}

/** Encode the single `b3` header (no parent: a receiver needs only trace, span and sampling). */
export function encodeB3Single(ctx: B3Context): string {
  return `${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '1' : '0'}`;
}

/**
 * Decode the multi-header form from a lowercase-name getter. `X-B3-Sampled` `1`/`true` or
 * `X-B3-Flags: 1` mean sampled, `0`/`false` not, absent means sampled (we record everything).
 */
export function decodeB3Multi(get: (name: string) => string | undefined): B3Context | undefined {
  const rawTrace = get(B3_TRACE_ID_HEADER);
  const rawSpan = get(B3_SPAN_ID_HEADER);
  if (typeof rawTrace !== 'string' || typeof rawSpan !== 'string') return undefined;
  const traceId = traceIdOf(rawTrace.trim());
  const spanId = spanIdOf(rawSpan.trim());
  if (!traceId || !spanId) return undefined;
  const flags = get(B3_FLAGS_HEADER);
  const s = get(B3_SAMPLED_HEADER);
  let sampled = true;
  if (flags !== '1' && typeof s === 'string') {
    const v = s.trim().toLowerCase();
    if (v === '0' || v === 'false') sampled = false;
    else if (v !== '1' && v !== 'true') return undefined;
  }
  return { traceId, spanId, sampled };
}

/** Write the multi-header form. */
export function encodeB3Multi(ctx: B3Context, set: (name: string, value: string) => void): void {
  set(B3_TRACE_ID_HEADER, ctx.traceId);
  set(B3_SPAN_ID_HEADER, ctx.spanId);
  set(B3_SAMPLED_HEADER, ctx.sampled ? '1' : '0');
}
