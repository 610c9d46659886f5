import type { SegmentObject } from '../base/model';
import {
  type Analysis,
  type AnalysisOptions,
  type Problem,
  type TracePartial,
  analyzeTrace,
  mergePartials,
} from './analysis';
import type { StoredLog } from './logs';
import { renderTrace } from './render';
import { type ListEntry, listItemOf } from './trace-query';
import { type SpanView, spanViews } from './trace-view';
import type { CollectorStore } from './store';

/**
 * What the JSON API and the CLI read, worked out per trace once per change of that trace (so a
 * read costs that trace, not the store), and the store-wide analysis at most once per change and
 * per `maxAgeMs`.
 */

/** One line of the trace list. */
export interface TraceSummary {
  traceId: string;
  services: string[];
  rootEndpoint: string;
  durationMs: number;
  segments: number;
  error: boolean;
}

export function summarize(traceId: string, segments: readonly SegmentObject[]): TraceSummary {
  let start = Infinity;
  let end = -Infinity;
  let root = '';
  let rootStart = Infinity;
  let error = false;
  for (const seg of segments) {
    for (const s of seg.spans) {
      start = Math.min(start, s.startTime);
      end = Math.max(end, s.endTime);
      if (s.isError) error = true;
      if (s.spanId === 0 && s.refs.length === 0 && s.startTime < rootStart) {
        rootStart = s.startTime;
        root = s.operationName;
      }
    }
  }
  return {
    traceId,
    services: [...new Set(segments.map((s) => s.service))],
    rootEndpoint: root,
    durationMs: Number.isFinite(start) ? end - start : 0,
    segments: segments.length,
    error,
  };
}

/** Heap of a summary: the object, its service list (names are shared with the segments) and root endpoint. */
function summarySize(s: TraceSummary): number {
  return 150 + s.services.length * 16;
}

/** Heap of a trace's analysis share, per object kind (calibrated on Node 20); problem messages are new strings. */
export function partialSize(p: TracePartial): number {
  let n =
    600 + p.aliases.length * 60 + p.ops.length * 120 + p.endpointRelations.size * 250 + p.slowStatements.length * 250;
  for (const s of p.services.values()) n += 400 + (s.instances.size + s.endpoints.size) * 40;
  for (const pr of p.problems) n += 150 + pr.message.length;
  for (const st of p.slowStatements) n += st.statement.length + st.id.length;
  n += p.unanswered.length * 200 + p.calls.size * 150;
  return n;
}

export function traceSummary(store: CollectorStore, traceId: string): TraceSummary | undefined {
  return store.memo(traceId, 'summary', (t) => summarize(traceId, t.segments), summarySize);
}

/** A trace's line in the trace list with what searches filter on, kept with the trace until it changes. */
export function traceListItem(store: CollectorStore, traceId: string): ListEntry | undefined {
  const t = store.traceEntry(traceId);
  if (!t || t.segments.length === 0) return undefined;
  return store.memo(
    traceId,
    'list-item',
    () => listItemOf(traceId, t.segments),
    (e) => 300 + e.services.length * 16,
  );
}

/** One trace's share of the analysis (computed once per change of that trace). */
export function tracePartial(
  store: CollectorStore,
  traceId: string,
  options: AnalysisOptions = {},
): TracePartial | undefined {
  return store.memo(traceId, 'partial', (t) => analyzeTrace(t.segments, options), partialSize);
}

/**
 * Work out the analysis share of traces that have not changed for `quietMs` and have none yet,
 * for at most `budgetMs`; returns how many. Run on a timer, so a read of the topology after a burst
 * finds the shares ready and only merges them, and a trace still growing is not re-analysed per segment.
 */
