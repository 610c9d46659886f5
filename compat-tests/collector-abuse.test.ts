/**
 * The embedded collector under hostile input, in its own process (compat-tests/support/collector-process.js,
 * from dist/): malformed protobuf on every gRPC method, oversized and deeply nested messages, 1,000
 * concurrent streams, trees 5,000 deep, slow and silent clients, odd HTTP paths and huge queries.
 * After each, the collector is up, answers another client within BOUND_MS, and its heap after a full
 * GC stays within its configured bounds (plus a fixed allowance for the runtime).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { type Socket, connect as tcpConnect } from 'node:net';
import { resolve } from 'node:path';
import type * as grpcTypes from '@grpc/grpc-js';
import { loadServices } from '../src/protocol/loader';
import type { SegmentReference } from '../src/base/model';
import { T0, spanObject } from '../test/support/fixtures';

const ROOT = resolve(__dirname, '..');
const SCRIPT = resolve(__dirname, 'support/collector-process.js');
const { grpc, TraceSegmentReportService, ManagementService, LogReportService } = loadServices();

const TOKEN = 'abuse-token';
const MiB = 1024 * 1024;
const OPTIONS = {
  grpcPort: 0,
  httpPort: 0,
  authentication: TOKEN,
  maxSegments: 20_000,
  maxBytes: 8 * MiB,
  maxLogs: 2000,
  maxLogBytes: 2 * MiB,
  maxMessageBytes: 2 * MiB,
  timeouts: { httpHeadersMs: 1000, httpRequestMs: 2000, httpKeepAliveMs: 1000, grpcIdleMs: 1500, grpcMaxAgeMs: 20_000 },
};
/** Another client's call must be answered within this while the collector is abused. */
const BOUND_MS = 1000;
/** Heap after a full GC: what the runtime, gRPC and the code need with nothing stored (~8 MiB), the configured bounds and half again. */
const HEAP_ALLOWANCE = 24 * MiB + 1.5 * (OPTIONS.maxBytes + OPTIONS.maxLogBytes);

let child: ChildProcess;
let out = '';
let grpcAddress = '';
let httpUrl = '';
const clients: grpcTypes.Client[] = [];
/** What each case measured, printed at the end (the README's Bounds figures come from here). */
const measured: string[] = [];

function md(): grpcTypes.Metadata {
  const m = new grpc.Metadata();
  m.set('authentication', TOKEN);
  return m;
}

beforeAll(async () => {
  if (!existsSync(resolve(ROOT, 'dist/collector/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  child = spawn(process.execPath, ['--expose-gc', '--unhandled-rejections=strict', SCRIPT, JSON.stringify(OPTIONS)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/READY (.+)\n/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`collector did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const ready = JSON.parse(/READY (.+)\n/.exec(out)![1]!) as { grpc: string; http: string };
  grpcAddress = ready.grpc;
  httpUrl = ready.http;
});

afterAll(async () => {
  process.stderr.write(`collector abuse, measured:\n${measured.join('\n')}\n`);
  for (const c of clients.splice(0)) c.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
});

/** A client on a connection of its own (grpc-js would otherwise share one per target). */
function client<T extends grpcTypes.Client>(ctor: grpcTypes.ServiceClientConstructor): T {
  const c = new ctor(grpcAddress, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * MiB,
    'grpc.use_local_subchannel_pool': 1,
  }) as unknown as T;
  clients.push(c);
  return c;
}

type StreamClient = {
  collect: (
    m: grpcTypes.Metadata,
    cb: (e: grpcTypes.ServiceError | null) => void,
  ) => grpcTypes.ClientWritableStream<unknown>;
};

function stream(ctor: grpcTypes.ServiceClientConstructor, messages: unknown[]): Promise<grpcTypes.ServiceError | null> {
  const c = client<grpcTypes.Client & StreamClient>(ctor);
  return new Promise((done) => {
    const call = c.collect(md(), (e) => done(e));
    for (const m of messages) call.write(m);
    call.end();
  });
}

let lastAnswered = '';

/** A keepAlive from a well-behaved agent and GET /healthz: both must answer OK within BOUND_MS. */
async function othersAnswered(): Promise<{ keepAliveMs: number; healthMs: number }> {
  const m = client<
    grpcTypes.Client & {
      keepAlive: (
        r: unknown,
        m: grpcTypes.Metadata,
        o: grpcTypes.CallOptions,
        cb: (e: grpcTypes.ServiceError | null) => void,
      ) => void;
    }
  >(ManagementService);
  let t = performance.now();
  const err = await new Promise<grpcTypes.ServiceError | null>((r) =>
    m.keepAlive(
      { service: 'good', serviceInstance: 'good-1', layer: '' },
      md(),
      { deadline: Date.now() + BOUND_MS },
      r,
    ),
  );
  const keepAliveMs = performance.now() - t;
  expect(err).toBeNull();
  t = performance.now();
  const res = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(BOUND_MS) });
  const healthMs = performance.now() - t;
  expect(res.status).toBe(200);
  expect(child.exitCode).toBeNull();
  lastAnswered = `keepAlive ${keepAliveMs.toFixed(0)} ms, /healthz ${healthMs.toFixed(0)} ms`;
  return { keepAliveMs, healthMs };
}

