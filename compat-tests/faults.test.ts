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
  // the HTTP line follows the gRPC one, maybe in a later chunk of output
  await until(async () => /http listening on \S+/.test(collector.output()), "the collector's HTTP address");
  const grpcPort = Number(/grpc listening on \S+:(\d+)/.exec(collector.output())?.[1]);
  if (!grpcPort) throw new Error(`no gRPC port in the collector's output:\n${collector.output()}`);
  return { collector, grpcPort };
}

/** The traces the collector at `httpUrl` holds (its JSON API), or 0 while it does not answer. */
async function tracesAt(httpUrl: string): Promise<number> {
  try {
    return (JSON.parse((await request(`${httpUrl}/api/traces`)).body) as unknown[]).length;
  } catch {
    return 0;
  }
}

/** Ask `check` every 50 ms until it says yes; fail naming `what` after `ms` (a deadline for a hang, not a bound). */
async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const httpUrlOf = (collector: Service): string => /http listening on (\S+)/.exec(collector.output())![1]!;

/**
 * Every step waits on an event, never on a clock, so a busy machine only makes it slower: the app
 * makes segments until told (SIGUSR2); the first collector is killed once it holds traces (mid-
 * stream), the second started on the same port at once, and the app told to stop once the second
 * holds traces (delivery resumed). The queue (100,000) holds the whole outage however long a start
 * takes, so nothing is dropped, and the app's shutdown finds the collector up and sends the rest.
 */
it('collector killed mid-stream and restarted: no crash, delivery resumes, every segment accounted for', async () => {
  // the first collector picks its port; the restarted one must take the same port, the one the
  // app was told (a restarted OAP keeps its address): that port is free again once the first has exited
  let { collector, grpcPort: port } = await collectorProcess(0);
  const app = await started(
    startService(APP, {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${port}`,
      RATE: '300',
      DURATION_MS: 'signal',
      SW_BRIDGE_FLUSH_INTERVAL: '200',
      SW_AGENT_MAX_BUFFER_SIZE: '100000',
      // shutdown sends the whole backlog however slowly a busy machine drains it (it returns once
      // the queue is empty); the deadline only guards against a hang
      SW_AGENT_TRACE_TIMEOUT: '120000',
    }),
  );
  const first = httpUrlOf(collector);
  await until(async () => (await tracesAt(first)) > 0, 'traces at the first collector');
  await collector.stop('SIGKILL');
  ({ collector } = await collectorProcess(port));
  const second = httpUrlOf(collector);
  await until(async () => (await tracesAt(second)) > 0, 'traces at the restarted collector');
  app.child.kill('SIGUSR2');
  const { code, result, stderr } = await ended(app, 180_000);
  await collector.stop();
  expect(code).toBe(0);
  expect(stderr).not.toMatch(/Unhandled|UnhandledPromiseRejection|TypeError|RangeError/);
  const { stats } = result;
  // every segment is sent, or counted lost (written to a stream that then died); none waits or is dropped
  expect(stats.queued).toBe(0);
  expect(stats.dropped).toBe(0);
  expect(stats.sent + stats.lost).toBe(result.generated);
  // lost: at most the batches in flight when the first collector died
  expect(stats.sent).toBeGreaterThan(result.generated * 0.5);
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
}, 240_000);

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
  // shutdown gives up after its deadline (1 s here) instead of hanging on the silent peer (the RESULT
  // line comes after it returned); well under the default deadline (10 s), with room for a busy machine
  expect(result.shutdownMs).toBeGreaterThanOrEqual(900);
  expect(result.shutdownMs).toBeLessThan(9000);
  expect(result.heapMaxMb).toBeLessThan(64);
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
});
