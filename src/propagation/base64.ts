/**
 * Standard base64 (RFC 4648, with padding) for header fields, strict on decode: only the
 * standard alphabet, length a multiple of 4, padding only at the end. Values that recur in every
 * header (service, instance, endpoint, address) are cached in small bounded maps.
 */
const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const MAX_CACHE = 512;
const encodeCache = new Map<string, string>();
const decodeCache = new Map<string, string>();

/** UTF-8 then base64. */
export function encode64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** Like `encode64`, cached: for values that repeat across requests. */
export function encode64Cached(value: string): string {
  let out = encodeCache.get(value);
  if (out === undefined) {
    out = encode64(value);
    if (value.length <= 256) {
      if (encodeCache.size >= MAX_CACHE) encodeCache.clear();
      encodeCache.set(value, out);
    }
  }
  return out;
}

/** Strict base64 then UTF-8; `undefined` when the text is not valid standard padded base64. */
export function decode64(value: string): string | undefined {
  if (value.length % 4 !== 0 || !STRICT.test(value)) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Like `decode64`, cached: for values that repeat across requests. */
export function decode64Cached(value: string): string | undefined {
  const hit = decodeCache.get(value);
  if (hit !== undefined) return hit;
  const out = decode64(value);
  if (out !== undefined && value.length <= 344) {
    if (decodeCache.size >= MAX_CACHE) decodeCache.clear();
    decodeCache.set(value, out);
  }
  return out;
}