interface Mem {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  stats: {
    segments: number;
    bytes: number;
    logs: number;
    logBytes: number;
    evicted: number;
    logsEvicted: number;
    handlerErrors: number;
  };
}

/** Full GC in the collector, then its memory and counters. */
async function memory(): Promise<Mem> {
  const before = out.length;
  child.stdin!.write('mem\n');
  while (!/MEM (.+)\n/.test(out.slice(before))) await new Promise((r) => setTimeout(r, 10));
  return JSON.parse(/MEM (.+)\n/.exec(out.slice(before))![1]!) as Mem;
}

async function withinBounds(): Promise<Mem> {
  const m = await memory();
  expect(m.stats.bytes).toBeLessThanOrEqual(OPTIONS.maxBytes);
  expect(m.stats.logBytes).toBeLessThanOrEqual(OPTIONS.maxLogBytes);
  expect(m.heapUsed).toBeLessThanOrEqual(HEAP_ALLOWANCE);
  measured.push(
    `  ${expect.getState().currentTestName}: heap ${(m.heapUsed / MiB).toFixed(1)} MiB after GC (allowed ${HEAP_ALLOWANCE / MiB}), rss ${(m.rss / MiB).toFixed(0)} MiB, stored ${m.stats.segments} segments / ${(m.stats.bytes / MiB).toFixed(2)} MiB, ${m.stats.logs} logs / ${(m.stats.logBytes / MiB).toFixed(2)} MiB; others answered: ${lastAnswered}`,
  );
  return m;
}

const METHODS = [
  '/skywalking.v3.TraceSegmentReportService/collect',
  '/skywalking.v3.TraceSegmentReportService/collectInSync',
  '/skywalking.v3.ManagementService/reportInstanceProperties',
  '/skywalking.v3.ManagementService/keepAlive',
  '/skywalking.v3.LogReportService/collect',
  '/skywalking.v3.ConfigurationDiscoveryService/fetchConfigurations',
];

function frame(body: Buffer, compressed = false, declared = body.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(declared, 1);
  return Buffer.concat([head, body]);
}

/** One raw HTTP/2 gRPC call with `payload` as the request body; resolves with grpc-status. */
function rawCall(path: string, payload: Buffer): Promise<string> {
  return new Promise((done, fail) => {
    const session = h2connect(`http://${grpcAddress}`);
    session.on('error', () => undefined);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      authentication: TOKEN,
    });
    let status = '';
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    req.on('trailers', (t) => {
      if (t['grpc-status'] !== undefined) status = String(t['grpc-status']);
    });
    req.on('error', () => undefined);
    req.on('close', () => {
      session.close();
      if (status === '') fail(new Error(`${path}: no grpc-status`));
      else done(status);
    });
    req.on('data', () => undefined);
    req.end(payload);
  });
}

