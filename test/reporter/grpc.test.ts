/**
 * The gRPC reporter against a real in-process gRPC server (the embedded collector, which answers
 * like the OAP), including a server that is down at start, refuses the token, or is one of several.
 */
import { createServer } from 'node:net';
import type * as grpcTypes from '@grpc/grpc-js';
import { type Collector, startCollector } from '../../src/collector';
import { resolveConfig, type BridgeOptions } from '../../src/base/config';
import { resetDiagnostics, setLogger, setLogLevel } from '../../src/base/diag';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { loadServices } from '../../src/protocol/loader';
import { GrpcReporter } from '../../src/reporter/grpc';
import { VERSION } from '../../src/reporter/version';
import { startConnectProxy } from '../support/connect-proxy';
import { raceTimer } from '../support/deadline';
import type { SegmentSource } from '../../src/reporter/types';

const reporters: GrpcReporter[] = [];
const collectors: Collector[] = [];
let logged: string[] = [];

beforeEach(() => {
  resetDiagnostics();
  logged = [];
  const capture = (m: string) => logged.push(m);
  setLogger({ error: capture, warn: capture, info: capture, debug: capture });
});

afterEach(async () => {
  setLogger(undefined);
  await Promise.all(reporters.splice(0).map((r) => r.shutdown(500)));
  await Promise.all(collectors.splice(0).map((c) => c.stop()));
});

/**
 * A reporter that flushes every 50 ms. Its report deadline is a deadline for a hang (a flush to a
 * live server returns once the batch is answered, which on two busy cores took over the 1 s this
 * was); tests of the deadline itself set their own.
 */
function reporter(options: BridgeOptions): GrpcReporter {
  const r = new GrpcReporter(
    resolveConfig(
      { serviceName: 'svc', serviceInstance: 'svc-1', flushIntervalMs: 50, reportTimeoutMs: 30_000, ...options },
      {},
    ),
  );
  reporters.push(r);
  return r;
}

async function collector(options: Parameters<typeof startCollector>[0] = {}): Promise<Collector> {
  const c = await startCollector({ grpcPort: 0, httpPort: false, ...options });
  collectors.push(c);
  return c;
}

function segment(i: number): SegmentObject {
  return {
    traceId: `trace-${i}`,
    traceSegmentId: `segment-${i}`,
    service: 'svc',
    serviceInstance: 'svc-1',
    isSizeLimited: false,
    spans: [
      {
        spanId: 0,
        parentSpanId: -1,
        startTime: 1_700_000_000_000 + i,
        endTime: 1_700_000_000_010 + i,
        refs: [],
        operationName: `op-${i}`,
        peer: '',
        spanType: SpanType.Entry,
        spanLayer: SpanLayer.Http,
        componentId: 49,
        isError: false,
        tags: [{ key: 'http.method', value: 'GET' }],
        logs: [],
        skipAnalysis: false,
      },
    ],
  };
}

const source = (i: number): SegmentSource => ({ toSegmentObject: () => segment(i) });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

it('delivers segments complete and in order of closing', async () => {
  const c = await collector();
  const r = reporter({ collectorAddress: c.grpcAddress });
  for (let i = 0; i < 7; i++) r.report(source(i));
  await r.flush();
  expect(c.segments()).toEqual([0, 1, 2, 3, 4, 5, 6].map(segment));
  expect(r.stats()).toEqual({
    queued: 0,
    queuedBytes: 0,
    sent: 7,
    dropped: 0,
    lost: 0,
    failedBatches: 0,
    failedHeartbeats: 0,
    logs: { queued: 0, sent: 0, dropped: 0, lost: 0 },
  });
});

it('sends a full batch at once, and several batches in order', async () => {
  const c = await collector();
  const r = reporter({ collectorAddress: c.grpcAddress, batchSize: 3, flushIntervalMs: 600_000 });
  for (let i = 0; i < 9; i++) r.report(source(i));
  await c.waitFor(() => c.segments().length === 9, 5000);
  expect(c.segments().map((s) => s.traceSegmentId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `segment-${i}`));
});

