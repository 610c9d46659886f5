/**
 * Faults, with the app and the collector in separate processes: the collector killed mid-stream
 * and restarted, and a collector that accepts connections and never answers (overload against a
 * slower collector, which times the app, is compat-tests/overload.test.ts and runs alone).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { request, startProcess, startService, type Service } from '../test/support/spawn';
import { APP, diagnostics, ended, started } from './support/fault-app';

const ROOT = resolve(__dirname, '..');

/** The collector CLI on `port` (0: it picks one) and the gRPC port it listens on, read from its output. */
async function collectorProcess(port: number): Promise<{ collector: Service; grpcPort: number }> {
  const collector = await started(
    startProcess(
      process.execPath,
      [resolve(ROOT, 'dist/entry/cli.js'), 'collector', '--grpc-port', String(port), '--http-port', '0', '--quiet'],
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
