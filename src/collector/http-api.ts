import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AnalysisOptions, Problem } from './analysis';
import { TOKEN_COOKIE, hostAllowed, requestToken, tokenMatches } from './auth';
import { type AnalysisCache, type LogQuery, queryLogs, traceView } from './queries';
import type { AgentTelemetry } from './agent-telemetry';
import type { CollectorStore } from './store';
import { parseTraceQuery, queryTraces } from './trace-query';
import { isUiPath, serveUi } from './ui';

export { type TraceSummary, summarize } from './queries';

export interface HttpSettings {
  /** When set, every path but /healthz needs it (`Authorization: Bearer`, `Authentication` header or the `sw_bridge_token` cookie). */
  token: string | undefined;
  /** Host names accepted besides IP literals and localhost with the bound port; `*` = any. */
  allowedHosts: readonly string[];
  /** A request must finish its headers within this (else 408 and the connection closes). */
  headersTimeoutMs: number;
  /** A whole request must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections at once; more are refused at accept. */
  maxConnections: number;
  /** Responses still on their way to slow readers, bytes: past it, new requests get 503 until they drain. */
  maxPendingBytes: number;
  /** The store-wide analysis (topology, services, problems, slow statements) is at most this old. */
  analysisMaxAgeMs: number;
  analysis: AnalysisCache;
  /** The options the analysis shares are worked out with (one set per collector: the shares are kept). */
  analysisOptions: AnalysisOptions;
  /** What agents reported besides segments and logs (/api/agents). */
  telemetry: AgentTelemetry;
  /** What /api/stats adds to the store's counters. */
  stats: () => Record<string, unknown>;
  onError: (where: string, error: unknown) => void;
}

class BadRequest extends Error {}

/** Agents send a heartbeat every 30 s at most (ours within a second of starting): past this, silence is a problem. */
export const HEARTBEAT_GRACE_MS = 60_000;

/** A service that reports segments but never a heartbeat, as a problem linked to its first trace. */
export function heartbeatProblems(store: CollectorStore, now: number, graceMs = HEARTBEAT_GRACE_MS): Problem[] {
  return store.silentServices(now, graceMs).map((s) => ({
    traceId: s.traceId,
    segmentId: s.segmentId,
    service: s.service,
    message:
      `${s.service} has reported segments for ${Math.round((now - s.since) / 1000)} s but never a heartbeat (keepAlive / instance properties): the OAP will list no instance for it. ` +
      'Check that its agent reaches the collector for ManagementService too (a proxy that forwards only TraceSegmentReportService, or a reporter built without the heartbeat)',
  }));
}

const READ_SHARE = 0.5;
const READ_BURST_MS = 200;

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (v === '' || !Number.isInteger(n) || n < 0)
    throw new BadRequest(`${name} must be a whole number >= 0, got ${JSON.stringify(v.slice(0, 40))}`);
  return n;
}

function optional(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  return v === null || v === '' ? undefined : v;
}

/**
 * The collector's JSON API: /api/traces, /api/traces/:id, /api/logs, /api/topology, /api/services,
 * /api/problems, /api/slow-statements, /api/stats, /healthz. Checks `Host` and the token before
 * anything else; never lets a handler's error out of the request.
 */
