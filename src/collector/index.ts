import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SegmentObject } from '../base/model';
import { log } from '../base/diag';
import type { Analysis, AnalysisOptions, Problem } from './analysis';
import { type AgentEvent, AgentTelemetry, type InstanceTelemetry } from './agent-telemetry';
import { startGrpcServer } from './grpc-server';
import { startHttpApi } from './http-api';
import type { StoredLog } from './logs';
import {
  AnalysisCache,
  type LogPage,
  type LogQuery,
  type TraceView,
  queryLogs,
  traceProblems,
  traceView,
  warmPartials,
} from './queries';
import { CollectorStore, type InstanceRecord, type StoreStats } from './store';
import { AgentConfigSource } from './config-discovery';

export interface CollectorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 11800; 0 = a free port. */
  grpcPort?: number;
  /** Default 12800; 0 = a free port; false = no HTTP API. */
  httpPort?: number | false;
  /** When set, calls without metadata `Authentication` equal to it get PERMISSION_DENIED, like the OAP. */
  authentication?: string;
  /** Segments kept (oldest out). Default 10000. */
  maxSegments?: number;
  /** Approximate bytes of segments kept (oldest out): every string of segments, spans, refs, tags and span logs. Default 64 MiB. */
  maxBytes?: number;
  /** Logs (LogData) kept (oldest out). Default 10000. */
  maxLogs?: number;
  /** Approximate bytes of logs kept (oldest out); a single larger log is not kept. Default 16 MiB. */
  maxLogBytes?: number;
  /** Largest gRPC message accepted, bytes (bigger: RESOURCE_EXHAUSTED). Default 16 MiB. */
  maxMessageBytes?: number;
  /** HTTP `Host` names accepted besides IP literals and `localhost` with the bound port; `'*'` accepts any. Default none. */
  allowedHosts?: readonly string[];
  /** Idle and handshake limits of both servers (ms). */
  timeouts?: {
    /** HTTP: headers must be complete within this. Default 10000. */
    httpHeadersMs?: number;
    /** HTTP: the whole request within this. Default 30000. */
    httpRequestMs?: number;
    /** HTTP: idle keep-alive connections closed after this. Default 5000. */
    httpKeepAliveMs?: number;
    /** gRPC: a connection with no call for this long is closed. Default 300000 (5 min). */
    grpcIdleMs?: number;
    /** gRPC: a connection is closed (GOAWAY, then a grace) at this age. Default 3600000 (1 h). */
    grpcMaxAgeMs?: number;
  };
  /** The store-wide analysis served over HTTP (topology, services, problems) is recomputed at most this often. Default 1000 ms. */
  analysisMaxAgeMs?: number;
  /** Serve gRPC over TLS with this certificate chain and key (PEM). */
  tls?: { certChain: Buffer; privateKey: Buffer };
  /** Slow DB statement thresholds (ms) by db.type; `default` for the rest. */
  slowDbThresholds?: Record<string, number>;
  /** The OAP's `agentConfigurations` YAML file served to agents by Configuration Discovery (re-read when it changes). */
  agentConfigFile?: string;
}

export interface Collector {
  readonly grpcAddress: string;
  /** What Configuration Discovery serves (from `agentConfigFile`, or `set(yaml)` here). */
  readonly agentConfigurations: AgentConfigSource;
  readonly httpUrl: string | undefined;
  /** Segments in arrival order. */
  segments(): SegmentObject[];
  traceIds(): string[];
  trace(traceId: string): SegmentObject[];
  instances(): InstanceRecord[];
  /** Stored logs, oldest first. */
  logs(): StoredLog[];
  /** The logs of one trace (traceContext.traceId), in arrival order. */
  traceLogs(traceId: string): StoredLog[];
  /** Logs matching a query, as `GET /api/logs` serves them. */
  queryLogs(query: LogQuery): LogPage;
  /** What `GET /api/traces/:id` serves, or undefined. */
  traceView(traceId: string): TraceView | undefined;
  /** The problems of one trace (computed once per change of that trace). */
  traceProblems(traceId: string): Problem[];
  /** Counters: what is stored, evicted, refused; handler errors. */
  stats(): StoreStats & { handlerErrors: number };
  /** What each agent instance reported besides segments and logs: counts per kind, the latest JVM/CLR values and meters. */
  agents(): InstanceTelemetry[];
  /** The latest events agents reported (at most 200). */
  agentEvents(): AgentEvent[];
  /** Segments evicted by the bounds so far. */
  evicted(): number;
  /** The OAP's analysis of everything stored. */
  analysis(): Analysis;
  /** Poll `check` until it returns a value (not undefined/false); rejects with a clear message after `timeoutMs` (default 10 s). */
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  /** A promise that resolves on the next change to the store. */
  changed(): Promise<void>;
  stop(): Promise<void>;
}

