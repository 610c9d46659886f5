import { decode64, encode64 } from './base64';
import { MAX_HEADER_LENGTH } from './headers';

/** Bounds of `sw8-correlation` (defaults: 3 keys, 128-character values, as the Java agent). */
export interface CorrelationLimits {
  maxElements: number;
  maxValueLength: number;
}

export const DEFAULT_CORRELATION_LIMITS: CorrelationLimits = { maxElements: 3, maxValueLength: 128 };

/**
 * Encode baggage as `base64(key):base64(value)` pairs joined by `,`. Entries past `maxElements`,
 * with an empty key, or with a value longer than `maxValueLength` are left out. Returns `undefined`
 * when nothing is left or the value would exceed 2 KiB.
 */
export function encodeCorrelation(
  entries: Iterable<readonly [string, string]>,
  limits: CorrelationLimits = DEFAULT_CORRELATION_LIMITS,
): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (parts.length >= limits.maxElements) break;
    if (typeof k !== 'string' || k === '' || typeof v !== 'string' || v.length > limits.maxValueLength) continue;
    parts.push(`${encode64(k)}:${encode64(v)}`);
  }
  if (parts.length === 0) return undefined;
  const value = parts.join(',');
  return value.length <= MAX_HEADER_LENGTH ? value : undefined;
}

/**
 * Decode an `sw8-correlation` value into a Map. Malformed items (not exactly one `:`, bad base64,
 * empty key, value over the limit) are skipped; decoding stops after `maxElements` entries.
 * Never throws; a non-string or oversized value gives an empty Map.
 */
export function decodeCorrelation(
  value: unknown,
  limits: CorrelationLimits = DEFAULT_CORRELATION_LIMITS,
): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value !== 'string' || value === '' || value.length > MAX_HEADER_LENGTH) return out;
  for (const item of value.split(',')) {
    if (out.size >= limits.maxElements) break;
    const kv = item.split(':');
    if (kv.length !== 2) continue;
    const k = decode64(kv[0]!);
    const v = decode64(kv[1]!);
    if (!k || v === undefined || v.length > limits.maxValueLength) continue;
    out.set(k, v);
  }
  return out;
}
