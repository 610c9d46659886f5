/**
 * OpenTelemetry's pino instrumentation stamps ids into every line through a mixin; a logger whose
 * only stream is skywalkingDestination has no use for them (src/pino/otel-stamps.ts), and the
 * destination takes the mixin off it. A real process with the real instrumentation and pino: the
 * loggers writing only to a destination (and their children) lose the mixin; one writing to a
 * multistream (stdout could be in it), one with its own mixin, and one writing elsewhere keep it,
 * and the lines they print still carry SkyWalking's ids. The destination's records land under the
 * span all the same. pino gives the destination a line's logger only for the first lines and one
 * line in 1,024 after (its metadata costs ~80 ns a line): a logger made later loses the mixin then.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Collector, startCollector } from '../../src/collector';

const ROOT = join(__dirname, '..', '..');
const APP = join(__dirname, 'fixtures', 'stamps-app.js');

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
});
afterAll(async () => {
  await collector.stop();
});

it('takes OTel’s ids mixin off the loggers that write only to the destination, and only those', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [APP], {
    cwd: ROOT,
    env: { ...process.env, COLLECTOR: collector.grpcAddress },
  });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
    ids: { traceId: string; segmentId: string; spanId: number };
    mixins: Record<string, string | null>;
    sink: unknown[];
  };
  expect(out.mixins).toEqual({
    only: null,
    child: null,
    multi: 'otelMixin',
    own: 'combined',
    plain: 'otelMixin',
    // a second logger to the first destination: found by the look at one line in 1,024
    laterAfter2: 'otelMixin',
    laterAfter1102: null,
  });
  const stamped = (msg: string): unknown[] => [msg, out.ids.traceId, out.ids.segmentId, out.ids.spanId, false];
  // the multistream's sink (as stdout would be) and the plain logger's: SkyWalking's ids, no trace_flags
  expect(out.sink).toEqual([stamped('one'), stamped('two'), stamped('one'), stamped('two')]);
  const deadline = Date.now() + 60_000;
  while (collector.traceLogs(out.ids.traceId).length < 8 && Date.now() < deadline)
    await Promise.race([collector.changed(), new Promise((r) => setTimeout(r, 200))]);
  const logs = collector.traceLogs(out.ids.traceId);
  // only, child, multi (its destination) and own: two records each, all under the span
  expect(logs).toHaveLength(8);
  for (const l of logs)
    expect(l.traceContext).toEqual({ traceId: out.ids.traceId, traceSegmentId: out.ids.segmentId, spanId: 0 });
  // no instrumentation's field in any body, with the mixin (multi, own) or without it (only, child)
  const bodyOf = (l: (typeof logs)[number]): string =>
    l.contentType === 'JSON' ? `${l.content} (JSON)` : `${l.content} (TEXT)`;
  expect(logs.map(bodyOf).sort()).toEqual(
    [
      'one (TEXT)',
      'one (TEXT)',
      'two (TEXT)',
      'two (TEXT)',
      '{"msg":"one","part":"child"} (JSON)',
      '{"msg":"two","part":"child"} (JSON)',
      '{"msg":"one","tenant":"a"} (JSON)',
      '{"msg":"two","tenant":"a"} (JSON)',
    ].sort(),
  );
}, 180_000);
