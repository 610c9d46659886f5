import type { KeyStringValuePair } from '../base/model';

/**
 * A `LogData` (LogReportService/collect) as the collector keeps and serves it: the body flattened
 * to `contentType` + `content` (as the OAP's GraphQL `Log` has them), the trace context `null` when
 * the record names no trace. Pure: decoded message in, typed record out.
 */
export interface StoredLog {
  /** Arrival number, from 1 (stable across evictions: a paging cursor). */
  seq: number;
  /** Epoch ms as sent (0 when absent). */
  timestamp: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  layer: string;
  /** Which body the record had; NONE when it had none. */
  contentType: 'TEXT' | 'JSON' | 'YAML' | 'NONE';
  content: string;
  /** `LogDataBody.type`, as sent (usually empty). */
  bodyType: string;
  traceContext: { traceId: string; traceSegmentId: string; spanId: number } | null;
  tags: KeyStringValuePair[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;

/** A decoded `LogData` (proto-loader: keepCase, longs as numbers, defaults, oneofs) to a stored record. */
export function toStoredLog(raw: unknown, seq: number): StoredLog {
  const m = obj(raw) ?? {};
  const body = obj(m.body);
  let contentType: StoredLog['contentType'] = 'NONE';
  let content = '';
  if (body) {
    const which = str(body.content) || (body.text ? 'text' : body.json ? 'json' : body.yaml ? 'yaml' : '');
    if (which === 'text' || which === 'json' || which === 'yaml') {
      contentType = which === 'text' ? 'TEXT' : which === 'json' ? 'JSON' : 'YAML';
      content = str(obj(body[which])?.[which]);
    }
  }
  const tc = obj(m.traceContext);
  const traceId = tc ? str(tc.traceId) : '';
  const spanId = tc && typeof tc.spanId === 'number' && Number.isInteger(tc.spanId) ? tc.spanId : 0;
  const data = obj(m.tags)?.data;
  const tags: KeyStringValuePair[] = Array.isArray(data)
    ? data.map((t) => ({ key: str(obj(t)?.key), value: str(obj(t)?.value) }))
    : [];
  const ts = typeof m.timestamp === 'number' && Number.isFinite(m.timestamp) ? m.timestamp : 0;
  return {
    seq,
    timestamp: ts,
    service: str(m.service),
    serviceInstance: str(m.serviceInstance),
    endpoint: str(m.endpoint),
    layer: str(m.layer),
    contentType,
    content,
    bodyType: body ? str(body.type) : '',
    traceContext: traceId === '' ? null : { traceId, traceSegmentId: tc ? str(tc.traceSegmentId) : '', spanId },
    tags,
  };
}

/** A rough size of a stored log in memory (characters of every string plus V8's per-object overheads, measured on Node 20), for the byte bound. */
export function logSize(log: StoredLog): number {
  let n =
    300 +
    log.service.length +
    log.serviceInstance.length +
    log.endpoint.length +
    log.layer.length +
    log.content.length +
    log.bodyType.length;
  if (log.traceContext) n += 100 + log.traceContext.traceId.length + log.traceContext.traceSegmentId.length;
  for (const t of log.tags) n += 80 + t.key.length + t.value.length;
  return n;
}
