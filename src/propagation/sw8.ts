import { decode64, decode64Cached, encode64, encode64Cached } from './base64';
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

const SPAN_ID = /^\d{1,10}$/;
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
  const p = value.split('-');
  if (p.length !== 8) return undefined;
  const [s, t, g, i, sv, si, ep, ad] = p as [string, string, string, string, string, string, string, string];
  if (s !== '0' && s !== '1') return undefined;
  if (!SPAN_ID.test(i)) return undefined;
  const spanId = Number(i);
  if (spanId > MAX_SPAN_ID) return undefined;
  const traceId = decode64(t);
  if (!traceId) return undefined;
  const segmentId = decode64(g);
  if (!segmentId) return undefined;
  const service = decode64Cached(sv);
  if (!service) return undefined;
  const instance = decode64Cached(si);
  if (!instance) return undefined;
  const endpoint = decode64Cached(ep);
  if (!endpoint) return undefined;
  const address = decode64Cached(ad);
  if (!address) return undefined;
  return { sample: s === '1' ? 1 : 0, traceId, segmentId, spanId, service, instance, endpoint, address };
}
