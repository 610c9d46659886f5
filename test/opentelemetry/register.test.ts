/**
 * Zero-code start in real processes: apps with no tracing code (test/opentelemetry/register-apps)
 * started with `--require skywalking-bridge/register` (and `--import` for an ES module), configured
 * by env vars only, reporting to the embedded collector over gRPC. The servers flush only at
 * shutdown (a 10-minute flush interval), so their segments prove the SIGTERM flush.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Collector, startCollector } from '../../src/collector';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { raceTimer } from '../support/deadline';
import { type Service, runProcess, startProcess } from '../support/spawn';

const APPS = join(__dirname, 'register-apps');
const ROOT = join(__dirname, '..', '..');

let collector: Collector;
const services: Service[] = [];

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
// the tests run at once (each mostly waits on its processes; each has its own service names): the
// services a test leaves running are stopped when the file ends, not after each test
afterAll(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  await collector.stop();
});

function env(service: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SW_AGENT_NAME: service,
    SW_AGENT_INSTANCE_NAME: `${service}-1`,
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
    // a report deadline for a hang: the collector runs in the test process, which two busy cores
    // (and the other tests' processes) slow down; at the default 10 s a call timed out there
    SW_AGENT_TRACE_TIMEOUT: '60000',
    ...extra,
  };
}

/** Start a server app with the preload; it flushes only when it shuts down. */
async function server(file: string, service: string, extra: Record<string, string> = {}): Promise<Service> {
  process.chdir(ROOT); // `skywalking-bridge/register` resolves from the package itself
  const s = await startProcess(
    process.execPath,
    ['--require', 'skywalking-bridge/register', join(APPS, file)],
    env(service, { SW_BRIDGE_FLUSH_INTERVAL: '600000', ...extra }),
  );
  services.push(s);
  return s;
}

/** The line a SIGTERM flush that takes over 200 ms prints (a busy machine), whatever it waits for. */
const WAITING = /^\[skywalking-bridge\] stopping on SIGTERM: waiting at most [\d.]+ s [^\n]*127\.0\.0\.1:\d+[^\n]*\n/m;

/** Stop with SIGTERM; resolves with how the process ended. */

async function terminate(s: Service): Promise<{ signal: string | null; code: number | null }> {
  const exited = new Promise<void>((ok) =>
    s.child.exitCode !== null || s.child.signalCode !== null ? ok() : s.child.once('exit', () => ok()),
  );
  s.child.kill('SIGTERM');
  await exited;
  return { signal: s.child.signalCode, code: s.child.exitCode };
}

function segmentOf(segments: SegmentObject[], service: string): SegmentObject {
  const found = segments.filter((s) => s.service === service);
  expect(found).toHaveLength(1);
  return found[0]!;
}