it('answers malformed protobuf on every method with an error status, and stays up', async () => {
  const garbage = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 131 + 7) % 256));
  // 200,000 nested start-group tags of an unknown field: a decoder that recurses per group overflows
  const groups = Buffer.alloc(200_000, 0x7b);
  const payloads: Array<[string, Buffer]> = [
    ['garbage', frame(garbage)],
    ['truncated frame', frame(garbage.subarray(0, 10), false, 1000)],
    ['compressed flag without encoding', frame(garbage, true)],
    ['nested groups', frame(groups)],
  ];
  const before = await memory();
  const statuses: string[] = [];
  for (const path of METHODS)
    for (const [name, p] of payloads) statuses.push(`${path.split('/').pop()} ${name}: ${await rawCall(path, p)}`);
  // INTERNAL (13) for what does not decode; a stream whose last frame is cut short ends with the
  // messages before it (none here: OK, nothing stored), a unary call without a whole message gets UNIMPLEMENTED (grpc-js)
  const expected = METHODS.flatMap((path) =>
    payloads.map(
      ([name]) =>
        `${path.split('/').pop()} ${name}: ${name !== 'truncated frame' ? '13' : path.endsWith('/collect') ? '0' : '12'}`,
    ),
  );
  expect(statuses).toEqual(expected);
  await othersAnswered();
  const m = await withinBounds();
  expect([m.stats.segments, m.stats.logs]).toEqual([before.stats.segments, before.stats.logs]);
});

/**
 * GET with the token, as a client that honours `503` + `Retry-After` does: the collector sheds reads
 * past its share of the event loop, which on a busy machine comes sooner (issue #28: no verdict
 * may depend on the load). Up to 30 tries.
 */
