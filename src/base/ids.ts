import { createHash, randomFillSync } from 'node:crypto';

/**
 * Cheap ids: 32 lowercase hex characters (128 random bits), drawn from a pool of random bytes
 * refilled 4 KiB at a time, so an id costs no syscall and no uuid formatting.
 * The shape matches OTel trace ids and the ids of the Node, Python and Go SkyWalking agents.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * `Buffer#hexSlice(start, end)`: what `toString('hex', start, end)` calls after checking its
 * arguments (~15-25% of an id's cost saved); `toString` where a runtime lacks it.
 */
const hexSlice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as { hexSlice?: (this: Buffer, start: number, end: number) => string }).hexSlice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('hex', start, end);
  };

function take(n: number): number {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += n;
  return start;
}

/** A new 32-hex id (trace or segment id). Never all zeros. */
export function newId(): string {
  const start = take(16);
  const id = hexSlice.call(pool, start, start + 16);
  return id === '00000000000000000000000000000000' ? newId() : id;
}

/** A new 16-hex id (an OTel-style span id). Never all zeros. */
export function newShortId(): string {
  const start = take(8);
  const id = hexSlice.call(pool, start, start + 8);
  return id === '0000000000000000' ? newShortId() : id;
}

const HEX32 = /^[0-9a-f]{32}$/;

/** True for 32 lowercase hex characters that are not all zeros (a valid OTel trace id). */
export function isHex32(value: string): boolean {
  return value.length === 32 && HEX32.test(value) && value !== '00000000000000000000000000000000';
}

const hexCache = new Map<string, string>();

/**
 * A 32-hex trace id for any SkyWalking trace id: a valid 32-hex id is returned as is; any other
 * string (e.g. Java's `<uuid>.<thread>.<seq>`) maps by SHA-256 to its first 32 hex characters,
 * the same in every process, so OTel and legacy headers agree across services.
 */
export function hexTraceIdOf(traceId: string): string {
  if (isHex32(traceId)) return traceId;
  let out = hexCache.get(traceId);
  if (out === undefined) {
    out = createHash('sha256').update(traceId, 'utf8').digest('hex').slice(0, 32);
    if (out === '00000000000000000000000000000000') out = '00000000000000000000000000000001';
    if (hexCache.size >= 1024) hexCache.clear();
    hexCache.set(traceId, out);
  }
  return out;
}

/**
 * A 16-hex span id for span `spanId` of segment `segmentId` (for W3C/B3/Jaeger headers and OTel):
 * the first 12 hex characters of a hex segment id (else of its SHA-256) followed by the span id in
 * 4 hex digits. Deterministic, so the same span always gets the same id.
 */
export function hexSpanIdOf(segmentId: string, spanId: number): string {
  const base = /^[0-9a-f]{12}/.test(segmentId)
    ? segmentId.slice(0, 12)
    : createHash('sha256').update(segmentId, 'utf8').digest('hex').slice(0, 12);
  const id = base + (spanId & 0xffff).toString(16).padStart(4, '0');
  return id === '0000000000000000' ? '0000000000000001' : id;
}
