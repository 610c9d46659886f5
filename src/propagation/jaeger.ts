import { MAX_LEGACY_HEADER_LENGTH, padHex } from './hex';

/** The `sampled` bit of uber-trace-id's flags. */
const SAMPLED_FLAG = 1;

/** jaeger-client's trace header and baggage prefix. */
export const UBER_TRACE_ID_HEADER = 'uber-trace-id';
export const UBER_BAGGAGE_PREFIX = 'uberctx-';
/** Baggage items read from `uberctx-*` headers, at most. */
export const MAX_UBER_BAGGAGE_ITEMS = 64;

export interface JaegerContext {
  /** 32 lowercase hex (leading zeros restored). */
  traceId: string;
  /** 16 lowercase hex. */
  spanId: string;
  sampled: boolean;
}

function urlDecode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Decode `uber-trace-id: {trace}:{span}:{parent}:{flags}` (URL-decoded first; jaeger-client drops
 * leading zeros, so ids are padded back). A zero trace or span id, or anything malformed, gives
 * undefined. Sampled is flags bit 0.
 */
export function decodeUberTraceId(value: unknown): JaegerContext | undefined {
  if (typeof value !== 'string' || value.length > MAX_LEGACY_HEADER_LENGTH) return undefined;
  const decoded = urlDecode(value.trim());
  if (decoded === undefined) return undefined;
  const parts = decoded.split(':');
  if (parts.length !== 4) return undefined;
  const traceId = padHex(parts[0]!, 32);
  const spanId = padHex(parts[1]!, 16);
  const parent = parts[2]!;
  const flags = parts[3]!;
  if (!traceId || !spanId) return undefined;
  if (parent !== '0' && !padHex(parent, 16)) return undefined;
  if (!/^[0-9a-fA-F]{1,2}$/.test(flags)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & SAMPLED_FLAG) === SAMPLED_FLAG };
}

/** Encode `uber-trace-id` with full-width ids, parent 0. */
export function encodeUberTraceId(ctx: JaegerContext): string {
  return `${ctx.traceId}:${ctx.spanId}:0:${ctx.sampled ? '1' : '0'}`;
}

/** Read `uberctx-<key>` baggage (URL-decoded), bounded. */
export function decodeUberBaggage(
  get: (name: string) => string | undefined,
  names: Iterable<string>,
  maxValueLength = MAX_LEGACY_HEADER_LENGTH,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    if (out.size >= MAX_UBER_BAGGAGE_ITEMS) break;
    if (!name.startsWith(UBER_BAGGAGE_PREFIX) || name.length === UBER_BAGGAGE_PREFIX.length) continue;
    const raw = get(name);
    if (typeof raw !== 'string' || raw.length > maxValueLength) continue;
    const value = urlDecode(raw);
    if (value !== undefined) out.set(name.slice(UBER_BAGGAGE_PREFIX.length), value);
  }
  return out;
}

/** Write baggage as `uberctx-<key>` headers, values URL-encoded. */
export function encodeUberBaggage(
  baggage: Iterable<[string, string]>,
  set: (name: string, value: string) => void,
): void {
  for (const [k, v] of baggage) {
    if (/^[A-Za-z0-9_.-]+$/.test(k)) set(UBER_BAGGAGE_PREFIX + k.toLowerCase(), encodeURIComponent(v));
  }
}
