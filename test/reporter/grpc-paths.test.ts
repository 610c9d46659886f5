/**
 * Reporter paths the other reporter tests do not reach, against real grpc-js servers with the OAP's
 * services: failover after a failed call, a batch in flight at shutdown counted lost, the 4 MiB
 * batch split, the default collectInSync path under overload, and the periodic heartbeat.
 */
import type * as grpcTypes from '@grpc/grpc-js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type BridgeOptions, resolveConfig } from '../../src/base/config';
import { resetDiagnostics, setLogger } from '../../src/base/diag';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { loadServices } from '../../src/protocol/loader';
import { GrpcReporter } from '../../src/reporter/grpc';
import type { SegmentSource } from '../../src/reporter/types';
import { raceTimer } from '../support/deadline';

type Behaviour = 'ok' | 'unavailable' | 'hold';

interface TestServer {
  address: string;
  /** `collectInSync:<n segments>` per call, in arrival order. */
  calls: string[];
  segments: SegmentObject[];
  /** `<method> <service>/<instance> <ms since start>` per ManagementService call. */
  management: { method: string; service: string; instance: string; at: number }[];
  /** Resolves when `calls` has `n` entries. */
  waitForCalls(n: number, ms?: number): Promise<void>;
  stop(): void;
}

const reporters: GrpcReporter[] = [];
const servers: TestServer[] = [];
let logged: string[] = [];

beforeEach(() => {
  resetDiagnostics();
  logged = [];
  const capture = (m: string): void => void logged.push(m);
  setLogger({ error: capture, warn: capture, info: capture, debug: capture });
});

afterEach(async () => {
  setLogger(undefined);
  await Promise.all(reporters.splice(0).map((r) => r.shutdown(200)));
  for (const s of servers.splice(0)) s.stop();
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

/**
 * A grpc-js server with the OAP's TraceSegmentReportService and ManagementService. `behaviour`:
 * `ok` answers each collectInSync; `unavailable` takes the call and answers UNAVAILABLE (a failed
 * call, not a server that is down); `hold` takes the call and never answers.
 */
async function testServer(behaviour: Behaviour, options: grpcTypes.ServerOptions = {}): Promise<TestServer> {
  const { grpc, TraceSegmentReportService, ManagementService } = loadServices();
  const t0 = Date.now();
  const calls: string[] = [];
  const segments: SegmentObject[] = [];
  const management: TestServer['management'] = [];
  const waiters: (() => void)[] = [];
  const server = new grpc.Server(options);
  server.addService(TraceSegmentReportService.service, {
    collect(call: grpcTypes.ServerReadableStream<SegmentObject, unknown>, cb: grpcTypes.sendUnaryData<unknown>) {
      calls.push('collect');
      call.on('data', (s: SegmentObject) => segments.push(s));
      call.on('end', () => cb(null, {}));
    },
    collectInSync(
      call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>,
      cb: grpcTypes.sendUnaryData<unknown>,
    ) {
      calls.push(`collectInSync:${call.request.segments.length}`);
      segments.push(...call.request.segments);
      for (const w of waiters.splice(0)) w();
      if (behaviour === 'ok') cb(null, {});
      else if (behaviour === 'unavailable') cb({ code: grpc.status.UNAVAILABLE, details: 'going away' }, null);
    },
  });
  const ping =
    (method: string) =>
    (
      call: grpcTypes.ServerUnaryCall<{ service: string; serviceInstance: string }, unknown>,
      cb: grpcTypes.sendUnaryData<unknown>,
    ) => {
      management.push({
        method,
        service: call.request.service,
        instance: call.request.serviceInstance,
        at: Date.now() - t0,
      });
      cb(null, {});
    };
  server.addService(ManagementService.service, {
    reportInstanceProperties: ping('reportInstanceProperties'),
    keepAlive: ping('keepAlive'),
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  const s: TestServer = {
    address: `127.0.0.1:${port}`,
    calls,
    segments,
    management,
    waitForCalls: (n, ms = 10_000) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`expected ${n} calls within ${ms} ms, got ${JSON.stringify(calls)}`)),
          ms,
        );
        const check = (): void => {
          if (calls.length >= n) {
            clearTimeout(timer);
            ok();
          } else waiters.push(check);
        };
        check();
      }),
    stop: () => server.forceShutdown(),
  };
  servers.push(s);
  return s;
}

