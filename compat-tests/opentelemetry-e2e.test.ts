/**
 * OpenTelemetry over the real network: examples/opentelemetry/server-1.js (NodeSDK with the http and
 * express instrumentations, our processor and propagator) calls the OpenTracing server-2 in another
 * process; both report over gRPC to the embedded collector. Every mapped field is asserted.
 * Also NodeSDK with `traceExporter: new SkyWalkingTraceExporter()` in a child process.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { type Collector, startCollector } from '../src/collector';
import { RefType, type SegmentObject, SpanLayer, SpanType } from '../src/base/model';
import { CHILD_ENV, type Service, request, startService } from '../test/support/spawn';

const ROOT = resolve(__dirname, '..');
let collector: Collector;
let server1: Service;
let server2: Service;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
  const env = {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
    SW_BRIDGE_FLUSH_INTERVAL: '100',
    PORT: '0',
  };
  server2 = await startService(resolve(ROOT, 'examples/opentracing/server-2.js'), {
    ...env,
    SW_AGENT_NAME: 'server-2',
    SW_AGENT_INSTANCE_NAME: 's2-a',
  });
  server1 = await startService(resolve(ROOT, 'examples/opentelemetry/server-1.js'), {
    ...env,
    SW_AGENT_NAME: 'server-1',
    SW_AGENT_INSTANCE_NAME: 's1-a',
    SERVER2_URL: `http://127.0.0.1:${server2.port}`,
  });
});

afterAll(async () => {
  const codes = await Promise.all([server1?.stop(), server2?.stop()]);
  await collector?.stop();
  expect(codes).toEqual([0, 0]);
});

it('maps the instrumented spans exactly and links server-2 to the exit spans', async () => {
  const res = await request(`http://127.0.0.1:${server1.port}/trace`);
  expect(res.status).toBe(200);
  const s1 = await collector.waitFor(() => collector.segments().find((s) => s.service === 'server-1'), 15_000);
  const all = await collector.waitFor(() => {
    const t = collector.trace(s1.traceId);
    return t.length === 3 ? t : undefined;
  });
  const peer = `127.0.0.1:${server2.port}`;
  expect(s1.serviceInstance).toBe('s1-a');
  const byName = (n: string) => s1.spans.filter((s) => s.operationName === n);
  const [entry] = byName('GET:/trace');
  expect(entry).toMatchObject({
    spanId: 0,
    parentSpanId: -1,
    spanType: SpanType.Entry,
    spanLayer: SpanLayer.Http,
    componentId: 49,
    isError: false,
    refs: [],
  });
  expect(entry!.tags).toEqual(
    expect.arrayContaining([
      { key: 'http.method', value: 'GET' },
      { key: 'http.status_code', value: '200' },
    ]),
  );
  const handler = s1.spans.find((s) => s.operationName === 'request handler - /trace')!;
  expect(handler).toMatchObject({ spanType: SpanType.Local, componentId: 4002, parentSpanId: 0 });
  const [fetchUsers] = byName('fetch-users');
  expect(fetchUsers).toMatchObject({ spanType: SpanType.Local, componentId: 0, parentSpanId: handler.spanId });
  const exits = byName('/user/info');
  expect(exits).toHaveLength(2);
  for (const exit of exits) {
    expect(exit).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 2,
      peer,
      parentSpanId: fetchUsers!.spanId,
      isError: false,
    });
    expect(exit.tags).toEqual(
      expect.arrayContaining([
        { key: 'http.method', value: 'POST' },
        { key: 'url', value: `http://${peer}/user/info` },
        { key: 'http.status_code', value: '200' },
      ]),
    );
  }
  const s2: SegmentObject[] = all.filter((s) => s.service === 'server-2');
  expect(s2.map((s) => s.spans.find((x) => x.spanId === 0)!.refs)).toEqual(
    exits
      .map((exit) => [
        {
          refType: RefType.CrossProcess,
          traceId: s1.traceId,
          parentTraceSegmentId: s1.traceSegmentId,
          parentSpanId: exit.spanId,
          parentService: 'server-1',
          parentServiceInstance: 's1-a',
          parentEndpoint: 'GET:/trace',
          networkAddressUsedAtPeer: peer,
        },
      ])
      .sort((a, b) => a[0]!.parentSpanId - b[0]!.parentSpanId),
  );
  expect(collector.analysis().problems.filter((p) => p.traceId === s1.traceId)).toEqual([]);
});

it('NodeSDK with traceExporter: SkyWalkingTraceExporter delivers segments', async () => {
  const script = `
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { SkyWalkingTraceExporter } = require(${JSON.stringify(ROOT)});
const sdk = new NodeSDK({ serviceName: 'exporter-only', traceExporter: new SkyWalkingTraceExporter() });
sdk.start();
const { trace, SpanKind } = require('@opentelemetry/api');
const tracer = trace.getTracer('manual');
tracer.startActiveSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.route': '/items' } }, (span) => {
  tracer.startSpan('db', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT 1', 'server.address': 'pg', 'server.port': 5432 } }).end();
  span.end();
});
sdk.shutdown().then(() => console.log('done'));
`;
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(
      process.execPath,
      ['-e', script],
      {
        cwd: ROOT,
        env: { ...process.env, ...CHILD_ENV, SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress },
        timeout: 30_000,
      },
      (e, stdout, stderr) => done({ code: e ? 1 : 0, stdout, stderr }),
    ),
  );
  expect(out.stderr).toBe('');
  expect(out.stdout).toBe('done\n');
  const seg = await collector.waitFor(() => collector.segments().find((s) => s.service === 'exporter-only'), 10_000);
  // both spans may end in the same millisecond: compare by span id
  expect(
    seg.spans
      .map((s) => [s.spanId, s.parentSpanId, s.operationName, s.spanType, s.spanLayer, s.peer])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
  ).toEqual([
    [0, -1, 'GET:/items', SpanType.Entry, SpanLayer.Http, ''],
    [1, 0, 'db', SpanType.Exit, SpanLayer.Database, 'pg:5432'],
  ]);
});