it.concurrent(
  'traces an HTTP client and two HTTP services with no tracing code: one trace, exact spans and refs; SIGTERM flushes and exits at once',
  async () => {
    const backend = await server('backend.js', 'reg-backend');
    const frontend = await server('frontend.js', 'reg-frontend', { BACKEND_URL: `http://127.0.0.1:${backend.port}` });

    const client = await runProcess(
      process.execPath,
      ['--require', 'skywalking-bridge/register', join(APPS, 'client.js')],
      env('reg-client', { TARGET_URL: `http://127.0.0.1:${frontend.port}/front` }),
    );
    expect(client.stdout).toBe('200 {"from":"frontend","backend":{"from":"backend"}}\n');
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    // the short-lived client flushed at its natural end; the servers have sent nothing yet
    const clientSegment = await collector.waitFor(() => collector.segments().find((s) => s.service === 'reg-client'));
    expect(collector.segments().filter((s) => s.traceId === clientSegment.traceId)).toHaveLength(1);

    for (const s of [frontend, backend]) {
      const ending = terminate(s);
      // with the collector up, the flush does not wait for the report deadline (60 s here): the
      // process is gone before a timer of half of it fires (a busy machine delays both alike)
      expect(await raceTimer(ending, 30_000)).toBe('settled');
      expect(await ending).toMatchObject({ signal: 'SIGTERM', code: null });
      // the line saying what the flush waits for appears only past 200 ms (a busy machine)
      expect(s.output().replace(WAITING, '')).toBe(`listening on ${s.port}\n`);
    }
    const trace = collector.trace(clientSegment.traceId);
    expect(trace).toHaveLength(3);
    const c = segmentOf(trace, 'reg-client');
    const f = segmentOf(trace, 'reg-frontend');
    const b = segmentOf(trace, 'reg-backend');
    expect(c.serviceInstance).toBe('reg-client-1');
    expect(f.serviceInstance).toBe('reg-frontend-1');
    expect(b.serviceInstance).toBe('reg-backend-1');

    const frontAddr = `127.0.0.1:${frontend.port}`;
    const backAddr = `127.0.0.1:${backend.port}`;
    expect(
      c.spans.map((s) => [
        s.spanId,
        s.parentSpanId,
        s.spanType,
        s.spanLayer,
        s.componentId,
        s.operationName,
        s.peer,
        s.isError,
      ]),
    ).toEqual([[0, -1, SpanType.Exit, SpanLayer.Http, 2, '/front', frontAddr, false]]);
    expect(c.spans[0]!.refs).toEqual([]);
    // finished first, reported first: the Exit span, then the Entry span
    expect(
      f.spans.map((s) => [
        s.spanId,
        s.parentSpanId,
        s.spanType,
        s.spanLayer,
        s.componentId,
        s.operationName,
        s.peer,
        s.isError,
      ]),
    ).toEqual([
      [1, 0, SpanType.Exit, SpanLayer.Http, 2, '/back', backAddr, false],
      [0, -1, SpanType.Entry, SpanLayer.Http, 49, 'GET', '', false],
    ]);
    expect(f.spans[1]!.refs).toEqual([
      {
        refType: 0,
        traceId: c.traceId,
        parentTraceSegmentId: c.traceSegmentId,
        parentSpanId: 0,
        parentService: 'reg-client',
        parentServiceInstance: 'reg-client-1',
        parentEndpoint: '/front',
        networkAddressUsedAtPeer: frontAddr,
      },
    ]);
    expect(
      b.spans.map((s) => [
        s.spanId,
        s.parentSpanId,
        s.spanType,
        s.spanLayer,
        s.componentId,
        s.operationName,
        s.peer,
        s.isError,
      ]),
    ).toEqual([[0, -1, SpanType.Entry, SpanLayer.Http, 49, 'GET', '', false]]);
    expect(b.spans[0]!.refs).toEqual([
      {
        refType: 0,
        traceId: c.traceId,
        parentTraceSegmentId: f.traceSegmentId,
        parentSpanId: 1,
        parentService: 'reg-frontend',
        parentServiceInstance: 'reg-frontend-1',
        parentEndpoint: 'GET',
        networkAddressUsedAtPeer: backAddr,
      },
    ]);
    const tags = Object.fromEntries(f.spans[0]!.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ 'http.method': 'GET', url: `http://${backAddr}/back`, 'http.status_code': '200' });
  },
);

it.concurrent('starts with --import for an ES module app', async () => {
  const backend = await server('backend.js', 'esm-backend');
  const client = await runProcess(
    process.execPath,
    ['--import', 'skywalking-bridge/register', join(APPS, 'client.mjs')],
    env('esm-client', { TARGET_URL: `http://127.0.0.1:${backend.port}/back` }),
  );
  expect(client.stdout).toBe('200 {"from":"backend"}\n');
  expect(client.stderr).toBe('');
  expect(client.code).toBe(0);
  expect(await terminate(backend)).toMatchObject({ signal: 'SIGTERM', code: null });
  const c = await collector.waitFor(() => collector.segments().find((s) => s.service === 'esm-client'));
  const b = segmentOf(collector.trace(c.traceId), 'esm-backend');
  expect(c.spans.map((s) => [s.spanId, s.spanType, s.componentId, s.operationName, s.peer])).toEqual([
    [0, SpanType.Exit, 2, '/back', `127.0.0.1:${backend.port}`],
  ]);
  expect(
    b.spans[0]!.refs.map((r) => [r.parentTraceSegmentId, r.parentSpanId, r.parentService, r.parentEndpoint]),
  ).toEqual([[c.traceSegmentId, 0, 'esm-client', '/back']]);
});

