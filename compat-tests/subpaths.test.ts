/**
 * Subpath entries from the packed tarball: an application with only one of the optional peers
 * installed type-checks with `skipLibCheck: false` when it imports `skywalking-bridge/opentracing`
 * or `skywalking-bridge/opentelemetry` (module resolution node16, and node10 through typesVersions),
 * while the root entry needs both peers' types (TS2307), which is why the subpaths exist. The advanced
 * subpaths (`/sw8`, `/recorder`, `/collector`) need no peer at all, the root entry compiles with both,
 * and the fields marked `@internal` (the recorder's hot-path fields) are not in the published types.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPES_NODE = (require('@types/node/package.json') as { version: string }).version;

/**
 * The layout: the packed tarball is installed once by npm (with @types/node) into `work`, which
 * gives its dependencies and @types/node to every application below it. Each application is a
 * directory with its own node_modules holding a copy of the installed package and the peers it has
 * (copied from this repository's node_modules: opentracing 0.14.7, @opentelemetry/api 1.9.1), so the
 * package's imports of a peer resolve exactly as in that application. The compiler runs in this
 * process and parses each library file once for all applications (a compiler process per check
 * cost ~6 s; there are seven).
 */
let work: string;

function project(name: string, peers: string[]): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  cpSync(join(work, 'node_modules', 'skywalking-bridge'), join(dir, 'node_modules', 'skywalking-bridge'), {
    recursive: true,
  });
  for (const peer of peers)
    cpSync(join(ROOT, 'node_modules', peer), join(dir, 'node_modules', peer), { recursive: true });
  return dir;
}

/** Library files parsed once, shared by every program (keyed by path and module format). */
const parsed = new Map<string, ts.SourceFile>();

/**
 * Type-check `sources` (file name -> text) as one application in `dir`, as
 * `tsc` with `skipLibCheck: false` would for it and this package's declarations; the diagnostics of each of those files, as tsc prints
 * them (`error TS2307: ...`), and of everything else under `other`.
 */
function compile(
  dir: string,
  sources: Record<string, string>,
  resolution: 'node16' | 'node10',
): Record<string, string[]> & { other: string[] } {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: resolution === 'node16' ? ts.ModuleKind.Node16 : ts.ModuleKind.CommonJS,
    moduleResolution: resolution === 'node16' ? ts.ModuleResolutionKind.Node16 : ts.ModuleResolutionKind.Node10,
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  const apps = new Map(Object.entries(sources).map(([name, text]) => [join(dir, name), text]));
  host.getSourceFile = (fileName, version, onError, fresh) => {
    const app = apps.get(fileName);
    if (app !== undefined) return ts.createSourceFile(fileName, app, version);
    const format = typeof version === 'object' ? version.impliedNodeFormat : undefined;
    const key = `${fileName}\0${format}`;
    let file = parsed.get(key);
    if (!file) {
      file = read(fileName, version, onError, fresh);
      if (file) parsed.set(key, file);
    }
    return file;
  };
  host.fileExists = (f) => apps.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => apps.get(f) ?? ts.sys.readFile(f);
  const program = ts.createProgram({ rootNames: [...apps.keys()], options, host });
  const out: Record<string, string[]> & { other: string[] } = { other: [] };
  for (const name of Object.keys(sources)) out[name] = [];
  // what tsc reports for the application and this package's .d.ts files (per file, as tsc does with
  // skipLibCheck: false); the third-party declarations they pull in (@types/node, grpc-js) are not ours
  // to check, and checking them took ~4 s a program against ~50 ms for ours
  const ours = program
    .getSourceFiles()
    .filter((f) => apps.has(f.fileName) || f.fileName.includes(`${sep}node_modules${sep}skywalking-bridge${sep}`));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  expect(ours.filter((f) => !apps.has(f.fileName)).length).toBeGreaterThan(0);
  for (const d of diagnostics) {
    const text = `error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    const name = d.file ? [...apps.keys()].indexOf(d.file.fileName) : -1;
    out[name >= 0 ? Object.keys(sources)[name]! : 'other']!.push(
      name >= 0 || !d.file ? text : `${d.file.fileName}: ${text}`,
    );
  }
  return out;
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
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'apps', version: '1.0.0', private: true }));
  execFileSync(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--omit=peer',
      join(work, tarball),
      `@types/node@${TYPES_NODE}`,
    ],
    { cwd: work, stdio: 'ignore' },
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('an OpenTracing-only application type-checks against skywalking-bridge/opentracing', () => {
  const dir = project('ot-only', ['opentracing']);
  // the root entry's types also name @opentelemetry/api, which this application does not have
  const root = `import { SkyWalkingTracer } from 'skywalking-bridge';\nexport const t = new SkyWalkingTracer();\n`;
  expect(compile(dir, { 'app.ts': OT_APP }, 'node16')).toEqual({ 'app.ts': [], other: [] });
  // (reported in the package's .d.ts files, which name the missing module)
  expect(compile(dir, { 'root.ts': root }, 'node16').other.join('\n')).toMatch(
    /error TS2307: Cannot find module '@opentelemetry\/api'/,
  );
  expect(compile(dir, { 'app.ts': OT_APP }, 'node10')).toEqual({ 'app.ts': [], other: [] });
}, 120_000);

it('an OpenTelemetry-only application type-checks against skywalking-bridge/opentelemetry', () => {
  const dir = project('otel-only', ['@opentelemetry/api']);
  expect(compile(dir, { 'app.ts': OTEL_APP }, 'node16')).toEqual({ 'app.ts': [], other: [] });
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
  const dir = project('both-peers', ['opentracing', '@opentelemetry/api']);
  const r = compile(dir, { 'app.ts': ROOT_APP, 'internal.ts': INTERNAL_APP }, 'node16');
  expect(r['app.ts']).toEqual([]);
  expect(r.other).toEqual([]);
  expect(
    r['internal.ts']!.map((e) => /error (TS\d+): Property '(\w+)' does not exist on type '(\w+)'/.exec(e)?.slice(1)),
  ).toEqual([
    ['TS2339', 'source', 'RecordedSpan'],
    ['TS2339', 'finalize', 'RecordedSpan'],
    ['TS2339', 'nextStarted', 'RecordedSpan'],
    ['TS2339', 'firstSpan', 'Segment'],
    ['TS2339', 'prevOpen', 'Segment'],
    ['TS2339', 'spanCount', 'Segment'],
    ['TS2339', 'span', 'SkyWalkingSpanContext'],
  ]);
}, 120_000);

it('the advanced subpaths (sw8, recorder, collector) type-check with no peer installed', () => {
  const dir = project('no-peers', []);
  expect(compile(dir, { 'app.ts': ADVANCED_APP }, 'node16')).toEqual({ 'app.ts': [], other: [] });
  expect(compile(dir, { 'app.ts': ADVANCED_APP }, 'node10')).toEqual({ 'app.ts': [], other: [] });
}, 120_000);