function segment(i: number, tagValue = 'GET'): SegmentObject {
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
        tags: [{ key: 'http.method', value: tagValue }],
        logs: [],
        skipAnalysis: false,
      },
    ],
  };
}

const source = (i: number, tagValue?: string): SegmentSource => ({ toSegmentObject: () => segment(i, tagValue) });

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('fails over after a failed call: UNAVAILABLE from the first address moves the next batches to the second', async () => {
  const first = await testServer('unavailable');
  const second = await testServer('ok');
  const r = reporter({ collectorAddress: `${first.address},${second.address}`, flushIntervalMs: 600_000 });
  r.report(source(0));
  await r.flush();
  // the first address took the call and failed it: that batch is counted lost (the OAP may have stored part)
  expect(first.calls).toEqual(['collectInSync:1']);
  expect(r.stats()).toMatchObject({ sent: 0, lost: 1, failedBatches: 1, queued: 0 });
  r.report(source(1));
  r.report(source(2));
  await r.flush();
  expect(first.calls).toEqual(['collectInSync:1']);
  expect(second.calls).toEqual(['collectInSync:2']);
  expect(second.segments).toEqual([segment(1), segment(2)]);
  expect(r.stats()).toEqual({
    queued: 0,
    sent: 2,
    dropped: 0,
    lost: 1,
    failedBatches: 1,
    failedHeartbeats: 0,
    queuedBytes: 0,
    logs: { queued: 0, sent: 0, dropped: 0, lost: 0 },
  });
  expect(logged).toEqual([
    `cannot reach the SkyWalking collector at ${first.address}: going away. 0 segment(s) queued, retrying with backoff; check SW_AGENT_COLLECTOR_BACKEND_SERVICES (option \`collectorAddress\`).`,
  ]);
});

it('counts a batch still on the wire at the shutdown deadline as lost, so every segment is accounted for', async () => {
  const silent = await testServer('hold');
  const r = reporter({ collectorAddress: silent.address, reportTimeoutMs: 5000 });
  for (let i = 0; i < 3; i++) r.report(source(i));
  await silent.waitForCalls(1);
  expect(silent.calls).toEqual(['collectInSync:3']);
  r.report(source(3));
  // the heartbeat's properties and ping answered before shutdown (else shutdown sends the properties
  // within its 300 ms, which a busy machine may not answer in time: a failed heartbeat)
  r.startHeartbeat();
  await until(() => silent.management.length >= 2, 10_000, 'the heartbeat');
  // its argument, not reportTimeoutMs, ended it: it settles before a timer of reportTimeoutMs
  expect(await raceTimer(r.shutdown(300), 5000)).toBe('settled');
  // three on the wire (fate unknown: lost), one still queued (dropped)
  expect(r.stats()).toEqual({
    queued: 0,
    sent: 0,
    dropped: 1,
    lost: 3,
    failedBatches: 0,
    failedHeartbeats: 0,
    queuedBytes: 0,
    logs: { queued: 0, sent: 0, dropped: 0, lost: 0 },
  });
  r.report(source(4));
  expect(r.stats()).toMatchObject({ dropped: 2, lost: 3 });
});