export function warmPartials(
  store: CollectorStore,
  options: AnalysisOptions,
  quietMs: number,
  budgetMs: number,
): number {
  const start = Date.now();
  const refused = store.memosRefused;
  let n = 0;
  for (const [id, t] of store.entries()) {
    if (t.segments.length === 0 || t.memo.has('partial') || start - t.changedAt < quietMs) continue;
    tracePartial(store, id, options);
    // no room left under maxBytes: stop (it would be worked out again and again for nothing)
    if (store.memosRefused !== refused) break;
    traceListItem(store, id);
    if (store.memosRefused !== refused) break;
    n++;
    if (Date.now() - start >= budgetMs) break;
  }
  return n;
}

/** The problems of one trace (the OAP's rules applied to its segments). */
export function traceProblems(store: CollectorStore, traceId: string, options: AnalysisOptions = {}): Problem[] {
  return tracePartial(store, traceId, options)?.problems ?? [];
}

/** `GET /api/traces/:id`: the summary, the segments, the tree (logs under their spans), problems and logs. */
export interface TraceView extends Omit<TraceSummary, 'segments'> {
  /** Epoch ms of the trace's first span. */
  startTime: number;
  segments: SegmentObject[];
  /** Every span in tree order with its depth and offset (what the web UI's waterfall draws). */
  spans: SpanView[];
  tree: string;
  problems: Problem[];
  logs: StoredLog[];
}

export function traceView(
  store: CollectorStore,
  traceId: string,
  options: AnalysisOptions = {},
): TraceView | undefined {
  const t = store.traceEntry(traceId);
  if (!t || t.segments.length === 0) return undefined;
  return {
    ...traceSummary(store, traceId)!,
    startTime: startOf(t.segments),
    segments: [...t.segments],
    spans: spanViews(t.segments),
    tree: renderTrace(t.segments, { logs: t.logs }),
    problems: traceProblems(store, traceId, options),
    logs: [...t.logs],
  };
}

function startOf(segments: readonly SegmentObject[]): number {
  let start = Infinity;
  for (const seg of segments) for (const s of seg.spans) if (s.startTime < start) start = s.startTime;
  return Number.isFinite(start) ? start : 0;
}

export interface LogQuery {
  traceId?: string;
  service?: string;
  /** Substring of the content. */
  q?: string;
  offset?: number;
  limit?: number;
}

export interface LogPage {
  /** Logs matching the query (all pages). */
  total: number;
  offset: number;
  limit: number;
  logs: StoredLog[];
}

export const MAX_LOG_PAGE = 1000;

/** Stored logs matching every given condition, oldest first, one page of them. */
export function queryLogs(store: CollectorStore, query: LogQuery): LogPage {
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.min(MAX_LOG_PAGE, Math.max(0, Math.floor(query.limit ?? 100)));
  const source: Iterable<StoredLog> =
    query.traceId !== undefined ? (store.traceEntry(query.traceId)?.logs ?? []) : store.logsIterator();
  const logs: StoredLog[] = [];
  let total = 0;
  for (const log of source) {
    if (query.service !== undefined && log.service !== query.service) continue;
    if (query.q !== undefined && !log.content.includes(query.q)) continue;
    if (total >= offset && logs.length < limit) logs.push(log);
    total++;
  }
  return { total, offset, limit, logs };
}

/**
 * The store-wide analysis: a merge of the traces' partials (each computed once per change of its
 * trace), redone only when segments changed and the last one is older than `maxAgeMs`.
 */
export class AnalysisCache {
  private version = -1;
  private at = 0;
  private value: Analysis | undefined;

  constructor(
    private readonly store: CollectorStore,
    private readonly options: AnalysisOptions,
  ) {}

  get(maxAgeMs = 0): Analysis {
    const now = Date.now();
    if (!this.value || (this.version !== this.store.segmentsVersion && now - this.at >= maxAgeMs)) {
      this.version = this.store.segmentsVersion;
      const partials: TracePartial[] = [];
      for (const id of this.store.traceIds()) {
        const p = tracePartial(this.store, id, this.options);
        if (p) partials.push(p);
      }
      this.value = mergePartials(partials);
      this.at = Date.now();
    }
    return this.value;
  }
}