export function startHttpApi(
  store: CollectorStore,
  host: string,
  port: number,
  settings: HttpSettings,
): Promise<Server> {
  let boundPort = port;
  /** Bytes of responses written but not yet taken by their clients, across all connections. */
  let pending = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void =>
    sendText(res, status, JSON.stringify(body), headers);
  const sendText = (
    res: ServerResponse,
    status: number,
    text: string | Buffer,
    headers: Record<string, string> = {},
  ): void => {
    const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    pending += size;
    let done = false;
    const release = () => {
      if (!done) pending -= size;
      done = true;
    };
    res.once('finish', release);
    res.once('close', release);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(size),
      ...headers,
    });
    res.end(text);
  };
  // reads may take about half of the event loop: time spent answering is a debt that drains at half
  // the wall-clock rate; past a burst of 200 ms, reads other than /healthz and /api/stats get 503
  let debt = 0;
  let last = performance.now();
  const readsAllowed = () => {
    const now = performance.now();
    debt = Math.max(0, debt - (now - last) * READ_SHARE);
    last = now;
    return debt <= READ_BURST_MS;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, boundPort, settings.allowedHosts)) {
      return send(res, 403, {
        error: `Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not this server (use an IP address or localhost, or start with --allow-host)`,
      });
    }
    let url: URL;
    let path: string;
    try {
      url = new URL(req.url ?? '/', 'http://x');
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, { error: 'malformed URL' });
    }
    if (req.method !== 'GET') return send(res, 405, { error: 'GET only' }, { allow: 'GET' });
    const authorized = !settings.token || tokenMatches(requestToken(req.headers), settings.token);
    if (path === '/healthz')
      return send(res, 200, authorized ? { status: 'ok', segments: store.count() } : { status: 'ok' });
    if (isUiPath(path)) {
      // the page: opened once as /?token=<t> (the URL the CLI prints), which sets the cookie the API reads
      const given = url.searchParams.get('token');
      if (settings.token && given !== null) {
        if (!tokenMatches(given, settings.token))
          return sendText(res, 401, 'wrong token\n', { 'content-type': 'text/plain; charset=utf-8' });
        res.writeHead(302, {
          location: path,
          'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
          'content-length': '0',
        });
        res.end();
        return;
      }
      if (!authorized)
        return sendText(res, 401, 'This collector needs its token: open the URL it printed (/?token=...).\n', {
          'content-type': 'text/plain; charset=utf-8',
        });
      serveUi(path, res);
      return;
    }
    if (pending > settings.maxPendingBytes)
      return send(
        res,
        503,
        { error: 'busy: earlier responses are still being read; try again' },
        { 'retry-after': '1' },
      );
    if (!authorized)
      return send(
        res,
        401,
        { error: 'a token is required (Authorization: Bearer <token>)' },
        { 'www-authenticate': 'Bearer' },
      );
    if (path === '/api/stats') return send(res, 200, { ...store.stats(), ...settings.stats() });
    if (!readsAllowed())
      return send(
        res,
        503,
        { error: "busy: reads are limited to half of the collector's time; try again" },
        { 'retry-after': '1' },
      );
    const started = performance.now();
    try {
      route(path, url.searchParams, res);
    } finally {
      debt += performance.now() - started;
    }
  };
  const route = (path: string, p: URLSearchParams, res: ServerResponse) => {
    if (path === '/api/traces' || path === '/api/search') {
      // the same filters (service, endpoint, traceId, minDuration, error, from, to, limit, offset);
      // /api/traces answers the page's traces, /api/search the page with its total
      const query = parseTraceQuery(p);
      if ('error' in query) throw new BadRequest(query.error);
      const page = queryTraces(store, query);
      return send(res, 200, path === '/api/search' ? page : page.traces);
    }
    const m = /^\/api\/traces\/([^/]+)$/.exec(path);
    if (m) {
      // the answer is kept until the trace changes (and counted in the store's bytes): many readers of a big trace cost one rendering
      const text = store.traceEntry(m[1]!)?.segments.length
        ? store.memo(
            m[1]!,
            'view-json',
            () => Buffer.from(JSON.stringify(traceView(store, m[1]!, settings.analysisOptions))),
            (b) => 100 + b.length,
          )
        : undefined;
      return text !== undefined
        ? sendText(res, 200, text)
        : send(res, 404, { error: `no trace ${m[1]!.slice(0, 200)}` });
    }
    if (path === '/api/logs') {
      const query: LogQuery = {
        traceId: optional(p, 'traceId'),
        service: optional(p, 'service'),
        q: optional(p, 'q'),
        offset: intParam(p, 'offset'),
        limit: intParam(p, 'limit'),
      };
      return send(res, 200, queryLogs(store, query));
    }
    if (path === '/api/topology') return send(res, 200, settings.analysis.get(settings.analysisMaxAgeMs).topology);
    if (path === '/api/services') {
      const a = settings.analysis.get(settings.analysisMaxAgeMs);
      const instances = new Map(store.instances().map((i) => [`${i.service}\u0000${i.instance}`, i.properties]));
      return send(
        res,
        200,
        a.services.map((s) => ({
          ...s,
          instances: s.instances.map((name) => ({ name, properties: instances.get(`${s.name}\u0000${name}`) ?? {} })),
        })),
      );
    }
    if (path === '/api/agents')
      return send(res, 200, { instances: settings.telemetry.list(), events: settings.telemetry.latestEvents() });
    if (path === '/api/problems')
      return send(res, 200, [
        ...settings.analysis.get(settings.analysisMaxAgeMs).problems,
        ...heartbeatProblems(store, Date.now()),
      ]);
    if (path === '/api/slow-statements')
      return send(res, 200, settings.analysis.get(settings.analysisMaxAgeMs).slowStatements);
    return send(res, 404, { error: `unknown path ${path.slice(0, 200)}` });
  };
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(settings.headersTimeoutMs / 2))),
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (e) {
        if (e instanceof BadRequest) return send(res, 400, { error: e.message });
        settings.onError('http', e);
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
        else res.destroy();
      }
    },
  );
  server.maxConnections = settings.maxConnections;
  // a connection that neither sends nor reads for this long is closed (a reader that stops reading a response)
  server.setTimeout(settings.requestTimeoutMs, (socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      if (a && typeof a === 'object') boundPort = a.port;
      server.on('error', (e) => settings.onError('http server', e));
      resolve(server);
    });
  });
}
