import { shown } from '../base/diag';
import type { Problem } from './analysis';
import type { HttpSettings } from './http-api';
import { heartbeatProblems } from './heartbeat-problems';
import { type LogQuery, queryLogs, traceListItem, traceView } from './queries';
import type { CollectorStore } from './store';
import { type TraceQuery, parseTraceQuery, queryTraces } from './trace-query';
import { traceUrl } from './trace-url';
import type { VersionMemo } from './search-memo';

/** A request the client got wrong: 400 with this message (which never echoes request text unescaped). */
export class BadRequest extends Error {}

/** What a route answers: a status and a JSON body (a value, or text already serialized). */
export interface Answer {
  status: number;
  body: unknown;
  /** The body is already JSON text. */
  raw?: boolean;
}

export interface RouteContext {
  store: CollectorStore;
  settings: HttpSettings;
  params: URLSearchParams;
  /** The decoded `:id` segment of the path. */
  id: string;
  searches: VersionMemo;
}

/** One API route: a path (a last segment `:id` matches one raw segment, `/` inside encoded as %2F). */
export interface Route {
  path: string;
  answer(ctx: RouteContext): Answer;
  /** An answer already worked out, served without drawing on the read budget (it costs nothing). */
  kept?(ctx: RouteContext): Answer | undefined;
  /** An older answer, served instead of a 503 when the read budget is spent. */
  stale?(ctx: RouteContext): Answer | undefined;
}

const ok = (body: unknown): Answer => ({ status: 200, body });

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (v === '' || !Number.isInteger(n) || n < 0)
    throw new BadRequest(`${name} must be a whole number >= 0, got ${JSON.stringify(shown(v, 40))}`);
  return n;
}

function optional(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  return v === null || v === '' ? undefined : v;
}

/** A search's query and its memo key; a bad parameter is a BadRequest. */
function searchKey(ctx: RouteContext, withTotal: boolean): { query: TraceQuery; key: string } {
  const query = parseTraceQuery(ctx.params);
  if ('error' in query) throw new BadRequest(query.error);
  return { query, key: `${withTotal ? 's' : 't'}${JSON.stringify(query)}` };
}

function keptSearch(ctx: RouteContext, withTotal: boolean, stale: boolean): Answer | undefined {
  const { key } = searchKey(ctx, withTotal);
  const maxAge = stale ? Number.POSITIVE_INFINITY : ctx.settings.analysisMaxAgeMs;
  const text = ctx.searches.peek(ctx.store.segmentsVersion, key, maxAge);
  return text === undefined ? undefined : { status: 200, body: text, raw: true };
}

/** /api/traces answers the page's traces, /api/search the page with its total; both memoized per store version (at most analysisMaxAgeMs stale). */
function search(ctx: RouteContext, withTotal: boolean): Answer {
  const { query, key } = searchKey(ctx, withTotal);
  const text = ctx.searches.get(ctx.store.segmentsVersion, key, ctx.settings.analysisMaxAgeMs, () => {
    const page = queryTraces(ctx.store, query, (id) => traceListItem(ctx.store, id));
    return Buffer.from(JSON.stringify(withTotal ? page : page.traces));
  });
  return { status: 200, body: text, raw: true };
}

/** A trace's view, kept until the trace changes (and counted in the store's bytes). */
function trace(ctx: RouteContext, id: string): Answer {
  const { store, settings } = ctx;
  const text = store.traceEntry(id)?.segments.length
    ? store.memo(
        id,
        'view-json',
        () => Buffer.from(JSON.stringify(traceView(store, id, settings.analysisOptions))),
        (b) => 100 + b.length,
      )
    : undefined;
  return text !== undefined
    ? { status: 200, body: text, raw: true }
    : { status: 404, body: { error: `no trace ${shown(id)}` } };
}

const withUrl = <T extends { traceId: string }>(list: readonly T[]): Array<T & { traceUrl: string }> =>
  list.map((p) => ({ ...p, traceUrl: traceUrl(p.traceId) }));

function problems(ctx: RouteContext): Problem[] {
  return [
    ...ctx.settings.analysis.get(ctx.settings.analysisMaxAgeMs).problems,
    ...heartbeatProblems(ctx.store, Date.now()),
  ];
}

function services(ctx: RouteContext): Answer {
  const a = ctx.settings.analysis.get(ctx.settings.analysisMaxAgeMs);
  const instances = new Map(ctx.store.instances().map((i) => [`${i.service}\u0000${i.instance}`, i.properties]));
  return ok(
    a.services.map((s) => ({
      ...s,
      instances: s.instances.map((name) => ({ name, properties: instances.get(`${s.name}\u0000${name}`) ?? {} })),
    })),
  );
}

function logs(ctx: RouteContext): Answer {
  const p = ctx.params;
  const query: LogQuery = {
    traceId: optional(p, 'traceId'),
    service: optional(p, 'service'),
    q: optional(p, 'q'),
    offset: intParam(p, 'offset'),
    limit: intParam(p, 'limit'),
  };
  return ok(queryLogs(ctx.store, query));
}

/** The JSON API's reads (behind the token and the read budget). */
export const API_ROUTES: readonly Route[] = [
  {
    path: '/api/traces',
    answer: (c) => search(c, false),
    kept: (c) => keptSearch(c, false, false),
    stale: (c) => keptSearch(c, false, true),
  },
  {
    path: '/api/search',
    answer: (c) => search(c, true),
    kept: (c) => keptSearch(c, true, false),
    stale: (c) => keptSearch(c, true, true),
  },
  { path: '/api/traces/:id', answer: (c) => trace(c, c.id) },
  {
    path: '/api/trace',
    answer: (c) => {
      const id = c.params.get('id');
      if (id === null) throw new BadRequest('parameter id is required');
      return trace(c, id);
    },
  },
  { path: '/api/logs', answer: logs },
  { path: '/api/topology', answer: (c) => ok(c.settings.analysis.get(c.settings.analysisMaxAgeMs).topology) },
  { path: '/api/services', answer: services },
  {
    path: '/api/agents',
    answer: (c) => ok({ instances: c.settings.telemetry.list(), events: c.settings.telemetry.latestEvents() }),
  },
  { path: '/api/problems', answer: (c) => ok(withUrl(problems(c))) },
  {
    path: '/api/slow-statements',
    answer: (c) => ok(withUrl(c.settings.analysis.get(c.settings.analysisMaxAgeMs).slowStatements)),
  },
];

/**
 * The route for a raw path (before any decoding, so `order%2F7` stays one segment) and its decoded
 * `:id`; undefined when none matches. A malformed escape in the id is a BadRequest.
 */
export function matchRoute(routes: readonly Route[], rawPath: string): { route: Route; id: string } | undefined {
  for (const route of routes) {
    if (!route.path.endsWith('/:id')) {
      if (route.path === rawPath) return { route, id: '' };
      continue;
    }
    const prefix = route.path.slice(0, -3);
    if (!rawPath.startsWith(prefix)) continue;
    const rest = rawPath.slice(prefix.length);
    if (rest === '' || rest.includes('/')) continue;
    try {
      return { route, id: decodeURIComponent(rest) };
    } catch {
      throw new BadRequest('malformed percent-encoding in the path');
    }
  }
  return undefined;
}

/** The paths the API knows, for the 404 message. */
export const KNOWN_PATHS = ['/healthz', '/api/stats', ...API_ROUTES.map((r) => r.path)].join(', ');
