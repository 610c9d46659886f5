/**
 * The runnable examples of docs/agent.md, run for real as the docs show them (node, the package
 * required by its name): their output is what the page says it is.
 */
import { join, resolve } from 'node:path';
import { type Collector, startCollector } from '../../src/collector';
import { runProcess } from '../support/spawn';

const ROOT = resolve(__dirname, '..', '..');
/** An example of docs/agent.md, by its path (test/docs.test.ts checks that a test names each). */
const example = (path: string): string => join(ROOT, path);

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector.stop();
});

it('agent-live-config.js: the collector sets sampling and an ignore path live', async () => {
  const out = await runProcess(process.execPath, [example('examples/docs/agent-live-config.js')], {}, 60_000);
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toBe('sampled 2, not sampled 8, ignored 1\n');
  expect(out.stderr).toContain('agent.sample_n_per_3_secs is now "2" for service orders');
});

it('agent-otel-sampler.js: SkyWalkingSampler in NodeSDK', async () => {
  const out = await runProcess(
    process.execPath,
    [example('examples/docs/agent-otel-sampler.js')],
    { SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress, OTEL_TRACES_EXPORTER: 'none' },
    60_000,
  );
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toBe('health check recording: false\nsampled 5, not sampled 15, ignored 1\n');
  // the 5 sampled traces reached the collector
  const deadline = Date.now() + 30_000;
  while (collector.segments().filter((s) => s.service === 'orders').length < 5 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(collector.segments().filter((s) => s.service === 'orders').length).toBe(5);
});
