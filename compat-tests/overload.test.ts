/**
 * Overload: the app (compat-tests/fixtures/load-app.js, its own process) makes 10,000 spans/s for
 * 7 s against a collector that takes 300 segments/s, so the default queue fills at ~5.9 s and drops
 * after. Heap, request latency and event-loop delay are bounded: the file runs alone (vitest's
 * `alone` project), so no other test's load decides them.
 */
import { resolve } from 'node:path';
import { request, startProcess, startService } from '../test/support/spawn';
import { APP, diagnostics, ended, started } from './support/fault-app';

it('7 s of overload against a slower collector: heap bounded, drops counted, the app stays responsive', async () => {
  const slow = await started(
    startProcess(process.execPath, [resolve(__dirname, 'fixtures/slow-collector.js')], { TAKE_PER_SEC: '300' }),
  );
  const app = await started(
    startService(APP, {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: `127.0.0.1:${slow.port}`,
      RATE: '2000',
      DURATION_MS: '7000',
      SW_AGENT_TRACE_TIMEOUT: '2000',
    }),
  );
  // the app's own requests, every 50 ms, timed from outside. The first second is the app warming
  // up as the load starts (its JIT, the first connections): requests then took 50-110 ms, later ones
  // a few ms. The 30 s version of this test had those few among 600 samples, above its p99; in 7 s
  // they would be the p99 itself, so the bound is on the requests sent after the first second.
  const latencies: number[] = [];
  const loadStart = Date.now();
  const poll = setInterval(() => {
    const t = Date.now();
    void request(`http://127.0.0.1:${app.port}/work`).then(
      () => {
        if (t - loadStart >= 1000) latencies.push(Date.now() - t);
      },
      () => undefined,
    );
  }, 50);
  onTestFinished(() => clearInterval(poll));
  const { code, result, stderr } = await ended(app, 60_000);
  clearInterval(poll);
  await slow.stop();
  expect(code).toBe(0);
  const { stats } = result;
  expect(result.generated).toBeGreaterThan(13_500);
  // more than the collector takes (300/s): the default queue (10,000) fills at ~5.9 s and what comes
  // after (~1,900) is dropped at the bound, and counted; batches (500 in ~1.7 s, within the 2 s report
  // timeout set here) still go through meanwhile
  expect(stats.dropped).toBeGreaterThan(1_000);
  expect(stats.sent).toBeGreaterThan(0);
  expect(stats.sent + stats.lost + stats.dropped + stats.queued).toBe(result.generated);
  // stated bounds (README, "Bounds"): heap under 64 MB with the default queue bound of 10,000
  // five-span segments, queued as bytes (measured ~26 MB, garbage included); the app's p99 request
  // latency under 100 ms and event-loop delay p99 under 100 ms while making 10,000 spans/s
  expect(result.heapMaxMb).toBeLessThan(64);
  latencies.sort((a, b) => a - b);
  expect(latencies.length).toBeGreaterThan(90);
  expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(100);
  expect(result.loopDelayP99Ms).toBeLessThan(100);
  expect(result.shutdownMs).toBeLessThan(4000);
  console.log(
    `overload: generated ${result.generated}, sent ${stats.sent}, dropped ${stats.dropped}; heap max ${result.heapMaxMb} MB; request p99 ${latencies[Math.floor(latencies.length * 0.99)]} ms over ${latencies.length}; loop delay p99 ${result.loopDelayP99Ms} ms; shutdown ${result.shutdownMs} ms`,
  );
  for (const [line, n] of diagnostics(stderr)) expect(n, line).toBe(1);
}, 90_000);