export type {
  Analysis,
  AnalysisOptions,
  EndpointRelation,
  Problem,
  SlowStatement,
  Topology,
  TopologyEdge,
  TopologyNode,
} from './analysis';
export type { InstanceRecord, StoreStats } from './store';
export type { AgentEvent, InstanceTelemetry, MeterValue, RuntimeSnapshot } from './agent-telemetry';
export type { StoredLog } from './logs';
export type { LogPage, LogQuery, TraceSummary, TraceView } from './queries';
export { analyze } from './analysis';
export { renderProblems, renderTopology, renderTrace } from './render';

const positive = (name: string, v: number | undefined, d: number): number => {
  if (v === undefined) return d;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`collector: ${name} must be a number > 0, got ${String(v)}`);
  return v;
};

/** The store with the bounds of the options (each a number > 0, else a message naming it). */
function boundedStore(options: CollectorOptions): CollectorStore {
  return new CollectorStore({
    maxSegments: positive('maxSegments', options.maxSegments, 10_000),
    maxBytes: positive('maxBytes', options.maxBytes, 64 * 1024 * 1024),
    maxLogs: positive('maxLogs', options.maxLogs, 10_000),
    maxLogBytes: positive('maxLogBytes', options.maxLogBytes, 16 * 1024 * 1024),
  });
}

/** Handler failures: counted, said (rate-limited); the call is refused and the collector goes on. */
class HandlerErrors {
  count = 0;
  readonly onError = (where: string, e: unknown): void => {
    this.count++;
    log(
      'error',
      `collector.${where}`,
      `collector: a ${where} handler failed (${this.count} so far), the call was refused and the collector goes on: ${(e as Error)?.stack ?? String(e)}`,
    );
  };
}

/** What the servers share: the store, its analysis, the agents' telemetry and configurations, the error count. */
interface CollectorParts {
  host: string;
  store: CollectorStore;
  analysis: AnalysisCache;
  analysisOptions: AnalysisOptions;
  telemetry: AgentTelemetry;
  agentConfig: AgentConfigSource;
  errors: HandlerErrors;
}

type GrpcServer = Awaited<ReturnType<typeof startGrpcServer>>;

function startGrpc(options: CollectorOptions, parts: CollectorParts): Promise<GrpcServer> {
  const t = options.timeouts ?? {};
  return startGrpcServer(parts.store, parts.host, options.grpcPort ?? 11800, {
    token: options.authentication,
    telemetry: parts.telemetry,
    tls: options.tls,
    maxMessageBytes: positive('maxMessageBytes', options.maxMessageBytes, 16 * 1024 * 1024),
    idleMs: positive('timeouts.grpcIdleMs', t.grpcIdleMs, 300_000),
    maxAgeMs: positive('timeouts.grpcMaxAgeMs', t.grpcMaxAgeMs, 3_600_000),
    maxConcurrentStreams: 1000,
    onError: parts.errors.onError,
    agentConfig: parts.agentConfig,
  });
}

