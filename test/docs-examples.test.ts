/**
 * The README's examples run for real: each file under examples/docs/ is started as the user would
 * start it (`node file`, `node --require skywalking-bridge/register file`; the TypeScript one from
 * its compiled text), reporting to an embedded collector on an ephemeral port given through
 * `SW_AGENT_COLLECTOR_BACKEND_SERVICES` (the docs show the default, 127.0.0.1:11800). Each exits 0
 * by itself, prints nothing unexpected, and the collector holds exactly the segments it made.
 * (`test/docs.test.ts` checks the README's blocks equal these files.)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { type Collector, startCollector } from '../src/entry/collector';
import type { SegmentObject } from '../src/base/model';

const ROOT = resolve(__dirname, '..');
let collector: Collector;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
});
afterAll(async () => {
  await collector.stop();
});

/** Run `node ...args` in the repository (where `skywalking-bridge` names this package) until it exits. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: ROOT,
        env: {
          ...process.env,
          SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          ...env,
        },
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

/** The segments of the traces that arrive after `before` segments, once `count` have arrived. */
async function segmentsAfter(before: number, count: number): Promise<SegmentObject[]> {
  await collector.waitFor(() => collector.segments().length >= before + count, 30_000);
  return collector.segments().slice(before);
}

/**
 * A segment as [service, its spans as [operation, type, layer, component, peer, refs]], sorted; the
 * spans by id (the exporter lists spans that start in the same millisecond in the order they ended).
 */
const shape = (segments: SegmentObject[]): unknown[] =>
  segments
    .map((s) => [
      s.service,
      [...s.spans]
        .sort((a, b) => a.spanId - b.spanId)
        .map((x) => [x.operationName, x.spanType, x.spanLayer, x.componentId, x.peer, x.refs.length]),
    ])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** The HTTP server's Entry span continues the client's trace: one trace, the ref names the Exit span. */
function expectLinked(segments: SegmentObject[]): void {
  expect(new Set(segments.map((s) => s.traceId)).size).toBe(1);
  const exit = segments.find((s) => s.spans[0]!.spanType === 1)!;
  const entry = segments.find((s) => s.spans[0]!.spanType === 0)!;
  expect(entry.spans[0]!.refs[0]).toMatchObject({
    refType: 0,
    parentTraceSegmentId: exit.traceSegmentId,
    parentSpanId: 0,
    parentService: 'orders',
    networkAddressUsedAtPeer: exit.spans[0]!.peer,
  });
}

/**
 * Run an example that serves HTTP and calls itself once: it exits 0 printing nothing, and the
 * collector holds its two segments, the client's Exit span and the server's Entry span (named
 * `entryName`) continuing its trace.
 */
async function selfCall(args: string[], entryName: string, env: Record<string, string> = {}): Promise<void> {
  const before = collector.segments().length;
  const { code, output } = await run(args, env);
  expect(output).toBe('');
  expect(code).toBe(0);
  const segments = await segmentsAfter(before, 2);
  expect(segments).toHaveLength(2);
  const port = /:(\d+)$/.exec(segments.find((s) => s.spans[0]!.spanType === 1)!.spans[0]!.peer)![1];
  expect(shape(segments)).toEqual([
    ['orders', [['/orders', 1, 3, 2, `127.0.0.1:${port}`, 0]]],
    ['orders', [[entryName, 0, 3, 49, '', 1]]],
  ]);
  expectLinked(segments);
}

it('examples/docs/opentracing.js: an Entry span continued from the Exit span that called it', async () => {
  await selfCall(['examples/docs/opentracing.js'], 'GET:/orders');
});

it('examples/docs/otel-processor.js: the http instrumentation, sw8 by our propagator, one trace', async () => {
  await selfCall(['examples/docs/otel-processor.js'], 'GET');
});

it('examples/docs/otel-exporter.js: the batch rebuilt as one segment, the Local span under the Entry', async () => {
  const before = collector.segments().length;
  const { code, output } = await run(['examples/docs/otel-exporter.js']);
  expect(output).toBe('');
  expect(code).toBe(0);
  const segments = await segmentsAfter(before, 1);
  expect(shape(segments)).toEqual([
    [
      'orders',
      [
        ['GET:/orders', 0, 0, 0, '', 0],
        ['load-orders', 2, 0, 0, '', 0],
      ],
    ],
  ]);
  expect(segments[0]!.spans.find((x) => x.spanId === 1)!.parentSpanId).toBe(0);
});

it('examples/docs/register-app.js with node --require skywalking-bridge/register: traced with no code', async () => {
  await selfCall(['--require', 'skywalking-bridge/register', 'examples/docs/register-app.js'], 'GET', {
    SW_AGENT_NAME: 'orders',
  });
});

it('examples/docs/typescript.ts, compiled: prints its trace id and reports its span', async () => {
  const before = collector.segments().length;
  const js = ts.transpileModule(readFileSync(join(ROOT, 'examples/docs/typescript.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  // `-e` runs in the repository, so `skywalking-bridge/opentracing` resolves to this package
  const { code, output } = await run(['-e', js]);
  expect(code).toBe(0);
  const [segment] = await segmentsAfter(before, 1);
  expect(output).toBe(`trace ${segment!.traceId}\n`);
  expect(shape([segment!])).toEqual([['orders', [['load-orders', 2, 0, 0, '', 0]]]]);
});