it('splits a batch at 4 MiB (gRPC default receive limit); a bigger segment goes alone', async () => {
  // the server takes up to 64 MiB so that a wrong split would be accepted (and seen), not refused
  const server = await testServer('ok', { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const r = reporter({
    collectorAddress: server.address,
    batchSize: 50,
    flushIntervalMs: 600_000,
    reportTimeoutMs: 10_000,
  });
  const MiB = 'x'.repeat(1024 * 1024);
  for (let i = 0; i < 10; i++) r.report(source(i, MiB));
  r.report(source(10, MiB.repeat(5)));
  r.report(source(11));
  r.report(source(12));
  await r.flush();
  // 3 x ~1 MiB fit under 4 MiB - 64 KiB, a 4th does not
  expect(server.calls).toEqual([
    'collectInSync:3',
    'collectInSync:3',
    'collectInSync:3',
    'collectInSync:1',
    'collectInSync:1',
    'collectInSync:2',
  ]);
  expect(server.segments.map((s) => s.traceSegmentId)).toEqual([...Array(13).keys()].map((i) => `segment-${i}`));
  expect(server.segments[10]!.spans[0]!.tags[0]!.value).toHaveLength(5 * 1024 * 1024);
  expect(r.stats()).toMatchObject({ sent: 13, lost: 0, dropped: 0, queued: 0 });
});

it('the default collectInSync path under overload: queue bounded, oldest dropped, every segment accounted for, order kept', async () => {
  const { grpc, TraceSegmentReportService, ManagementService } = loadServices();
  // a collector that answers each collectInSync after 100 ms: ~10 batches of at most 20 per second
  const received: SegmentObject[] = [];
  const server = new grpc.Server();
  server.addService(TraceSegmentReportService.service, {
    collectInSync(
      call: grpcTypes.ServerUnaryCall<{ segments: SegmentObject[] }, unknown>,
      cb: grpcTypes.sendUnaryData<unknown>,
    ) {
      received.push(...call.request.segments);
      setTimeout(() => cb(null, {}), 100);
    },
  });
  server.addService(ManagementService.service, {
    reportInstanceProperties: (_c: unknown, cb: grpcTypes.sendUnaryData<unknown>) => cb(null, {}),
    keepAlive: (_c: unknown, cb: grpcTypes.sendUnaryData<unknown>) => cb(null, {}),
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  try {
    const r = reporter({ collectorAddress: `127.0.0.1:${port}`, batchSize: 20, maxBufferSize: 200 });
    // 5,000 segments in 1 s (50 every 10 ms): far more than the collector takes
    let generated = 0;
    while (generated < 5000) {
      for (let k = 0; k < 50; k++) r.report(source(generated++));
      expect(r.stats().queued).toBeLessThanOrEqual(200);
      await new Promise((ok) => setTimeout(ok, 10));
    }
    await r.shutdown(3000);
    const stats = r.stats();
    expect(stats.sent + stats.lost + stats.dropped + stats.queued).toBe(generated);
    expect(stats.queued).toBe(0);
    expect(stats.lost).toBe(0);
    expect(stats.dropped).toBeGreaterThan(generated / 2);
    // what the collector got is exactly what was counted sent, each once, in the order made
    expect(received).toHaveLength(stats.sent);
    const ids = received.map((s) => Number(s.traceSegmentId.slice('segment-'.length)));
    expect(ids.every((id, k) => k === 0 || id > ids[k - 1]!)).toBe(true);
    expect(logged.filter((m) => m.startsWith('segment queue is full'))).toEqual([
      'segment queue is full (maxBufferSize 200): dropping the oldest; the collector is slow or away',
    ]);
  } finally {
    server.forceShutdown();
  }
});

it('beats periodically: properties at start and every propertiesReportPeriodFactor beats, keepAlive every heartbeatPeriod', async () => {
  const server = await testServer('ok');
  const r = reporter({ collectorAddress: server.address, heartbeatPeriod: 1, propertiesReportPeriodFactor: 2 });
  r.startHeartbeat();
  // three beats: 0 s, 1 s, 2 s (timer-driven, not called by the test)
  await until(
    () => server.management.filter((m) => m.method === 'keepAlive').length >= 3,
    10_000,
    'three keepAlive calls',
  );
  const calls = server.management.map((m) => `${m.method} ${m.service}/${m.instance}`);
  expect(calls.slice(0, 5)).toEqual([
    'reportInstanceProperties svc/svc-1',
    'keepAlive svc/svc-1',
    'keepAlive svc/svc-1',
    'reportInstanceProperties svc/svc-1',
    'keepAlive svc/svc-1',
  ]);
  // (their spacing is the timer's: not asserted, a loaded machine delays the first call's connect)
  expect(r.stats().failedHeartbeats).toBe(0);
});