async function read(path: string): Promise<Response> {
  for (let i = 0; ; i++) {
    const res = await fetch(`${httpUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (res.status !== 503 || i === 30) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
}

const span = (spanId: number, parentSpanId: number, refs: unknown[] = [], operationName = `op-${spanId}`) =>
  spanObject({ spanId, parentSpanId, endTime: T0 + spanId + 1, refs: refs as SegmentReference[], operationName });

it('refuses a message over maxMessageBytes; 1 MiB strings in refs and logs stay within the byte bounds', async () => {
  const big = 'x'.repeat(MiB);
  const seg = (i: number, parentEndpoint: string) => ({
    traceId: `big-${i}`,
    traceSegmentId: `big-seg-${i}`,
    service: 'big',
    serviceInstance: 'big-1',
    isSizeLimited: false,
    spans: [
      span(0, -1, [
        {
          refType: 0,
          traceId: `big-${i}`,
          parentTraceSegmentId: 'p',
          parentSpanId: 0,
          parentService: 'a',
          parentServiceInstance: 'b',
          parentEndpoint,
          networkAddressUsedAtPeer: 'c',
        },
      ]),
    ],
  });
  expect((await stream(TraceSegmentReportService, [seg(0, 'y'.repeat(3 * MiB))]))?.code).toBe(
    grpc.status.RESOURCE_EXHAUSTED,
  );
  expect(
    await stream(
      TraceSegmentReportService,
      Array.from({ length: 60 }, (_, i) => seg(i, big)),
    ),
  ).toBeNull();
  const logs = Array.from({ length: 60 }, (_, i) => ({
    timestamp: 1,
    service: 'big',
    body: { text: { text: big } },
    traceContext: { traceId: `big-${i}`, traceSegmentId: `big-seg-${i}`, spanId: 0 },
  }));
  expect(await stream(LogReportService, logs)).toBeNull();
  await othersAnswered();
  const m = await withinBounds();
  expect(m.stats.segments).toBeLessThanOrEqual(8);
  expect(m.stats.logs).toBe(1);
});

it('renders and serves a segment 5,000 spans deep and 5,000 segments chained by refs', async () => {
  const deep = {
    traceId: 'deep',
    traceSegmentId: 'deep-0',
    service: 'svc',
    serviceInstance: 'i',
    isSizeLimited: false,
    spans: Array.from({ length: 5000 }, (_, i) => span(i, i - 1)),
  };
  const chain = Array.from({ length: 5000 }, (_, i) => ({
    traceId: 'chain',
    traceSegmentId: `c${i}`,
    service: 'svc',
    serviceInstance: 'i',
    isSizeLimited: false,
    spans: [
      span(
        0,
        -1,
        i === 0
          ? []
          : [
              {
                refType: 0,
                traceId: 'chain',
                parentTraceSegmentId: `c${i - 1}`,
                parentSpanId: 0,
                parentService: 'svc',
                parentServiceInstance: 'i',
                parentEndpoint: 'e',
                networkAddressUsedAtPeer: 'p',
              },
            ],
      ),
    ],
  }));
  // one after the other: together they exceed the 8 MiB bound, and the older would be evicted
  for (const [id, segments] of [
    ['deep', [deep]],
    ['chain', chain],
  ] as const) {
    expect(await stream(TraceSegmentReportService, [...segments])).toBeNull();
    const res = await read(`/api/traces/${id}`);
    expect(res.status).toBe(200);
    const view = (await res.json()) as { tree: string; segments: unknown[] };
    const lines = view.tree.split('\n');
    expect(lines).toHaveLength(5000);
    expect(lines[4999]).toMatch(/└─ \[depth 4999\] svc op-\d+ \[Local\] 1 ms$/);
  }
  expect((await read('/api/topology')).status).toBe(200);
  await othersAnswered();
  await withinBounds();
});

it('takes 1,000 concurrent streams while another agent is answered within the bound', async () => {
  const start = await memory().then((m) => m.stats.segments + m.stats.evicted);
  const c = client<grpcTypes.Client & StreamClient>(TraceSegmentReportService);
  const results: Array<Promise<grpcTypes.ServiceError | null>> = [];
  const calls: Array<grpcTypes.ClientWritableStream<unknown>> = [];
  for (let i = 0; i < 1000; i++) {
    results.push(
      new Promise((done) => {
        const call = c.collect(md(), (e) => done(e));
        call.write({
          traceId: `many-${i}`,
          traceSegmentId: `many-seg-${i}`,
          service: 'many',
          serviceInstance: 'many-1',
          isSizeLimited: false,
          spans: [span(0, -1)],
        });
        calls.push(call);
      }),
    );
  }
  // all 1,000 open at once (their segments stored), then a well-behaved agent on its own connection
  for (;;) {
    const m = await memory();
    if (m.stats.segments + m.stats.evicted >= start + 1000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const answered = await othersAnswered();
  expect(answered.keepAliveMs).toBeLessThan(BOUND_MS);
  for (const call of calls) call.end();
  const errors = (await Promise.all(results)).filter((e) => e !== null);
  expect(errors).toEqual([]);
  const m = await withinBounds();
  expect(m.stats.segments).toBeGreaterThanOrEqual(1000);
});

it('closes readers that stop reading big responses; others answered meanwhile', async () => {
  const httpPort = Number(new URL(httpUrl).port);
  const res = await read('/api/traces/chain');
  expect(res.status).toBe(200);
  const size = (await res.arrayBuffer()).byteLength;
  expect(size).toBeGreaterThan(2 * MiB);
  // 40 readers of a ~3 MB answer that never read it: more than the 64 MiB of pending responses allowed
  const stuck = await openSockets(
    httpPort,
    40,
    `GET /api/traces/chain HTTP/1.1\r\nHost: 127.0.0.1:${httpPort}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    false,
  );
  const answered = await othersAnswered();
  expect(answered.healthMs).toBeLessThan(BOUND_MS);
  // after httpRequestMs (2 s) without progress the server drops a reader; then read what each got
  await new Promise((r) => setTimeout(r, 2500));
  const got = await Promise.all(
    stuck.map(
      (sock) =>
        new Promise<string>((ok) => {
          let text = '';
          sock.setEncoding('latin1');
          sock.on('data', (d: string) => (text += d));
          sock.once('close', () => ok(text));
          sock.resume();
        }),
    ),
  );
  const status = (t: string) => /^HTTP\/1\.1 (\d+)/.exec(t)?.[1] ?? 'none';
  const full = got.filter((t) => status(t) === '200' && t.length >= size).length;
  const cut = got.filter((t) => status(t) === '200' && t.length < size).length;
  const busy = got.filter((t) => status(t) === '503').length;
  expect(full + cut + busy).toBe(40);
  // the answers the collector holds for its clients stay within its 64 MiB (it takes one more
  // answer while under the bound). How many readers got 200, whole or cut, or 503 depends on the
  // read budget, the memo and the kernel: an answer the socket buffers take whole is no longer the
  // collector's, so a count of whole answers says nothing of the bound
  const stats = (await (await read('/api/stats')).json()) as { http: { pendingPeakBytes: number } };
  expect(stats.http.pendingPeakBytes).toBeGreaterThanOrEqual(size);
  expect(stats.http.pendingPeakBytes).toBeLessThanOrEqual(64 * MiB + size);
  measured.push(
    `  stuck readers: 40 asked for a ${(size / MiB).toFixed(1)} MiB answer and never read: ${busy} got 503, ${cut} were dropped mid-answer, ${full} got it whole; others answered: ${lastAnswered}`,
  );
  await othersAnswered();
  await withinBounds();
});

