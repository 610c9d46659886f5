import { SpanType, type SegmentObject } from '../base/model';
import { traceUrl } from './trace-url';

/** A search over the stored traces, as `GET /api/traces?…` and the web UI ask it. */
export interface TraceQuery {
  /** Traces with a segment of this service. */
  service?: string;
  /** Traces with an Entry span (or a segment's first span) of this name; `*` matches any run of characters. */
  endpoint?: string;
  /** This trace id only. */
  traceId?: string;
  minDurationMs?: number;
  errorsOnly: boolean;
  /** Traces that started at or after this epoch ms. */
  from?: number;
  /** Traces that started at or before this epoch ms. */
  to?: number;
  limit: number;
  offset: number;
}

/** One line of the trace list: newest first. */
export interface TraceListItem {
  traceId: string;
  /** Where the API serves this trace (see traceUrl). */
  url: string;
  services: string[];
  rootEndpoint: string;
  /** Epoch ms of the trace's first span. */
  startTime: number;
  durationMs: number;
  segments: number;
  spans: number;
  error: boolean;
}

export interface TracePage {
  /** How many traces match, before paging. */
  total: number;
  limit: number;
  offset: number;
  traces: TraceListItem[];
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** A query parameter longer than this is refused (a search string is never this long). */
export const MAX_PARAM_LENGTH = 1024;

const NUMBER = /^\d{1,15}$/;

/** Reads a query from URL parameters; a bad parameter gives a message naming it. */
export function parseTraceQuery(params: URLSearchParams): TraceQuery | { error: string } {
  const q: TraceQuery = { errorsOnly: false, limit: DEFAULT_LIMIT, offset: 0 };
  for (const [name, raw] of params) {
    if (raw.length > MAX_PARAM_LENGTH)
      return { error: `parameter ${name} is longer than ${MAX_PARAM_LENGTH} characters` };
    const value = raw.trim();
    if (value === '') continue;
    const num = (): number | undefined => (NUMBER.test(value) ? Number(value) : undefined);
    switch (name) {
      case 'service':
      case 'endpoint':
      case 'traceId':
        q[name] = value;
        break;
      case 'minDuration':
      case 'from':
      case 'to':
      case 'limit':
      case 'offset': {
        const n = num();
        if (n === undefined)
          return { error: `parameter ${name} must be a whole number, got ${JSON.stringify(value.slice(0, 40))}` };
        if (name === 'minDuration') q.minDurationMs = n;
        else if (name === 'limit') q.limit = Math.max(1, Math.min(MAX_LIMIT, n));
        else q[name] = n;
        break;
      }
      case 'error':
      case 'errorsOnly':
        if (value !== 'true' && value !== 'false') return { error: `parameter ${name} must be true or false` };
        q.errorsOnly = value === 'true';
        break;
      default:
        return {
          error: `unknown parameter ${name}; known: service, endpoint, traceId, minDuration, error, from, to, limit, offset`,
        };
    }
  }
  return q;
}

/** What the list shows of a trace, and what a query filters on. */
export function listItemOf(traceId: string, segments: readonly SegmentObject[]): ListEntry {
  let start = Infinity;
  let end = -Infinity;
  let root = '';
  let rootStart = Infinity;
  let error = false;
  let spans = 0;
  const endpoints = new Set<string>();
  const services = new Set<string>();
  for (const seg of segments) {
    services.add(seg.service);
    for (const s of seg.spans) {
      spans++;
      if (s.startTime < start) start = s.startTime;
      if (s.endTime > end) end = s.endTime;
      if (s.isError) error = true;
      if (s.spanType === SpanType.Entry || s.spanId === 0) endpoints.add(s.operationName);
      if (s.spanId === 0 && s.refs.length === 0 && s.startTime < rootStart) {
        rootStart = s.startTime;
        root = s.operationName;
      }
    }
  }
  if (root === '' && segments[0]?.spans[0]) root = segments[0].spans[0].operationName;
  return {
    traceId,
    url: traceUrl(traceId),
    services: [...services],
    rootEndpoint: root,
    startTime: Number.isFinite(start) ? start : 0,
    durationMs: Number.isFinite(start) ? Math.max(0, end - start) : 0,
    segments: segments.length,
    spans,
    error,
    endpoints,
  };
}

function wildcard(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const parts = pattern.split('*');
  return (s) => {
    if (!s.startsWith(parts[0]!) || !s.endsWith(parts[parts.length - 1]!)) return false;
    let at = parts[0]!.length;
    for (let i = 1; i < parts.length - 1; i++) {
      const found = s.indexOf(parts[i]!, at);
      if (found < 0) return false;
      at = found + parts[i]!.length;
    }
    return at <= s.length - parts[parts.length - 1]!.length;
  };
}

/** A list item with what a query filters on, for a trace with segments. */
export type ListEntry = TraceListItem & { endpoints: Set<string> };

/** The traces that match, newest first, one page of them. `itemOf` may answer from a cache. */
export function queryTraces(
  source: { traceIds(): string[]; trace(id: string): readonly SegmentObject[] },
  q: TraceQuery,
  itemOf: (id: string) => ListEntry | undefined = (id) => {
    const segments = source.trace(id);
    return segments.length === 0 ? undefined : listItemOf(id, segments);
  },
): TracePage {
  const ids = q.traceId !== undefined ? source.traceIds().filter((id) => id === q.traceId) : source.traceIds();
  const endpointMatches = q.endpoint !== undefined ? wildcard(q.endpoint) : undefined;
  const matched: TraceListItem[] = [];
  for (const id of ids) {
    const entry = itemOf(id);
    if (entry === undefined) continue;
    if (q.service !== undefined && !entry.services.includes(q.service)) continue;
    const { endpoints, ...item } = entry;
    if (endpointMatches && ![...endpoints].some(endpointMatches)) continue;
    if (q.errorsOnly && !item.error) continue;
    if (q.minDurationMs !== undefined && item.durationMs < q.minDurationMs) continue;
    if (q.from !== undefined && item.startTime < q.from) continue;
    if (q.to !== undefined && item.startTime > q.to) continue;
    matched.push(item);
  }
  matched.sort((a, b) => b.startTime - a.startTime || (a.traceId < b.traceId ? -1 : 1));
  return {
    total: matched.length,
    limit: q.limit,
    offset: q.offset,
    traces: matched.slice(q.offset, q.offset + q.limit),
  };
}
