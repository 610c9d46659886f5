/**
 * Subpath entries from the packed tarball: an application with only one of the optional peers
 * installed type-checks with `skipLibCheck: false` when it imports `skywalking-bridge/opentracing`
 * or `skywalking-bridge/opentelemetry` (module resolution node16, and node10 through typesVersions),
 * while the root entry needs both peers' types (TS2307), which is why the subpaths exist. The advanced
 * subpaths (`/sw8`, `/recorder`, `/collector`) need no peer at all, the root entry compiles with both,
 * and the fields marked `@internal` (the recorder's hot-path fields) are not in the published types.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPES_NODE = (require('@types/node/package.json') as { version: string }).version;

let work: string;

function project(name: string, peers: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  execFileSync(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, tarball),
      `@types/node@${TYPES_NODE}`,
      ...peers,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  return dir;
}

/** Compile `source` in `dir`; the compiler's output ('' when clean). */
function compile(dir: string, source: string, resolution: 'node16' | 'node10'): string {
  writeFileSync(join(dir, 'app.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: resolution === 'node16' ? 'node16' : 'commonjs',
        moduleResolution: resolution,
        types: ['node'],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['app.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

const OT_APP = `import { SkyWalkingTracer, type SkyWalkingTracerOptions, ConfigError } from 'skywalking-bridge/opentracing';
import { encodeSw8 } from 'skywalking-bridge/sw8';
import { initGlobalTracer } from 'opentracing';
const options: SkyWalkingTracerOptions = { serviceName: 'orders' };
initGlobalTracer(new SkyWalkingTracer(options));
export const checks = [ConfigError, encodeSw8];
`;
const OTEL_APP = `import { SkyWalkingPropagator, SkyWalkingSpanProcessor, type SkyWalkingSpanProcessorOptions, startCollector } from 'skywalking-bridge/opentelemetry';
import { type TextMapPropagator, propagation } from '@opentelemetry/api';
const options: SkyWalkingSpanProcessorOptions = { serviceName: 'orders' };
export const processor = new SkyWalkingSpanProcessor(options);
const propagator: TextMapPropagator = new SkyWalkingPropagator();
propagation.setGlobalPropagator(propagator);
export const collector = startCollector;
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'swb-subpaths-'));
  execFileSync(NPM, ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('an OpenTracing-only application type-checks against skywalking-bridge/opentracing', () => {
  const dir = project('ot-only', ['opentracing@0.14.7']);
  expect(compile(dir, OT_APP, 'node16')).toBe('');
  expect(compile(dir, OT_APP, 'node10')).toBe('');
  // the root entry's types also name @opentelemetry/api, which this application does not have
  expect(
    compile(
      dir,
      `import { SkyWalkingTracer } from 'skywalking-bridge';\nexport const t = new SkyWalkingTracer();\n`,
      'node16',
    ),
  ).toMatch(/error TS2307: Cannot find module '@opentelemetry\/api'/);
}, 120_000);

it('an OpenTelemetry-only application type-checks against skywalking-bridge/opentelemetry', () => {
  const dir = project('otel-only', ['@opentelemetry/api@1.9.1']);
  // (node10 resolution and the root entry's TS2307 are checked once, above: each compile costs seconds)
  expect(compile(dir, OTEL_APP, 'node16')).toBe('');
}, 120_000);

const ROOT_APP = `import {
  Component,
  ConfigError,
  SkyWalkingLogRecordProcessor,
  SkyWalkingPropagator,
  SkyWalkingSpan,
  SkyWalkingSpanContext,
  SkyWalkingSpanProcessor,
  SkyWalkingTraceExporter,
  SkyWalkingTracer,
  componentId,
  formatTraceContext,
  startCollector,
  traceContext,
  traceIdText,
  type BridgeOptions,
  type BridgeStats,
  type Collector,
  type CollectorOptions,
  type EndpointNamer,
  type SkyWalkingLogRecord,
  type SkyWalkingLogRecordProcessorOptions,
  type SkyWalkingPropagatorOptions,
  type SkyWalkingSpanProcessorOptions,
  type SkyWalkingTraceContext,
  type SkyWalkingTraceExporterOptions,
  type SkyWalkingTracerOptions,
} from 'skywalking-bridge';
import { initGlobalTracer, globalTracer } from 'opentracing';
const shared: BridgeOptions = { serviceName: 'orders', reporter: 'none' };
const tracer = new SkyWalkingTracer(shared satisfies SkyWalkingTracerOptions);
initGlobalTracer(tracer);
const span = globalTracer().startSpan('op', { tags: { component: Component.EXPRESS } });
export const isOurs: boolean = span instanceof SkyWalkingSpan && span.context() instanceof SkyWalkingSpanContext;
const ids: SkyWalkingTraceContext | undefined = traceContext(span);
export const line: string = \`\${traceIdText(span)} \${formatTraceContext(span)} \${ids?.segmentId}\`;
const namer: EndpointNamer = () => undefined;
const processorOptions: SkyWalkingSpanProcessorOptions = { ...shared, endpointName: namer };
const processor = new SkyWalkingSpanProcessor(processorOptions);
const exporterOptions: SkyWalkingTraceExporterOptions = processorOptions;
export const exporter = new SkyWalkingTraceExporter(exporterOptions);
const propagatorOptions: SkyWalkingPropagatorOptions = { namespace: 'shop' };
export const propagator = new SkyWalkingPropagator(propagatorOptions);
const logOptions: SkyWalkingLogRecordProcessorOptions = { via: processor };
export const logs = new SkyWalkingLogRecordProcessor(logOptions);
const record: SkyWalkingLogRecord = { body: 'hello', level: 'info', span };
tracer.reportLog(record);
export const stats: BridgeStats = tracer.stats();
export const id: number = componentId('express', 'server');
const collectorOptions: CollectorOptions = { grpcPort: 0, httpPort: false };
export const collector: Promise<Collector> = startCollector(collectorOptions);
export const bad = new ConfigError('x') instanceof Error;
`;

/** Uses every advanced subpath, and no peer package. */
const ADVANCED_APP = `import { decodeSw8, encodeSw8, headerNames, type Sw8Context } from 'skywalking-bridge/sw8';
import {
  Bridge,
  MemoryReporter,
  RecordedSpan,
  Recorder,
  Segment,
  SpanLayer,
  resolveConfig,
  type SegmentObject,
} from 'skywalking-bridge/recorder';
import { analyze, renderTrace, startCollector, type Analysis } from 'skywalking-bridge/collector';
const ctx: Sw8Context | undefined = decodeSw8(encodeSw8({ sample: 1, traceId: 't', segmentId: 's', spanId: 0, service: 'a', instance: 'b', endpoint: '/', address: 'h:1' }));
export const header: string = headerNames('shop').sw8;
const reporter = new MemoryReporter();
const bridge = new Bridge({ serviceName: 'orders', reporter });
const span: RecordedSpan = bridge.recorder.startSpan('op');
span.layer = SpanLayer.Http;
span.addTag('k', 'v');
span.finish();
const segments: SegmentObject[] = reporter.segments;
export const analysis: Analysis = analyze(segments);
export const text: string = renderTrace(segments);
export const kinds = [Recorder, Segment, resolveConfig, startCollector, ctx];
`;

/** The hot-path fields marked `@internal`: each must be unknown to a consumer. */
const INTERNAL_APP = `import type { RecordedSpan, Segment } from 'skywalking-bridge/recorder';
import type { SkyWalkingSpanContext } from 'skywalking-bridge';
declare const span: RecordedSpan;
declare const segment: Segment;
declare const context: SkyWalkingSpanContext;
export const fields = [span.source, span.finalize, span.nextStarted, segment.firstSpan, segment.prevOpen, segment.spanCount, context.span];
`;

it('an application with both peers type-checks against the root entry; internal fields are not in the types', () => {
  const dir = project('both-peers', ['opentracing@0.14.7', '@opentelemetry/api@1.9.1']);
  expect(compile(dir, ROOT_APP, 'node16')).toBe('');
  const errors = compile(dir, INTERNAL_APP, 'node16').split('\n');
  expect(errors.map((e) => /error (TS\d+): Property '(\w+)' does not exist on type '(\w+)'/.exec(e)?.slice(1))).toEqual(
    [
      ['TS2339', 'source', 'RecordedSpan'],
      ['TS2339', 'finalize', 'RecordedSpan'],
      ['TS2339', 'nextStarted', 'RecordedSpan'],
      ['TS2339', 'firstSpan', 'Segment'],
      ['TS2339', 'prevOpen', 'Segment'],
      ['TS2339', 'spanCount', 'Segment'],
      ['TS2339', 'span', 'SkyWalkingSpanContext'],
    ],
  );
}, 120_000);

it('the advanced subpaths (sw8, recorder, collector) type-check with no peer installed', () => {
  const dir = project('no-peers', []);
  expect(compile(dir, ADVANCED_APP, 'node16')).toBe('');
  expect(compile(dir, ADVANCED_APP, 'node10')).toBe('');
}, 120_000);
