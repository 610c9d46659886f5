import { decode64, encode64, encode64Cached } from './base64';
import { MAX_HEADER_LENGTH } from './headers';

/** The eight fields of an `sw8` header: the parent of a cross-process call. */
export interface Sw8Context {
  /** 1: sample; 0: context exists but may be ignored. Agents always write 1 and ignore it on read. */
  sample: 0 | 1;
  traceId: string;
  /** Parent trace segment id. */
  segmentId: string;
  /** Id of the exit span in the parent segment; an integer >= 0. */
  spanId: number;
  /** Parent service. */
  service: string;
  /** Parent service instance. */
  instance: string;
  /** Parent endpoint: the first entry span's operation name in the parent segment. */
  endpoint: string;
  /** Address the client used to reach this service: the exit span's peer. */
  address: string;
}

const MAX_SPAN_ID = 2 ** 31 - 1;

/** True when every field is one the Java agent accepts (non-empty strings, span id 0..2^31-1). */
export function isValidSw8(ctx: Sw8Context): boolean {
  return (
    (ctx.sample === 0 || ctx.sample === 1) &&
    typeof ctx.traceId === 'string' && ctx.traceId !== '' &&
    typeof ctx.segmentId === 'string' && ctx.segmentId !== '' &&
    Number.isInteger(ctx.spanId) && ctx.spanId >= 0 && ctx.spanId <= MAX_SPAN_ID &&
    typeof ctx.service === 'string' && ctx.service !== '' &&
    typeof ctx.instance === 'string' && ctx.instance !== '' &&
    typeof ctx.endpoint === 'string' && ctx.endpoint !== '' &&
    typeof ctx.address === 'string' && ctx.address !== ''
  );
}

/**
 * Encode an `sw8` value. Returns `undefined` (write nothing) when the context is one the Java
 * agent would reject, or when the value would exceed 2 KiB.
 */
export function encodeSw8(ctx: Sw8Context): string | undefined {
  if (!isValidSw8(ctx)) return undefined;
  const value =
    `${ctx.sample}-${encode64(ctx.traceId)}-${encode64(ctx.segmentId)}-${ctx.spanId}-` +
    `${encode64Cached(ctx.service)}-${encode64Cached(ctx.instance)}-${encode64Cached(ctx.endpoint)}-${encode64Cached(ctx.address)}`;
  return value.length <= MAX_HEADER_LENGTH ? value : undefined;
}

/**
 * Decode an `sw8` value. Anything invalid gives `undefined`, never a throw: not a string, over
 * 2 KiB, not exactly 8 fields, a sample other than 0/1, a field that is not strict padded base64,
 * an empty string field, or a span id that is not an integer in 0..2^31-1.
 */
export function decodeSw8(value: unknown): Sw8Context | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HEADER_LENGTH) return undefined;
  // eight fields between seven dashes (base64 has no '-'); scanned rather than split: this runs
  // for every incoming request
  const d1 = value.indexOf('-');
  const d2 = value.indexOf('-', d1 + 1);
  const d3 = value.indexOf('-', d2 + 1);
  const d4 = value.indexOf('-', d3 + 1);
  const d5 = value.indexOf('-', d4 + 1);
  const d6 = value.indexOf('-', d5 + 1);
  const d7 = value.indexOf('-', d6 + 1);
  if (d1 < 0 || d2 < 0 || d3 < 0 || d4 < 0 || d5 < 0 || d6 < 0 || d7 < 0 || value.indexOf('-', d7 + 1) >= 0) return undefined;
  const s = value.slice(0, d1);
  const t = value.slice(d1 + 1, d2);
  const g = value.slice(d2 + 1, d3);
  const i = value.slice(d3 + 1, d4);
  const sv = value.slice(d4 + 1, d5);
  const si = value.slice(d5 + 1, d6);
  const ep = value.slice(d6 + 1, d7);
  const ad = value.slice(d7 + 1);
  if (s !== '0' && s !== '1') return undefined;
  const spanId = spanIdOf(i);
  if (spanId < 0) return undefined;
  const traceId = decode64(t);
  if (!traceId) return undefined;
  const segmentId = decode64(g);
  if (!segmentId) return undefined;
  // service, instance, endpoint and address repeat from request to request: one cache lookup
  // for the four together
  const parent = parentOf(value, d4 + 1, sv, si, ep, ad);
  if (!parent) return undefined;
  return { sample: s === '1' ? 1 : 0, traceId, segmentId, spanId, service: parent.service, instance: parent.instance, endpoint: parent.endpoint, address: parent.address };
}

/** A decimal span id in 0..2^31-1 (at most 10 digits, no sign), or -1. */
function spanIdOf(text: string): number {
  const n = text.length;
  if (n === 0 || n > 10) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= MAX_SPAN_ID ? v : -1;
}

interface Parent {
  service: string;
  instance: string;
  endpoint: string;
  address: string;
}
const MAX_PARENTS = 512;
const parents = new Map<string, Parent>();

let lastTail = '';
let lastParent: Parent | undefined;

/** The decoded parent fields, from the header's tail (`value` from `from`): memo, then map, then decode. */
function parentOf(value: string, from: number, sv: string, si: string, ep: string, ad: string): Parent | undefined {
  // the same caller again: compare in place, no substring, no hashing
  if (lastParent !== undefined && value.length - from === lastTail.length && value.startsWith(lastTail, from)) return lastParent;
  const tail = value.slice(from);
  const hit = parents.get(tail);
  if (hit) {
    lastTail = tail;
    lastParent = hit;
    return hit;
  }
  const service = decode64(sv);
  const instance = decode64(si);
  const endpoint = decode64(ep);
  const address = decode64(ad);
  if (!service || !instance || !endpoint || !address) return undefined;
  const parent = { service, instance, endpoint, address };
  if (tail.length <= 1024) {
    if (parents.size >= MAX_PARENTS) parents.clear();
    parents.set(tail, parent);
    lastTail = tail;
    lastParent = parent;
  }
  return parent;
}
