import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SegmentObject } from '../model';
import { type Analysis, type AnalysisOptions, analyze } from './analysis';
import { startGrpcServer } from './grpc-server';
import { startHttpApi } from './http-api';
import { CollectorStore, type InstanceRecord } from './store';

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
  /** Approximate bytes kept (oldest out). Default 64 MiB. */
  maxBytes?: number;
  /** Serve gRPC over TLS with this certificate chain and key (PEM). */
  tls?: { certChain: Buffer; privateKey: Buffer };
  /** Slow DB statement thresholds (ms) by db.type; `default` for the rest. */
  slowDbThresholds?: Record<string, number>;
}

export interface Collector {
  readonly grpcAddress: string;
  readonly httpUrl: string | undefined;
  /** Segments in arrival order. */
  segments(): SegmentObject[];
  traceIds(): string[];
  trace(traceId: string): SegmentObject[];
  instances(): InstanceRecord[];
  logs(): unknown[];
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

export type { Analysis, AnalysisOptions, EndpointRelation, Problem, SlowStatement, Topology, TopologyEdge, TopologyNode } from './analysis';
export type { InstanceRecord } from './store';
export { analyze } from './analysis';
export { renderProblems, renderTopology, renderTrace } from './render';

/** Start the embedded collector: the OAP's agent protocol over gRPC, and (optionally) a JSON HTTP API. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? '127.0.0.1';
  const store = new CollectorStore({ maxSegments: options.maxSegments ?? 10_000, maxBytes: options.maxBytes ?? 64 * 1024 * 1024 });
  const analysisOptions: AnalysisOptions = { slowDbThresholds: options.slowDbThresholds };
  const grpc = await startGrpcServer(store, host, options.grpcPort ?? 11800, options.authentication, options.tls);
  let http: Server | undefined;
  try {
    if (options.httpPort !== false) http = await startHttpApi(store, host, options.httpPort ?? 12800);
  } catch (e) {
    grpc.server.forceShutdown();
    throw e;
  }
  const fmtHost = host.includes(':') ? `[${host}]` : host;
  const httpUrl = http ? `http://${fmtHost}:${(http.address() as AddressInfo).port}` : undefined;
  let stopped: Promise<void> | undefined;

  return {
    grpcAddress: `${fmtHost}:${grpc.port}`,
    httpUrl,
    segments: () => store.segments(),
    traceIds: () => store.traceIds(),
    trace: (id) => store.trace(id),
    instances: () => store.instances(),
    logs: () => [...store.logs],
    evicted: () => store.evicted,
    analysis: () => analyze(store.segments(), analysisOptions),
    async waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v !== undefined && v !== false && v !== null) return v;
        if (Date.now() >= deadline) {
          throw new Error(`collector: condition not met within ${timeoutMs} ms (${store.count()} segments, traces: ${store.traceIds().length})`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async changed(): Promise<void> {
      const v = store.version;
      while (store.version === v) await new Promise((r) => setTimeout(r, 25));
    },
    stop(): Promise<void> {
      stopped ??= Promise.all([
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
      return stopped;
    },
  };
}
