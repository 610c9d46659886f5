/**
 * The public API, pinned: for every entry of package.json `exports`, the runtime names (as
 * `require` gives them from dist/, built by the global setup; `./register` starts tracing when
 * loaded, so it is loaded in a child process) and every name its published types export (runtime
 * and type-only, read from the .d.ts with the compiler). A name added to or removed from an entry,
 * or an entry added to package.json without a row here, fails, so each change of the API is a
 * deliberate one (CHANGELOG.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types?: string; import?: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};

const runtimeNames = (file: string): string[] =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  Object.keys(require(join(DIST, file)) as object).sort();

/** The runtime names of an entry that does something when loaded: read in a child process. */
const runtimeNamesApart = (file: string): string[] =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ['-e', `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(join(DIST, file))}))))`],
      // no reporter: the child loads, starts the SDK, reports nowhere and exits
      { env: { ...process.env, SW_BRIDGE_REPORTER: 'none' }, encoding: 'utf8' },
    ),
  ).sort();

let program: ts.Program | undefined;

/** Every name the .d.ts exports (values and types), sorted. One program reads every entry's types. */
function typeNames(file: string): string[] {
  program ??= ts.createProgram(
    Object.values(ENTRIES).map((e) => join(DIST, `${e.file}.d.ts`)),
    { types: [], skipLibCheck: true, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(join(DIST, file))!)!;
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

const CORE = [
  'Component',
  'ConfigError',
  'componentId',
  'formatTraceContext',
  'startCollector',
  'traceContext',
  'traceIdText',
];
const CORE_TYPES = [
  'BridgeOptions',
  'BridgeOwner',
  'BridgeStats',
  'Collector',
  'CollectorOptions',
  'FrontEndOptions',
  'LegacyFormat',
  'ReporterKind',
  'SkyWalkingLogRecord',
  'SkyWalkingTraceContext',
];
const OPENTRACING = ['SkyWalkingSpan', 'SkyWalkingSpanContext', 'SkyWalkingTracer'];
const OPENTRACING_TYPES = ['SkyWalkingTracerOptions'];
const OPENTELEMETRY = [
  'SkyWalkingLogRecordProcessor',
  'SkyWalkingPropagator',
  'SkyWalkingSampler',
  'SkyWalkingSpanProcessor',
  'SkyWalkingTraceExporter',
];
const OPENTELEMETRY_TYPES = [
  'EndpointNamer',
  'LogRecordLike',
  'ReadableSpanLike',
  'SkyWalkingLogRecordProcessorOptions',
  'SkyWalkingPropagatorOptions',
  'SkyWalkingSamplerOptions',
  'SkyWalkingSpanProcessorOptions',
  'SkyWalkingTraceExporterOptions',
];
const sorted = (...lists: string[][]): string[] => lists.flat().sort();

const SW8 = [
  'LEGACY_HEADERS',
  'SW8_CORRELATION_HEADER',
  'SW8_HEADER',
  'SW8_X_HEADER',
  'decodeCorrelation',
  'decodeSw8',
  'decodeSw8x',
  'encodeCorrelation',
  'encodeSw8',
  'encodeSw8x',
  'extractLegacy',
  'headerNames',
  'injectLegacy',
  'isValidSw8',
];
const SW8_TYPES = [
  'CorrelationLimits',
  'HeaderNames',
  'LegacyContext',
  'LegacyFormat',
  'LegacyInjectContext',
  'Sw8Context',
  'Sw8Extension',
];
const RECORDER = [
  'Bridge',
  'Component',
  'ConfigError',
  'ConsoleReporter',
  'DEFAULT_COLLECTOR',
  'DEFAULT_SERVICE_NAME',
  'GrpcReporter',
  'KafkaReporter',
  'MemoryReporter',
  'NoopReporter',
  'RecordedSpan',
  'Recorder',
  'RefType',
  'Segment',
  'SpanLayer',
  'SpanType',
  'componentId',
  'componentName',
  'createReporter',
  'resolveConfig',
];
const RECORDER_TYPES = [
  'BridgeOptions',
  'BridgeOwner',
  'BridgeStats',
  'FrontEndOptions',
  'GrpcReporterOptions',
  'KafkaConfig',
  'KafkaLogStats',
  'KafkaReporterStats',
  'KeyStringValuePair',
  'LegacyFormat',
  'LogBody',
  'LogContextIds',
  'LogData',
  'LogLevelName',
  'LogObject',
  'LogStats',
  'LogTraceContext',
  'RecorderCounters',
  'Reporter',
  'ReporterKind',
  'ReporterStats',
  'ResolvedConfig',
  'SegmentLimits',
  'SegmentObject',
  'SegmentReference',
  'SegmentSink',
  'SegmentSource',
  'SkyWalkingLogRecord',
  'SpanObject',
  'StartSpanOptions',
];
const COLLECTOR = [
  'RefType',
  'SpanLayer',
  'SpanType',
  'analyze',
  'componentName',
  'renderProblems',
  'renderTopology',
  'renderTrace',
  'startCollector',
];
const COLLECTOR_TYPES = [
  'AgentEvent',
  'Analysis',
  'AnalysisOptions',
  'Collector',
  'CollectorOptions',
  'EndpointRelation',
  'InstanceRecord',
  'InstanceTelemetry',
  'KeyStringValuePair',
  'LogObject',
  'LogPage',
  'LogQuery',
  'MeterValue',
  'Problem',
  'RuntimeSnapshot',
  'SegmentObject',
  'SegmentReference',
  'SlowStatement',
  'SpanObject',
  'StoreStats',
  'StoredLog',
  'Topology',
  'TopologyEdge',
  'TopologyNode',
  'TraceSummary',
  'TraceView',
];

const PINO = [
  'autoInstrumentationsConfig',
  'default',
  'skywalkingDestination',
  'skywalkingMixin',
  'spanBindings',
  'spanSerializers',
  'transportStats',
];
const PINO_TYPES = [
  'PinoRecordOptions',
  'SkyWalkingDestination',
  'SkyWalkingDestinationOptions',
  'SkyWalkingLogFields',
  'SkyWalkingMixinOptions',
  'SkyWalkingPinoTransportOptions',
];
const WINSTON = ['SkyWalkingTransport', 'autoInstrumentationsConfig', 'recordOfWinston', 'skywalkingFormat'];
const WINSTON_TYPES = ['BridgeOwner', 'SkyWalkingFormatOptions', 'SkyWalkingTransportOptions', 'WinstonFormat'];
const REGISTER = ['start'];

/**
 * Each entry of package.json `exports`: its file under dist/, its runtime names, the names of its
 * types beyond those, and for `./register` its ES module file (`import`) and that it is loaded apart.
 */
const ENTRIES: Record<string, { file: string; runtime: string[]; types: string[]; import?: string; apart?: boolean }> =
  {
    '.': {
      file: 'entry/index',
      runtime: sorted(CORE, OPENTRACING, OPENTELEMETRY),
      types: sorted(CORE_TYPES, OPENTRACING_TYPES, OPENTELEMETRY_TYPES),
    },
    './opentracing': {
      file: 'entry/opentracing',
      runtime: sorted(CORE, OPENTRACING),
      types: sorted(CORE_TYPES, OPENTRACING_TYPES),
    },
    './opentelemetry': {
      file: 'entry/opentelemetry',
      runtime: sorted(CORE, OPENTELEMETRY),
      types: sorted(CORE_TYPES, OPENTELEMETRY_TYPES),
    },
    './sw8': { file: 'entry/sw8', runtime: SW8, types: SW8_TYPES },
    './recorder': { file: 'entry/recorder', runtime: RECORDER, types: RECORDER_TYPES },
    './collector': { file: 'entry/collector', runtime: COLLECTOR, types: COLLECTOR_TYPES },
    './pino': { file: 'entry/pino', runtime: PINO, types: PINO_TYPES },
    './winston': { file: 'entry/winston', runtime: WINSTON, types: WINSTON_TYPES },
    './register': {
      file: 'entry/register',
      runtime: REGISTER,
      types: [],
      import: './esm/register.mjs',
      apart: true,
    },
  };

it('the root entry has only the user-facing names', () => {
  expect(runtimeNames('entry/index')).toEqual([
    'Component',
    'ConfigError',
    'SkyWalkingLogRecordProcessor',
    'SkyWalkingPropagator',
    'SkyWalkingSampler',
    'SkyWalkingSpan',
    'SkyWalkingSpanContext',
    'SkyWalkingSpanProcessor',
    'SkyWalkingTraceExporter',
    'SkyWalkingTracer',
    'componentId',
    'formatTraceContext',
    'startCollector',
    'traceContext',
    'traceIdText',
  ]);
});

it.each(Object.entries(ENTRIES))('entry %s: its runtime names and its types, exactly', (_, entry) => {
  expect(entry.apart ? runtimeNamesApart(entry.file) : runtimeNames(entry.file)).toEqual(entry.runtime);
  expect(typeNames(`${entry.file}.d.ts`)).toEqual(sorted(entry.runtime, entry.types));
});

it('the shared core is in the root entry and in both front-end subpaths', () => {
  const core = runtimeNames('entry/core');
  expect(core).toEqual(CORE);
  for (const file of ['entry/index', 'entry/opentracing', 'entry/opentelemetry'])
    expect(runtimeNames(file).filter((n) => core.includes(n))).toEqual(core);
});

it('every entry of package.json "exports" is pinned here, and nothing else', () => {
  expect(Object.keys(PKG.exports).sort()).toEqual([...Object.keys(ENTRIES), './package.json'].sort());
  expect(PKG.exports['./package.json']).toBe('./package.json');
});

it('package.json maps each entry in "exports" and, for moduleResolution node, in "typesVersions"', () => {
  for (const [subpath, entry] of Object.entries(ENTRIES)) {
    expect(PKG.exports[subpath], subpath).toEqual({
      types: `./dist/${entry.file}.d.ts`,
      ...(entry.import === undefined ? {} : { import: entry.import }),
      default: `./dist/${entry.file}.js`,
    });
    if (entry.import !== undefined) expect(existsSync(join(ROOT, entry.import)), entry.import).toBe(true);
    if (subpath !== '.')
      expect(PKG.typesVersions['*']![subpath.slice(2)], subpath).toEqual([`./dist/${entry.file}.d.ts`]);
  }
});