function openSockets(port: number, n: number, first: string, read = true): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((ok, fail) => {
          const s = tcpConnect(port, '127.0.0.1', () => {
            if (first) s.write(first);
            ok(s);
          });
          s.on('error', fail);
          if (read)
            s.resume(); // read what the server says, so its close is seen
          else s.pause();
        }),
    ),
  );
}

it('closes HTTP clients that never finish their headers and gRPC connections that never speak; others answered meanwhile', async () => {
  const httpPort = Number(new URL(httpUrl).port);
  const grpcPort = Number(grpcAddress.split(':').pop());
  const slow = await openSockets(httpPort, 300, `GET /api/traces HTTP/1.1\r\nHost: 127.0.0.1:${httpPort}\r\nx-slow: `);
  const silent = await openSockets(grpcPort, 50, '');
  const t0 = Date.now();
  const closed = (sockets: Socket[]) =>
    Promise.all(
      sockets.map(
        (s) =>
          new Promise<number>((ok) => (s.closed ? ok(Date.now() - t0) : s.once('close', () => ok(Date.now() - t0)))),
      ),
    );
  const answered = await othersAnswered();
  expect(answered.healthMs).toBeLessThan(BOUND_MS);
  // HTTP: headersTimeout 1 s (checked every 500 ms); gRPC: idle 1.5 s
  const httpClosed = await closed(slow);
  expect(Math.max(...httpClosed)).toBeLessThan(4000);
  const grpcClosed = await closed(silent);
  expect(Math.max(...grpcClosed)).toBeLessThan(6000);
  measured.push(
    `  slow clients: 300 HTTP closed within ${Math.max(...httpClosed)} ms, 50 silent gRPC within ${Math.max(...grpcClosed)} ms; others answered: ${lastAnswered}`,
  );
  await othersAnswered();
});

it('answers odd HTTP paths and huge queries with a status, never a crash', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const cases: Array<[string, RequestInit, number]> = [
    [`/api/traces/${'a'.repeat(8000)}`, { headers: auth }, 404],
    ['/api/traces/%00', { headers: auth }, 404],
    ['/api/traces/..%2F..%2Fetc%2Fpasswd', { headers: auth }, 404],
    ['/api/traces/%E0%A4%A', { headers: auth }, 400],
    [`/api/logs?q=${'x'.repeat(12_000)}`, { headers: auth }, 200],
    [`/api/logs?q=${'x'.repeat(100_000)}`, { headers: auth }, 431],
    ['/api/logs?limit=1e309', { headers: auth }, 400],
    ['/api/logs?offset=abc', { headers: auth }, 400],
    [`/api/logs?${Array.from({ length: 500 }, (_, i) => `traceId=${i}`).join('&')}`, { headers: auth }, 200],
    ['/api/stats', { headers: auth }, 200],
    ['/api/stats', {}, 401],
    ['/api/traces', { method: 'POST', headers: auth, body: 'x'.repeat(100_000) }, 405],
    ['/nothing/here', { headers: auth }, 404],
    ['//api//traces', { headers: auth }, 404],
  ];
  const got: number[] = [];
  for (const [path, init] of cases)
    got.push((await fetch(`${httpUrl}${path}`, { ...init, signal: AbortSignal.timeout(BOUND_MS) })).status);
  expect(got).toEqual(cases.map((c) => c[2]));
  await othersAnswered();
  const m = await withinBounds();
  expect(m.stats.handlerErrors).toBe(0);
});
