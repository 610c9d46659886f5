import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AnalysisOptions } from './analysis';
import { TOKEN_COOKIE, hostAllowed, requestToken, tokenMatches } from './auth';
import { capConnections } from './connections';
import { rawSecurityHeaderLines, safeJson, securityHeaders } from './http-headers';
import {
  API_ROUTES,
  type Answer,
  BadRequest,
  KNOWN_PATHS,
  type Route,
  type RouteContext,
  matchRoute,
} from './http-routes';
import type { AnalysisCache } from './queries';
import type { AgentTelemetry } from './agent-telemetry';
import { ReadBudget, ReadQueue } from './read-budget';
import { VersionMemo } from './search-memo';
import type { CollectorStore } from './store';
import { isUiPath, uiFile } from './ui';

export { type TraceSummary, summarize } from './queries';
export { HEARTBEAT_GRACE_MS, heartbeatProblems } from './heartbeat-problems';

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
  /** Connections at once; past it a new client takes the place of the longest-idle one. */
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

/** Reads waiting for the budget at most, and how long each may wait, before a 503. */
const MAX_WAITING_READS = 4096;
const MAX_READ_WAIT_MS = 5000;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes answers with the security headers, counting the bytes still on their way to clients. */
class Responder {
  /** Bytes of responses written but not yet taken by their clients, across all connections. */
  pending = 0;
  /** The most `pending` has been (`/api/stats` → `http.pendingPeakBytes`). */
  peak = 0;

  json(res: ServerResponse, a: Answer, headers: Record<string, string> = {}): void {
    const body = a.raw ? (a.body as Buffer | string) : safeJson(a.body);
    this.write(res, a.status, body, { 'content-type': JSON_TYPE, ...headers });
  }

  text(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    this.write(res, status, text, { 'content-type': TEXT, ...headers });
  }

  write(
    res: ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string>,
    page = false,
  ): void {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    this.pending += size;
    if (this.pending > this.peak) this.peak = this.pending;
    let done = false;
    const release = () => {
      if (!done) this.pending -= size;
      done = true;
    };
    res.once('finish', release);
    res.once('close', release);
    res.writeHead(status, {
      ...securityHeaders(page ? 'page' : 'data', page ? 'revalidate' : 'never'),
      'content-length': String(size),
      ...headers,
    });
    res.end(body);
  }
}

