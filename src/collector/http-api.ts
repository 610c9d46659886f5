import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { SegmentObject } from '../model';
import { analyze } from './analysis';
import { renderTrace } from './render';
import type { CollectorStore } from './store';
import { parseTraceQuery, queryTraces } from './trace-query';
import { traceView } from './trace-view';
import { serveUi } from './ui';

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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The collector's JSON API: /api/traces, /api/traces/:id, /api/topology, /api/services, /api/problems, /healthz. */
export function startHttpApi(store: CollectorStore, host: string, port: number): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
      if (serveUi(path, res)) return;
      if (path === '/healthz') return send(res, 200, { status: 'ok', segments: store.count() });
      if (path === '/api/traces' || path === '/api/search') {
        // the same filters; /api/traces answers the page's traces, /api/search the page with its total
        const query = parseTraceQuery(url.searchParams);
        if ('error' in query) return send(res, 400, query);
        const page = queryTraces(store, query);
        return send(res, 200, path === '/api/search' ? page : page.traces);
      }
      const m = /^\/api\/traces\/([^/]+)$/.exec(path);
      if (m) {
        const segments = store.trace(m[1]!);
        if (segments.length === 0) return send(res, 404, { error: `no trace ${m[1]}` });
        const problems = analyze(store.segments()).problems.filter((p) => p.traceId === m[1]);
        const spans = traceView(segments);
        const startTime = Math.min(...segments.flatMap((seg) => seg.spans.map((s) => s.startTime)));
        return send(res, 200, { ...summarize(m[1]!, segments), startTime, segments: segments, spans, tree: renderTrace(segments), problems });
      }
      if (path === '/api/topology') return send(res, 200, analyze(store.segments()).topology);
      if (path === '/api/services') {
        const a = analyze(store.segments());
        const instances = store.instances();
        return send(
          res,
          200,
          a.services.map((s) => ({ ...s, instances: s.instances.map((name) => ({ name, properties: instances.find((i) => i.service === s.name && i.instance === name)?.properties ?? {} })) })),
        );
      }
      if (path === '/api/problems') return send(res, 200, analyze(store.segments()).problems);
      if (path === '/api/slow-statements') return send(res, 200, analyze(store.segments()).slowStatements);
      return send(res, 404, { error: `unknown path ${path}` });
    } catch (e) {
      return send(res, 500, { error: (e as Error).message });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