it('sends the token as Authentication metadata, and reports properties and keepAlive', async () => {
  const c = await collector({ authentication: 'secret' });
  const r = reporter({
    collectorAddress: c.grpcAddress,
    authentication: 'secret',
    instanceProperties: { team: 'payments' },
  });
  r.startHeartbeat();
  r.report(source(1));
  await r.flush();
  expect(c.segments()).toHaveLength(1);
  const inst = await c.waitFor(() => c.instances().find((i) => i.lastPing > 0 && Object.keys(i.properties).length > 0));
  expect(inst.service).toBe('svc');
  expect(inst.instance).toBe('svc-1');
  expect(Object.keys(inst.properties).sort()).toEqual(
    [
      'OS Name',
      'Node.js version',
      'Process No.',
      'agent',
      'hostname',
      'language',
      'team',
      ...(inst.properties.ipv4 ? ['ipv4'] : []),
    ].sort(),
  );
  expect(inst.properties.language).toEqual(['NodeJS']);
  expect(inst.properties['Process No.']).toEqual([String(process.pid)]);
  expect(inst.properties.agent).toEqual([`skywalking-bridge ${VERSION}`]);
  expect(inst.properties.team).toEqual(['payments']);
  expect(r.stats().failedHeartbeats).toBe(0);
});

it('says once, with a hint, when the collector refuses the token, and does not retry in a storm', async () => {
  const c = await collector({ authentication: 'secret' });
  const r = reporter({ collectorAddress: c.grpcAddress, authentication: 'wrong' });
  for (let i = 0; i < 3; i++) r.report(source(i));
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    r.report(source(100));
    await new Promise((ok) => setTimeout(ok, 100));
  }
  expect(c.segments()).toEqual([]);
  const refusals = logged.filter((m) => m.includes('refused us'));
  expect(refusals).toHaveLength(1);
  expect(refusals[0]).toContain('SW_AGENT_AUTHENTICATION');
  // backoff 1 s, 2 s, ...: at most 3 attempts in 3 s, not one per 50 ms flush interval
  expect(r.stats().failedBatches).toBeGreaterThanOrEqual(1);
  expect(r.stats().failedBatches).toBeLessThanOrEqual(3);
});

it('keeps segments while the collector is down at start and delivers them when it comes up', async () => {
  const port = await freePort();
  const r = reporter({ collectorAddress: `127.0.0.1:${port}`, reportTimeoutMs: 500 });
  for (let i = 0; i < 4; i++) r.report(source(i));
  await new Promise((ok) => setTimeout(ok, 1200));
  expect(r.stats()).toMatchObject({ queued: 4, sent: 0, lost: 0 });
  expect(logged.some((m) => m.includes(`cannot reach the SkyWalking collector at 127.0.0.1:${port}`))).toBe(true);
  const c = await collector({ grpcPort: port });
  await c.waitFor(() => c.segments().length === 4, 15_000);
  expect(c.segments()).toEqual([0, 1, 2, 3].map(segment));
  // the server has the segments before the client has its answer: wait for the acknowledgement
  await c.waitFor(() => r.stats().sent === 4, 5000);
  expect(r.stats()).toMatchObject({ queued: 0, sent: 4, dropped: 0, lost: 0 });
});

it('drops the oldest past maxBufferSize and counts them', async () => {
  const port = await freePort();
  const r = reporter({ collectorAddress: `127.0.0.1:${port}`, maxBufferSize: 5, reportTimeoutMs: 500 });
  for (let i = 0; i < 8; i++) r.report(source(i));
  expect(r.stats()).toMatchObject({ queued: 5, dropped: 3 });
  expect(logged.filter((m) => m.includes('segment queue is full'))).toHaveLength(1);
  const c = await collector({ grpcPort: port });
  await c.waitFor(() => c.segments().length === 5, 15_000);
  expect(c.segments().map((s) => s.traceSegmentId)).toEqual([3, 4, 5, 6, 7].map((i) => `segment-${i}`));
});

it('fails over to the next backend when the first is down', async () => {
  const dead = await freePort();
  const c = await collector();
  const r = reporter({ collectorAddress: `127.0.0.1:${dead},${c.grpcAddress}`, reportTimeoutMs: 500 });
  r.report(source(1));
  r.report(source(2));
  await c.waitFor(() => c.segments().length === 2, 10_000);
  expect(c.segments()).toEqual([segment(1), segment(2)]);
});