function memory(): { rss: number; heapUsed: number; arrayBuffers: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** The HTTP API, unless `httpPort: false`; bad timeouts throw. */
async function startHttp(options: CollectorOptions, parts: CollectorParts): Promise<Server | undefined> {
  if (options.httpPort === false) return undefined;
  const t = options.timeouts ?? {};
  const headersMs = positive('timeouts.httpHeadersMs', t.httpHeadersMs, 10_000);
  const requestMs = positive('timeouts.httpRequestMs', t.httpRequestMs, 30_000);
  if (headersMs > requestMs)
    throw new Error(
      `collector: timeouts.httpHeadersMs (${headersMs}) must not exceed timeouts.httpRequestMs (${requestMs})`,
    );
  const { errors } = parts;
  return startHttpApi(parts.store, parts.host, options.httpPort ?? 12800, {
    token: options.authentication,
    allowedHosts: options.allowedHosts ?? [],
    headersTimeoutMs: headersMs,
    requestTimeoutMs: requestMs,
    keepAliveTimeoutMs: positive('timeouts.httpKeepAliveMs', t.httpKeepAliveMs, 5_000),
    maxConnections: 1024,
    maxPendingBytes: 64 * 1024 * 1024,
    analysisMaxAgeMs: options.analysisMaxAgeMs ?? 1000,
    analysis: parts.analysis,
    analysisOptions: parts.analysisOptions,
    stats: () => ({ handlerErrors: errors.count, memory: memory() }),
    telemetry: parts.telemetry,
    onError: errors.onError,
  });
}

/**
 * Each settled trace's analysis share is worked out in the background, 20 ms in every 100 (until
 * segments change again once the bound leaves no room for them). Unref'd.
 */
function startWarmer(parts: CollectorParts): NodeJS.Timeout {
  const { store, analysisOptions } = parts;
  let full = -1;
  const warmer = setInterval(() => {
    try {
      if (store.segmentsVersion === full) return;
      const refused = store.memosRefused;
      warmPartials(store, analysisOptions, 1000, 20);
      if (store.memosRefused !== refused) full = store.segmentsVersion;
    } catch (e) {
      parts.errors.onError('analysis', e);
    }
  }, 100);
  warmer.unref();
  return warmer;
}

/** gRPC: a graceful shutdown, forced after 2 s; HTTP: closed with its connections. */
function stopServers(grpc: GrpcServer, http: Server | undefined): Promise<void> {
  return Promise.all([
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        grpc.server.forceShutdown();
        resolve();
      }, 2000);
      grpc.server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    }),
    new Promise<void>((resolve) => {
      if (!http) return resolve();
      http.close(() => resolve());
      http.closeAllConnections();
    }),
  ]).then(() => undefined);
}

async function waitFor<T>(
  store: CollectorStore,
  check: () => T | undefined | false | null,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() >= deadline) {
      throw new Error(
        `collector: condition not met within ${timeoutMs} ms (${store.count()} segments, traces: ${store.traceIds().length})`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function changed(store: CollectorStore): Promise<void> {
  const v = store.version;
  while (store.version === v) await new Promise((r) => setTimeout(r, 25));
}

/** The running collector's handle: the store's reads and queries, and `stop()`. */
function collectorHandle(parts: CollectorParts, grpc: GrpcServer, http: Server | undefined): Collector {
  const { host, store, analysis, analysisOptions, telemetry } = parts;
  const warmer = startWarmer(parts);
  const fmtHost = host.includes(':') ? `[${host}]` : host;
  let stopped: Promise<void> | undefined;
  return {
    grpcAddress: `${fmtHost}:${grpc.port}`,
    agentConfigurations: parts.agentConfig,
    httpUrl: http ? `http://${fmtHost}:${(http.address() as AddressInfo).port}` : undefined,
    segments: () => store.segments(),
    traceIds: () => store.traceIds(),
    trace: (id) => store.trace(id),
    instances: () => store.instances(),
    logs: () => store.logs(),
    traceLogs: (id) => store.traceLogs(id),
    queryLogs: (q) => queryLogs(store, q),
    traceView: (id) => traceView(store, id, analysisOptions),
    traceProblems: (id) => traceProblems(store, id, analysisOptions),
    stats: () => ({ ...store.stats(), handlerErrors: parts.errors.count }),
    agents: () => telemetry.list(),
    agentEvents: () => telemetry.latestEvents(),
    evicted: () => store.evicted,
    analysis: () => analysis.get(0),
    waitFor: (check, timeoutMs = 10_000) => waitFor(store, check, timeoutMs),
    changed: () => changed(store),
    stop(): Promise<void> {
      clearInterval(warmer);
      return (stopped ??= stopServers(grpc, http));
    },
  };
}

/** Start the embedded collector: the OAP's agent protocol over gRPC, and (optionally) a JSON HTTP API. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const store = boundedStore(options);
  const analysisOptions: AnalysisOptions = { slowDbThresholds: options.slowDbThresholds };
  const parts: CollectorParts = {
    host: options.host ?? '127.0.0.1',
    store,
    analysis: new AnalysisCache(store, analysisOptions),
    analysisOptions,
    telemetry: new AgentTelemetry(),
    agentConfig: new AgentConfigSource(options.agentConfigFile),
    errors: new HandlerErrors(),
  };
  const grpc = await startGrpc(options, parts);
  let http: Server | undefined;
  try {
    http = await startHttp(options, parts);
  } catch (e) {
    grpc.server.forceShutdown();
    throw e;
  }
  return collectorHandle(parts, grpc, http);
}
