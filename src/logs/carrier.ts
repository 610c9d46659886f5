/**
 * The ids carrier: the one form in which SkyWalking ids travel with a log line to where it is
 * reported (a pino worker). `traceId|segmentId|spanId|service|instance|endpoint`, then, beside a
 * line only (`skywalkingDestination`), the OTel `traceId|spanId|flags` an OTel log instrumentation
 * may have stamped into the line. Each field is escaped (`\` as `\\`, `|` as `\|`), so whatever a
 * remote trace id or a route holds, the fields read back as written; ids without `\` or `|` (all
 * that SkyWalking and OTel make) are written as they are, so the usual carrier costs nothing more.
 *
 * In a pino line the carrier is the value of the key `sw_ctx`; when the logged object has that key
 * itself, the mixin writes its carrier under `sw_ctx~` (`sw_ctx~~`, … past the object's keys): the
 * reader takes the key with the most `~` (the last one written among equals) as the carrier, and
 * every other such key stays data.
 */
import type { LogContextIds } from './record';

export const CARRIER_KEY = 'sw_ctx';
const TILDE = 126;

/** The ids a carrier holds: SkyWalking's, and the OTel ids of the same span when given. */
export interface CarriedIds extends LogContextIds {
  segmentId: string;
  spanId: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  /** The OTel span's hex ids and flags (`01`), as OTel's log instrumentations write them. */
  otelTraceId?: string;
  otelSpanId?: string;
  otelFlags?: string;
}

function escapeField(s: string): string {
  return s.indexOf('\\') < 0 && s.indexOf('|') < 0 ? s : s.replace(/[\\|]/g, (c) => `\\${c}`);
}

/** The carrier text of `ids` (OTel ids included when all three are given). */
export function packIds(ids: CarriedIds): string {
  let text = `${escapeField(ids.traceId)}|${escapeField(ids.segmentId)}|${ids.spanId}|${escapeField(ids.service)}|${escapeField(ids.serviceInstance)}|${escapeField(ids.endpoint)}`;
  if (ids.otelTraceId !== undefined && ids.otelSpanId !== undefined && ids.otelFlags !== undefined)
    text += `|${escapeField(ids.otelTraceId)}|${escapeField(ids.otelSpanId)}|${escapeField(ids.otelFlags)}`;
  return text;
}

/** The fields of a carrier text: split on each `|` not escaped, each field unescaped. */
function fieldsOf(text: string): string[] {
  if (text.indexOf('\\') < 0) return text.split('|');
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) field += text[++i];
    else if (c === '|') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** The ids of a carrier text, or null when it is not one (6 or 9 fields, a trace id, a span id). */
export function unpackIds(text: unknown): CarriedIds | null {
  if (typeof text !== 'string' || text === '') return null;
  const f = fieldsOf(text);
  if ((f.length !== 6 && f.length !== 9) || f[0] === '' || !/^-?[0-9]{1,10}$/.test(f[2]!)) return null;
  const ids: CarriedIds = {
    traceId: f[0]!,
    segmentId: f[1]!,
    spanId: Number(f[2]) | 0,
    service: f[3]!,
    serviceInstance: f[4]!,
    endpoint: f[5]!,
  };
  if (f.length === 9) {
    ids.otelTraceId = f[6];
    ids.otelSpanId = f[7];
    ids.otelFlags = f[8];
  }
  return ids;
}

/**
 * How strongly `key` names the carrier: 0 for `sw_ctx`, n for `sw_ctx` and n `~`; -1 for any
 * other key.
 */
export function carrierRank(key: string): number {
  if (!key.startsWith(CARRIER_KEY)) return -1;
  for (let i = CARRIER_KEY.length; i < key.length; i++) if (key.charCodeAt(i) !== TILDE) return -1;
  return key.length - CARRIER_KEY.length;
}

/** The same for a key's UTF-8 bytes `b[start, end)`. */
export function carrierRankOfBytes(b: Uint8Array, start: number, end: number): number {
  const n = CARRIER_KEY.length;
  if (end - start < n) return -1;
  for (let k = 0; k < n; k++) if (b[start + k] !== CARRIER_KEY.charCodeAt(k)) return -1;
  for (let i = start + n; i < end; i++) if (b[i] !== TILDE) return -1;
  return end - start - n;
}

/** The highest carrier rank among the keys of the logged object `obj` (-1: none). */
export function carrierRankIn(obj: unknown): number {
  if (obj === null || typeof obj !== 'object') return -1;
  let most = -1;
  try {
    // per log call: no array of keys, and most keys are rejected by their first character
    for (const k in obj) {
      if (k.charCodeAt(0) !== 115 /* s */) continue;
      const r = carrierRank(k);
      if (r > most) most = r;
    }
  } catch {
    // a hostile object: as if it had none
  }
  return most;
}

/** The key the carrier goes under beside a logged object whose strongest carrier-like key has `rank`: one `~` more. */
export function carrierKeyAbove(rank: number): string {
  return rank < 0 ? CARRIER_KEY : CARRIER_KEY + '~'.repeat(rank + 1);
}

/** The keys a log record may hold copies of the ids under (ours, or those OTel's log instrumentations stamp). */
export const STAMP_KEYS = [
  'trace_id',
  'segment_id',
  'span_id',
  'sw_service',
  'sw_instance',
  'sw_endpoint',
  'trace_flags',
] as const;

/** Whether the record holds OTel's own stamp of the ids (its `trace_id` or `span_id`). */
export function hasOtelStamp(record: Record<string, unknown>, ids: CarriedIds | null): boolean {
  return (
    ids !== null &&
    ((ids.otelTraceId !== undefined && record.trace_id === ids.otelTraceId) ||
      (ids.otelSpanId !== undefined && record.span_id === ids.otelSpanId))
  );
}

/**
 * Whether `value` under `key` is a stamp of `ids` (ours, the register's instrumentation hook's, or
 * OTel's own): it is then left out of the body. Any other value (the application's data) stays.
 */
export function isStamp(key: string, value: unknown, ids: CarriedIds | null, otelStamped = false): boolean {
  if (!ids) return false;
  switch (key) {
    case 'trace_id':
      return value === ids.traceId || (ids.otelTraceId !== undefined && value === ids.otelTraceId);
    case 'segment_id':
      return value === ids.segmentId;
    case 'span_id':
      return value === ids.spanId || (ids.otelSpanId !== undefined && value === ids.otelSpanId);
    case 'sw_service':
      return value === ids.service;
    case 'sw_instance':
      return value === ids.serviceInstance;
    case 'sw_endpoint':
      return value === ids.endpoint;
    case 'trace_flags':
      // OTel's flags only beside OTel's ids (`otelStamped`): a `trace_flags` of the application's stays
      return otelStamped && ids.otelFlags !== undefined && value === ids.otelFlags;
    default:
      return false;
  }
}

/** Whether `value` is the carrier of `ids` (with or without their OTel ids): a copy of the ids given beside a line. */
export function isCarrierOf(value: unknown, ids: CarriedIds): boolean {
  return (
    typeof value === 'string' &&
    (value === packIds(ids) ||
      value === packIds({ ...ids, otelTraceId: undefined, otelSpanId: undefined, otelFlags: undefined }))
  );
}
