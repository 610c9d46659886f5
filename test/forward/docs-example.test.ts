/**
 * docs/log-pipeline.md's example, run for real: its stdout piped into `forward --text-pattern
 * bracket`, delivered to the embedded collector.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Collector, startCollector } from '../../src/collector';
import { ROOT, startForward } from './support';

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector?.stop();
});

it('examples/docs/log-pipeline-app.js through forward: its segment, its record, its text line by trace', async () => {
  const forward = startForward([
    '--collector',
    collector.grpcAddress,
    '--text-pattern',
    'bracket',
    '--service',
    'checkout',
    '--stats',
  ]);
  const app = spawn(process.execPath, [join(ROOT, 'examples', 'docs', 'log-pipeline-app.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  app.stdout.pipe(forward.child.stdin!);
  expect(await forward.exited).toBe(0);
  expect(forward.lastStats()).toMatchObject({
    segments: 1,
    logs: 2,
    textLogs: 1,
    properties: 1,
    foreign: 1,
    invalid: 0,
  });
  const [segment] = collector.segments();
  expect(segment!.service).toBe('checkout');
  expect(segment!.spans.map((s) => s.operationName)).toEqual(['POST /checkout']);
  const logs = collector.traceLogs(segment!.traceId);
  expect(logs.map((l) => l.content).sort()).toEqual([
    `[INFO] [trace_id=${segment!.traceId}] checkout started`,
    'payment accepted',
  ]);
  expect(collector.instances().map((i) => i.service)).toContain('checkout');
});
