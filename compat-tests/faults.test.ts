/**
 * Faults, with the app and the collector in separate processes: the collector killed mid-stream
 * and restarted, a collector that accepts connections and never answers, and 12 s of overload
 * against a collector slower than the app. The app (compat-tests/fixtures/load-app.js) runs with
 * --unhandled-rejections=strict and must end by itself after shutdown().
 */
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { request, startProcess, startService, type Service } from '../test/support/spawn';

const ROOT = resolve(__dirname, '..');
const APP = resolve(__dirname, 'fixtures/load-app.js');

/** Every process a test started: stopped (and their exit awaited) after each test, pass or fail. */
const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

/** Start and remember for afterEach. */
async function started(service: Promise<Service>): Promise<Service> {
  const s = await service;
  running.push(s);
  return s;
}

interface Result {
  generated: number;
  stats: { queued: number; sent: number; dropped: number; lost: number; failedBatches: number };
  shutdownMs: number;
  heapMaxMb: number;
  loopDelayP99Ms: number;
}

/** Wait for the app to end by itself; its RESULT line, exit code and stderr. */
function ended(
  app: Service,
  ms: number,
): Promise<{ code: number | null; result: Result; stderr: string; output: string }> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the app did not exit by itself within ${ms} ms; output:\n${app.output()}`)),
      ms,
    );
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      const out = app.output();
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) return fail(new Error(`no RESULT line (exit ${code}):\n${out}`));
      done({
        code,
        result: JSON.parse(line.slice(7)) as Result,
        stderr: out
          .split('\n')
          .filter((l) => !l.startsWith('RESULT ') && !l.includes('listening on'))
          .join('\n'),
        output: out,
      });
    };
    if (app.child.exitCode !== null) finish(app.child.exitCode);
    else app.child.once('exit', finish);
  });
}

/** Our diagnostics, by message with numbers blanked: each distinct condition may appear once. */
function diagnostics(stderr: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('[skywalking-bridge]')) continue;
    const key = line.replace(/\d+/g, 'N');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The collector CLI on `port` (0: it picks one) and the gRPC port it listens on, read from its output. */
async function collectorProcess(port: number): Promise<{ collector: Service; grpcPort: number }> {
  const collector = await started(
    startProcess(
      process.execPath,
      [resolve(ROOT, 'dist/cli.js'), 'collector', '--grpc-port', String(port), '--http-port', '0', '--quiet'],
      {},
    ),
  );
  const grpcPort = Number(/grpc listening on \S+:(\d+)/.exec(collector.output())?.[1]);
  if (!grpcPort) throw new Error(`no gRPC port in the collector's output:\n${collector.output()}`);
  return { collector, grpcPort };
}

it('collector killed mid-stream and restarted: no crash, delivery resumes, every segment accounted for', async () => {
  // the first collector picks its port; the restarted one must take the same port, the one the
  // app was told (a restarted OAP keeps its address): that port is free again once the first has exited
  let { collector, grpcPort: port } = await collectorProcess(0);
  const app = await started(
    startService(APP, {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}`,
      RATE: '300',
      DURATION_MS: '5000',
      SW_BRIDGE_FLUSH_INTERVAL: '200',
    }),
  );
  await new Promise((r) => setTimeout(r, 1500));
  await collector.stop('SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  ({ collector } = await collectorProcess(port));
  const { code, result, stderr } = await ended(app, 30_000);
  const httpUrl = /http listening on (\S+)/.exec(collector.output())?.[1];
  const after = JSON.parse((await request(`${httpUrl}/api/traces`)).body) as unknown[];
  await collector.stop();
  expect(code).toBe(0);
  expect(stderr).not.toMatch(/Unhandled|UnhandledPromiseRejection|TypeError|RangeError/);
  const { stats } = result;
  // every segment is sent, queued, dropped or counted lost (written to a stream that then died)
  expect(stats.sent + stats.lost + stats.dropped + stats.queued).toBe(result.generated);
  expect(stats.queued).toBe(0);
  expect(stats.dropped).toBe(0);
  expect(stats.sent).toBeGreaterThan(result.generated * 0.5);
  // the restarted collector got traces: delivery resumed
  expect(after.length).toBeGreaterThan(0);
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
}, 60_000);

it('a collector that accepts connections and never answers: deadlines fire, memory bounded, shutdown returns', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', () => undefined); // read, never write
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  onTestFinished(async () => {
    for (const s of sockets) s.destroy();
    if (silent.listening) await new Promise((r) => silent.close(r));
  });
  const port = (silent.address() as { port: number }).port;
  const app = await started(
    startService(APP, {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}`,
      RATE: '400',
      DURATION_MS: '5000',
      SW_AGENT_MAX_BUFFER_SIZE: '500',
      SW_AGENT_TRACE_TIMEOUT: '1000',
    }),
  );
  const { code, result, stderr } = await ended(app, 30_000);
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  expect(code).toBe(0);
  expect(result.stats.sent).toBe(0);
  // the queue held at most its bound; the rest was dropped and counted
  expect(result.stats.dropped).toBe(result.generated - result.stats.queued - result.stats.lost);
  expect(result.stats.dropped).toBeGreaterThanOrEqual(result.generated - 500);
  // shutdown gives up after its deadline (1 s here) instead of hanging on the silent peer
  expect(result.shutdownMs).toBeLessThan(2500);
  expect(result.heapMaxMb).toBeLessThan(64);
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
}, 60_000);

it('12 s of overload against a slower collector: heap bounded, drops counted, the app stays responsive', async () => {
  const slow = await started(
    startProcess(process.execPath, [resolve(__dirname, 'fixtures/slow-collector.js')], { TAKE_PER_SEC: '200' }),
  );
  const app = await started(
    startService(APP, {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${slow.port}`,
      RATE: '2000',
      DURATION_MS: '12000',
      SW_AGENT_TRACE_TIMEOUT: '2000',
    }),
  );
  // the app's own requests, every 50 ms, timed from outside
  const latencies: number[] = [];
  const poll = setInterval(() => {
    const t = Date.now();
    void request(`http://127.0.0.1:${app.port}/work`).then(
      () => latencies.push(Date.now() - t),
      () => undefined,
    );
  }, 50);
  onTestFinished(() => clearInterval(poll));
  const { code, result, stderr } = await ended(app, 60_000);
  clearInterval(poll);
  await slow.stop();
  expect(code).toBe(0);
  const { stats } = result;
  expect(result.generated).toBeGreaterThan(22_000);
  // far more than the collector takes (200/s): the default queue (10,000) fills in ~6 s and what
  // comes after is dropped at the bound, and counted
  expect(stats.dropped).toBeGreaterThan(result.generated / 3);
  expect(stats.sent + stats.lost + stats.dropped + stats.queued).toBe(result.generated);
  // stated bounds (README, "Bounds"): heap under 64 MB with the default queue bound of 10,000
  // five-span segments, queued as bytes (measured ~26 MB, garbage included); the app's p99 request
  // latency under 100 ms and event-loop delay p99 under 100 ms while making 10,000 spans/s
  expect(result.heapMaxMb).toBeLessThan(64);
  latencies.sort((a, b) => a - b);
  expect(latencies.length).toBeGreaterThan(180);
  expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(100);
  expect(result.loopDelayP99Ms).toBeLessThan(100);
  expect(result.shutdownMs).toBeLessThan(4000);
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
}, 90_000);