it('counts reports after shutdown as dropped, and shutdown is idempotent', async () => {
  const c = await collector();
  const r = reporter({ collectorAddress: c.grpcAddress });
  r.report(source(1));
  const first = r.shutdown();
  expect(r.shutdown()).toBe(first);
  await first;
  r.report(source(2));
  expect(c.segments()).toEqual([segment(1)]);
  expect(r.stats()).toMatchObject({ sent: 1, dropped: 1 });
});

it('shutdown returns within its deadline while the collector is unreachable', async () => {
  const port = await freePort();
  const r = reporter({ collectorAddress: `127.0.0.1:${port}`, reportTimeoutMs: 5000 });
  r.report(source(1));
  // its argument, not reportTimeoutMs, ended it: it settles before a timer of reportTimeoutMs
  expect(await raceTimer(r.shutdown(300), 5000)).toBe('settled');
  expect(r.stats()).toMatchObject({ sent: 0, dropped: 1, queued: 0 });
});

/**
 * A gRPC server with the OAP's trace service that records which method carried each segment; with
 * `streamOnly` it has no `collectInSync` (grpc-js answers UNIMPLEMENTED), like an older OAP or proxy.
 */
async function traceServer(
  streamOnly: boolean,
): Promise<{ calls: string[]; segments: SegmentObject[]; address: string; stop: () => void }> {
  const { grpc, TraceSegmentReportService } = loadServices();
  const calls: string[] = [];
  const segments: SegmentObject[] = [];
  const server = new grpc.Server();
  const collect = (
    call: grpcTypes.ServerReadableStream<SegmentObject, unknown>,
    cb: grpcTypes.sendUnaryData<unknown>,
  ): void => {
    calls.push('collect');
    call.on('data', (s: SegmentObject) => segments.push(s));
    call.on('end', () => cb(null, {}));
  };
  const collectInSync = (
    call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>,
    cb: grpcTypes.sendUnaryData<unknown>,
  ): void => {
    calls.push(`collectInSync:${call.request.segments.length}`);
    segments.push(...call.request.segments);
    cb(null, {});
  };
  server.addService(TraceSegmentReportService.service, streamOnly ? { collect } : { collect, collectInSync });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  return { calls, segments, address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

it('sends a batch as one collectInSync call', async () => {
  const server = await traceServer(false);
  try {
    const r = reporter({ collectorAddress: server.address, batchSize: 4, flushIntervalMs: 600_000 });
    for (let i = 0; i < 10; i++) r.report(source(i));
    await r.flush();
    expect(server.calls).toEqual(['collectInSync:4', 'collectInSync:4', 'collectInSync:2']);
    expect(server.segments).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(segment));
    expect(r.stats()).toMatchObject({ sent: 10, lost: 0, failedBatches: 0 });
  } finally {
    server.stop();
  }
});

it('moves to the collect stream when the backend has no collectInSync, without losing the batch', async () => {
  const server = await traceServer(true);
  setLogLevel('info');
  try {
    const r = reporter({ collectorAddress: server.address });
    for (let i = 0; i < 3; i++) r.report(source(i));
    await r.flush();
    for (let i = 3; i < 5; i++) r.report(source(i));
    await r.flush();
    expect(server.calls).toEqual(['collect', 'collect']);
    expect(server.segments).toEqual([0, 1, 2, 3, 4].map(segment));
    expect(r.stats()).toMatchObject({ sent: 5, lost: 0, failedBatches: 0 });
    expect(logged.filter((m) => m.includes('has no collectInSync'))).toHaveLength(1);
  } finally {
    setLogLevel('warn');
    server.stop();
  }
});

it('goes through the proxy grpc-js is given by grpc_proxy (over its collect stream)', async () => {
  const c = await collector();
  const proxy = await startConnectProxy();
  const before = process.env.grpc_proxy;
  process.env.grpc_proxy = proxy.url;
  try {
    const r = reporter({ collectorAddress: c.grpcAddress });
    for (let i = 0; i < 3; i++) r.report(source(i));
    await r.flush();
    expect(c.segments()).toEqual([0, 1, 2].map(segment));
    expect(r.stats()).toMatchObject({ sent: 3, lost: 0 });
    expect(proxy.tunnels).toEqual([c.grpcAddress]);
  } finally {
    if (before === undefined) delete process.env.grpc_proxy;
    else process.env.grpc_proxy = before;
    proxy.close();
  }
});