it.concurrent(
  'leaves a SIGTERM the application handles to the application, and still flushes; SW_AGENT_NAME wins over OTEL_SERVICE_NAME',
  async () => {
    // OTEL_SERVICE_NAME set too: SW_AGENT_NAME names the service
    const backend = await server('backend.js', 'own-handler', { HANDLE_SIGTERM: '1', OTEL_SERVICE_NAME: 'otel-name' });
    const r = await fetch(`http://127.0.0.1:${backend.port}/back`, { headers: { connection: 'close' } });
    expect(await r.text()).toBe('{"from":"backend"}');
    const end = await terminate(backend);
    // the app's handler closed the server; the process then ended by itself, with the app's exit code
    expect(end).toMatchObject({ signal: null, code: 0 });
    // the one line that says what the flush waits for appears only when it takes over 200 ms (a busy machine)
    expect(backend.output().replace(WAITING, '')).toBe(`listening on ${backend.port}\nSIGTERM: closing\n`);
    const segment = await collector.waitFor(() => collector.segments().find((s) => s.service === 'own-handler'));
    expect(segment.spans.map((s) => [s.spanType, s.operationName])).toEqual([[SpanType.Entry, 'GET']]);
  },
);

it.concurrent('OTEL_SDK_DISABLED=true: the app runs untraced and quiet', async () => {
  process.chdir(ROOT);
  const r = await runProcess(
    process.execPath,
    ['--require', 'skywalking-bridge/register', '-e', 'console.log("app ran")'],
    { SW_AGENT_NAME: 'x', OTEL_SDK_DISABLED: 'true' },
  );
  // OTEL_SDK_DISABLED: NodeSDK starts nothing; the app runs as it would have
  expect(r).toMatchObject({ code: 0, stdout: 'app ran\n', stderr: '' });
});

it.concurrent('exports no OTLP metrics unless OTEL_METRICS_EXPORTER asks (NodeSDK alone would)', async () => {
  // a real HTTP server as both the app's target and the OTLP endpoint: it records what reaches it
  const hits: string[] = [];
  const otlp = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((ok) => otlp.listen(0, '127.0.0.1', ok));
  try {
    const url = `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`;
    const run = (extra: Record<string, string>) =>
      runProcess(
        process.execPath,
        ['--require', 'skywalking-bridge/register', join(APPS, 'client.js')],
        env('otlp-client', { TARGET_URL: `${url}/x`, OTEL_EXPORTER_OTLP_ENDPOINT: url, ...extra }),
      );
    expect(await run({})).toMatchObject({ code: 0, stdout: '200 \n', stderr: '' });
    expect(hits).toEqual(['GET /x']);
    // the same with the variable set: the SDK's OTLP metrics export reaches the endpoint at shutdown
    hits.length = 0;
    expect(await run({ OTEL_METRICS_EXPORTER: 'otlp' })).toMatchObject({ code: 0, stdout: '200 \n', stderr: '' });
    expect(hits).toEqual(['GET /x', 'POST /v1/metrics']);
  } finally {
    otlp.closeAllConnections();
    await new Promise((ok) => otlp.close(ok));
  }
});

it.concurrent('a bad SW_* value: one error line saying what to fix, and the app runs untraced', async () => {
  process.chdir(ROOT);
  const r = await runProcess(
    process.execPath,
    ['--require', 'skywalking-bridge/register', '-e', 'console.log("app ran")'],
    { SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'oap' },
  );
  expect(r).toEqual({
    code: 0,
    stdout: 'app ran\n',
    stderr:
      '[skywalking-bridge] ERROR register: tracing not started: env SW_AGENT_COLLECTOR_BACKEND_SERVICES is "oap": entry "oap" has no port; add the OAP\'s gRPC port, e.g. "oap:11800".\n',
  });
});