/** The raw path of a request target (percent-escapes kept), or undefined when it is not an origin-form path. */
function rawPathOf(url: string | undefined): string | undefined {
  const target = url ?? '/';
  if (!target.startsWith('/')) return undefined;
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

function queryOf(url: string | undefined): URLSearchParams {
  const target = url ?? '';
  const q = target.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
}

/** The page: opened once as /?token=<t> (the URL the CLI prints), which sets the cookie the API reads. */
function servePage(
  out: Responder,
  path: string,
  params: URLSearchParams,
  authorized: boolean,
  token: string | undefined,
  res: ServerResponse,
): void {
  const given = params.get('token');
  if (token && given !== null) {
    if (!tokenMatches(given, token)) return out.text(res, 401, 'wrong token\n');
    return out.write(res, 302, '', {
      location: path,
      'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
    });
  }
  if (!authorized)
    return out.text(res, 401, 'This collector needs its token: open the URL it printed (/?token=...).\n');
  const file = uiFile(path)!;
  out.write(res, 200, file.body, { 'content-type': file.type }, true);
}

const BUSY_READS = "busy: reads are limited to half of the collector's time; try again";

/**
 * The request handler: the gate (`Host`, a path, GET, the token) in front of /healthz, the UI's
 * files, /api/stats and the route table of http-routes.ts; an API read runs when the read budget
 * allows (else waits in a bounded queue, or gets a stale answer or 503).
 */
class HttpApi {
  /** The port bound (known once listening; `Host` is checked against it). */
  boundPort: number;
  /** Connections refused or idle ones closed for new ones (set once the server exists). */
  cap: ReturnType<typeof capConnections> | undefined;
  readonly out = new Responder();
  private readonly budget = new ReadBudget();
  readonly reads: ReadQueue;
  private readonly searches = new VersionMemo();

  constructor(
    private readonly store: CollectorStore,
    port: number,
    private readonly settings: HttpSettings,
  ) {
    this.boundPort = port;
    this.reads = new ReadQueue(
      this.budget,
      MAX_WAITING_READS,
      Math.min(MAX_READ_WAIT_MS, settings.requestTimeoutMs / 2),
    );
  }

  /** Never throws: a handler's error is answered (`failed`). */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      this.handle(req, res);
    } catch (e) {
      this.failed(res, e);
    }
  };

  private error(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    this.out.json(res, { status, body: { error: message } }, headers);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const settings = this.settings;
    if (!hostAllowed(req.headers.host, this.boundPort, settings.allowedHosts))
      return this.error(
        res,
        403,
        `Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not this server (use an IP address or localhost, or start with --allow-host)`,
      );
    const path = rawPathOf(req.url);
    if (path === undefined) return this.error(res, 400, 'malformed URL');
    if (req.method !== 'GET') return this.error(res, 405, 'GET only', { allow: 'GET' });
    const params = queryOf(req.url);
    const authorized = !settings.token || tokenMatches(requestToken(req.headers), settings.token);
    if (path === '/healthz')
      return this.out.json(res, {
        status: 200,
        body: authorized ? { status: 'ok', segments: this.store.count() } : { status: 'ok' },
      });
    if (isUiPath(path)) return servePage(this.out, path, params, authorized, settings.token, res);
    if (this.out.pending > settings.maxPendingBytes) return this.busyPending(res);
    if (!authorized)
      return this.error(res, 401, 'a token is required (Authorization: Bearer <token>)', {
        'www-authenticate': 'Bearer',
      });
    this.serveApi(path, params, res);
  }

  /** /api/stats, else a route of the table. */
  private serveApi(path: string, params: URLSearchParams, res: ServerResponse): void {
    if (path === '/api/stats') {
      const http = {
        closedIdle: this.cap?.closedIdle() ?? 0,
        refused: this.cap?.refused() ?? 0,
        pendingBytes: this.out.pending,
        pendingPeakBytes: this.out.peak,
      };
      return this.out.json(res, { status: 200, body: { ...this.store.stats(), ...this.settings.stats(), http } });
    }
    const match = matchRoute(API_ROUTES, path);
    if (!match) return this.error(res, 404, `unknown path; the API serves ${KNOWN_PATHS}`);
    const ctx: RouteContext = {
      store: this.store,
      settings: this.settings,
      params,
      id: match.id,
      searches: this.searches,
    };
    const kept = match.route.kept?.(ctx);
    if (kept) return this.out.json(res, kept);
    if (!this.budget.allowed()) {
      const stale = match.route.stale?.(ctx);
      if (stale) return this.out.json(res, stale, { 'x-answer-age': 'stale' });
    }
    this.reads.submit(
      () => this.answer(res, match.route, ctx),
      () => {
        if (!res.destroyed && !res.writableEnded) this.error(res, 503, BUSY_READS, { 'retry-after': '1' });
      },
    );
  }

  /** 503: the answers written and not yet taken by their clients are over the bound. */
  private busyPending(res: ServerResponse): void {
    this.error(res, 503, 'busy: earlier responses are still being read; try again', { 'retry-after': '1' });
  }

  /**
   * The route's answer, worked out on the read budget (unless the client has gone). The pending
   * bound is checked again here: reads wait in a queue, and those admitted together would otherwise
   * all be written past it.
   */
  private answer(res: ServerResponse, route: Route, ctx: RouteContext): void {
    if (res.destroyed || res.writableEnded) return;
    if (this.out.pending > this.settings.maxPendingBytes) return this.busyPending(res);
    try {
      this.out.json(
        res,
        this.budget.spend(() => route.answer(ctx)),
      );
    } catch (e) {
      this.failed(res, e);
    }
  }

  /** A handler's error: 400 for a bad request, else counted and 500 (or the connection closed mid-answer). */
  private failed(res: ServerResponse, e: unknown): void {
    if (e instanceof BadRequest) return this.error(res, 400, e.message);
    this.settings.onError('http', e);
    if (!res.headersSent) this.error(res, 500, 'internal error');
    else res.destroy();
  }
}

/** A client's malformed or late request: answered on the socket (408, 431 or 400), the connection closed. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const status =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? '408 Request Timeout'
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
  if (socket.writable)
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n${rawSecurityHeaderLines()}content-length: 0\r\n\r\n`);
  else socket.destroy();
}

/**
 * The collector's JSON API (the routes in http-routes.ts), /healthz and the UI's files. Checks `Host`
 * and the token before anything else; every answer carries the security headers; never lets a
 * handler's error out of the request.
 */
export function startHttpApi(
  store: CollectorStore,
  host: string,
  port: number,
  settings: HttpSettings,
): Promise<Server> {
  const api = new HttpApi(store, port, settings);
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(settings.headersTimeoutMs / 2))),
    },
    api.onRequest,
  );
  api.cap = capConnections(server, settings.maxConnections);
  // a connection that neither sends nor reads for this long is closed (a reader that stops reading a response)
  server.setTimeout(settings.requestTimeoutMs, (socket) => socket.destroy());
  server.once('close', () => api.reads.clear());
  server.on('clientError', onClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      if (a && typeof a === 'object') api.boundPort = a.port;
      server.on('error', (e) => settings.onError('http server', e));
      resolve(server);
    });
  });
}
