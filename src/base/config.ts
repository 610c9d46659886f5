import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { addressProblem, parseAddresses } from './addresses';
import { ConfigError } from './config-error';
import { type KafkaConfig, type KafkaOptions, resolveKafkaConfig } from './kafka-config';
import { type LineConfig, type LineOptions, resolveLineConfig } from './line-config';
import { log } from './diag';
import { checkLimits } from './limits';
import {
  type Env,
  type Given,
  type Parse,
  describeValue,
  fail,
  flag,
  givenValue,
  oneOf,
  pick,
  someOf,
  stringList,
  text,
  where,
  whole,
} from './config-values';

/** Options shared by every front-end (tracer, span processor, exporter, propagator). */
export interface BridgeOptions extends KafkaOptions, LineOptions {
  /** Service name (SkyWalking `service`). Env `SW_AGENT_NAME`. */
  serviceName?: string;
  /** Instance name. Env `SW_AGENT_INSTANCE_NAME` (or `SW_AGENT_INSTANCE`). Default `<uuid>@<hostname>`. */
  serviceInstance?: string;
  /** Namespace: prefixes the propagation header names (`<ns>-sw8`), as the Java agent does. Env `SW_AGENT_NAMESPACE`. */
  namespace?: string;
  /** Comma-separated `host:port` list of OAP gRPC addresses, tried in order. Env `SW_AGENT_COLLECTOR_BACKEND_SERVICES`. */
  collectorAddress?: string;
  /** Token sent as gRPC metadata `Authentication`. Env `SW_AGENT_AUTHENTICATION`. */
  authentication?: string;
  /** Use TLS to the collector. Env `SW_AGENT_FORCE_TLS` (or `SW_AGENT_SECURE`). */
  secure?: boolean;
  /** PEM file of trusted CAs; implies TLS. Env `SW_AGENT_SSL_TRUSTED_CA_PATH`. */
  caPath?: string;
  /** PEM client certificate chain for mutual TLS. Env `SW_AGENT_SSL_CERT_CHAIN_PATH`. */
  certChainPath?: string;
  /** PEM client private key for mutual TLS. Env `SW_AGENT_SSL_KEY_PATH`. */
  keyPath?: string;
  /** Segments held while the collector is slow or away; past it the oldest is dropped and counted. Env `SW_AGENT_MAX_BUFFER_SIZE`. */
  maxBufferSize?: number;
  /** Segments sent per stream. Env `SW_BRIDGE_BATCH_SIZE`. */
  batchSize?: number;
  /** How often queued segments are sent, ms. Env `SW_BRIDGE_FLUSH_INTERVAL`. */
  flushIntervalMs?: number;
  /** Deadline of each gRPC call, ms. Env `SW_AGENT_TRACE_TIMEOUT`. */
  reportTimeoutMs?: number;
  /** Seconds between keepAlive pings. Env `SW_AGENT_COLLECTOR_HEARTBEAT_PERIOD`. */
  heartbeatPeriod?: number;
  /** Instance properties are re-sent every this many heartbeats. Env `SW_AGENT_COLLECTOR_PROPERTIES_REPORT_PERIOD_FACTOR`. */
  propertiesReportPeriodFactor?: number;
  /** Extra instance properties reported with the heartbeat. */
  instanceProperties?: Record<string, string>;
  /** Spans per segment; later spans are dropped and the segment marked `isSizeLimited`. Env `SW_AGENT_SPAN_LIMIT`. */
  spanLimit?: number;
  /** Segments open at once; past it new local traces are not recorded (counted). Env `SW_BRIDGE_MAX_OPEN_SEGMENTS`. */
  maxOpenSegments?: number;
  /** A segment with spans still open after this many ms is closed and reported, those spans marked forced. Env `SW_BRIDGE_SEGMENT_TIMEOUT`. */
  segmentTimeoutMs?: number;
  /** Longest tag key kept, characters. Env `SW_BRIDGE_TAG_KEY_MAX_LENGTH`. */
  tagKeyMaxLength?: number;
  /** Longest tag or log value kept, characters; longer ones are cut. Env `SW_BRIDGE_TAG_VALUE_MAX_LENGTH`. */
  tagValueMaxLength?: number;
  /** Tags kept per span. Env `SW_BRIDGE_TAGS_PER_SPAN`. */
  tagsPerSpan?: number;
  /** Logs kept per span. Env `SW_BRIDGE_LOGS_PER_SPAN`. */
  logsPerSpan?: number;
  /** Baggage keys carried in `sw8-correlation`. Env `SW_CORRELATION_ELEMENT_MAX_NUMBER`. */
  correlationMaxElements?: number;
  /** Longest baggage value carried, characters. Env `SW_CORRELATION_VALUE_MAX_LENGTH`. */
  correlationMaxValueLength?: number;
  /** Read `uber-trace-id`, `b3`, `X-B3-*` and `traceparent` when no sw8 is present. Env `SW_BRIDGE_LEGACY_EXTRACT`. */
  legacyExtract?: boolean;
  /** Also write these legacy headers beside sw8 during a migration. Env `SW_BRIDGE_LEGACY_INJECT` (comma-separated). */
  legacyInject?: LegacyFormat[];
  /** Where segments go: `grpc` (default), `console` (one JSON line per segment on stdout), `none`, `kafka` (through Kafka to the OAP's kafka-fetcher), or `line` (marked lines in the OAP's JSON on stdout or a file, for `skywalking-bridge forward` or a log shipper). Env `SW_BRIDGE_REPORTER`. */
  reporter?: ReporterKind;
  /** Report log records (`reportLog`, the pino/winston transports, the OTel Logs processor). Env `SW_AGENT_LOG_REPORTER_ACTIVE`. */
  logReporterActive?: boolean;
  /** Least severe level reported: trace, debug, info, warn, error or fatal. Env `SW_AGENT_LOG_REPORTER_LEVEL`. */
  logLevel?: string;
  /** Log records held while the collector is slow or away; past it the oldest is dropped and counted. Env `SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE`. */
  logMaxBufferSize?: number;
  /** Characters of pino log lines held between the application thread and the log worker (`skywalking-bridge/pino`); past it a line is dropped and counted. Env `SW_BRIDGE_LOG_BUFFER_BYTES`. */
  logBufferBytes?: number;
  /** Longest log body kept, characters; a longer one is cut (a cut JSON body is sent as text). Env `SW_BRIDGE_LOG_BODY_MAX_LENGTH`. */
  logBodyMaxLength?: number;
  /** The application's own trace-id header (e.g. `x-trace-id`): read when no sw8 came in, written beside sw8. Env `SW_BRIDGE_TRACE_ID_HEADER`. */
  traceIdHeader?: string;
  /** Traces started here per 3 seconds, as the agents' `agent.sample_n_per_3_secs`; 0 or less records every trace. Env `SW_AGENT_SAMPLE`. Live from the OAP. */
  sampleNPer3Secs?: number;
  /** A segment whose first span's operation name ends in one of these suffixes (`.jpg,.css`) is not recorded. Env `SW_AGENT_IGNORE_SUFFIX`. Live from the OAP. */
  ignoreSuffix?: string | string[];
  /** A new trace whose first span's operation name matches one of these patterns (`/health/**`, `/static/*`, `/v?/ping`) is not recorded. Env `SW_AGENT_TRACE_IGNORE_PATH`. Live from the OAP. */
  traceIgnorePath?: string | string[];
  /** Seconds between asks for the service's configuration from the OAP (Configuration Discovery Service); 0 never asks. Env `SW_AGENT_COLLECTOR_GET_AGENT_DYNAMIC_CONFIG_INTERVAL`. */
  dynamicConfigInterval?: number;
}

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export type LegacyFormat = 'jaeger' | 'b3' | 'b3multi' | 'w3c';
export type ReporterKind = 'grpc' | 'console' | 'none' | 'kafka' | 'line';

/** Every option resolved: option > env > default. */
export interface ResolvedConfig {
  serviceName: string;
  serviceInstance: string;
  namespace: string;
  collectorAddresses: string[];
  authentication: string;
  secure: boolean;
  caPath: string;
  certChainPath: string;
  keyPath: string;
  maxBufferSize: number;
  batchSize: number;
  flushIntervalMs: number;
  reportTimeoutMs: number;
  heartbeatPeriod: number;
  propertiesReportPeriodFactor: number;
  instanceProperties: Record<string, string>;
  spanLimit: number;
  maxOpenSegments: number;
  segmentTimeoutMs: number;
  tagKeyMaxLength: number;
  tagValueMaxLength: number;
  tagsPerSpan: number;
  logsPerSpan: number;
  correlationMaxElements: number;
  correlationMaxValueLength: number;
  legacyExtract: boolean;
  legacyInject: LegacyFormat[];
  reporter: ReporterKind;
  logReporterActive: boolean;
  logLevel: LogLevelName;
  logMaxBufferSize: number;
  logBufferBytes: number;
  logBodyMaxLength: number;
  /** Lowercase header name, or '' when not set. */
  traceIdHeader: string;
  /** Traces started here per 3 s; 0 or less: all. */
  sampleNPer3Secs: number;
  /** Suffixes (with their dot) of first-span operation names not recorded. */
  ignoreSuffix: string[];
  /** Path patterns (`*`, `**`, `?`) of first-span operation names not recorded. */
  traceIgnorePath: string[];
  /** Seconds between configuration fetches; 0: never. */
  dynamicConfigInterval: number;
  /** The Kafka reporter's settings (only when `reporter` is `kafka`). */
  kafka?: KafkaConfig;
  /** The line reporter's settings (only when `reporter` is `line`). */
  line?: LineConfig;
  /** Whether `serviceName` came from an option or env rather than the default. */
  serviceNameExplicit: boolean;
  /** Whether `serviceInstance` came from an option or env rather than the default. */
  serviceInstanceExplicit: boolean;
}

export const DEFAULT_SERVICE_NAME = 'your-nodejs-service';
export const DEFAULT_COLLECTOR = '127.0.0.1:11800';

export { ConfigError, describeValue };
export { addressProblem, parseAddresses };

/** The agents' default `agent.ignore_suffix`. */
export const DEFAULT_IGNORE_SUFFIX = '.jpg,.jpeg,.js,.css,.png,.bmp,.gif,.ico,.mp3,.mp4,.html,.svg';

const LEGACY: readonly LegacyFormat[] = ['jaeger', 'b3', 'b3multi', 'w3c'];
const LOG_LEVEL_ALIASES: Record<string, LogLevelName | undefined> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
};
const REPORTERS: readonly ReporterKind[] = ['grpc', 'console', 'none', 'kafka', 'line'];

/** The default instance name, as the Java agent makes it: `<uuid without dashes>@<hostname>`. */
export function defaultInstanceName(): string {
  let host = 'localhost';
  try {
    host = hostname() || host;
  } catch {
    // keep the fallback
  }
  return `${randomUUID().replace(/-/g, '')}@${host}`;
}

/** Edit distance (case-insensitive), for "did you mean". */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Resolve options once: option > `SW_*` env > default. Throws `ConfigError` naming the option,
 * the value and the accepted form when something is invalid. An option nobody reads (a typo such
 * as `servicename`) is warned about once per process, with the closest known name.
 */
export function resolveConfig(options: BridgeOptions = {}, env: Env = process.env): ResolvedConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(
      `skywalking-bridge: the options argument is ${describeValue(options)}; pass an object such as { serviceName: 'orders' }, or nothing at all.`,
    );
  }
  // every option read while resolving is a known one; what was given and never read is not
  const read = new Set<string>();
  const tracked = new Proxy(options, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  const resolved = resolveEvery(tracked, env);
  checkLimits(resolved);
  for (const key of Object.keys(options)) {
    if (read.has(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const near = closestName(key, read);
    log(
      'warn',
      `config.unknown.${key}`,
      `skywalking-bridge: unknown option \`${key}\` is ignored; ${near ? `did you mean \`${near}\`?` : 'see the configuration table in the README for the option names.'}`,
      Number.POSITIVE_INFINITY,
    );
  }
  return resolved;
}

/** One row of the configuration table: the option's name, its env names (first wins), default and parser. */
export interface OptionRow<T> {
  /** The option's name in `BridgeOptions`. */
  name: keyof BridgeOptions;
  env: readonly string[];
  /** The value when neither option nor env is given (arrays and objects are copied). */
  default: T;
  /** Reads what was given; throws `ConfigError` naming the option, the value and the accepted form. */
  parse: Parse<T>;
}

/** The resolved fields the table gives; the rest are derived from them. */
type TableKey = Exclude<keyof ResolvedConfig, 'kafka' | 'line' | 'serviceNameExplicit' | 'serviceInstanceExplicit'>;

const nonEmpty =
  (p: Parse<string>): Parse<string> =>
  (g) => {
    const v = p(g);
    if (v === '') fail(g, 'a non-empty service name');
    return v;
  };

const addresses: Parse<string[]> = (g) => {
  const raw = givenValue(g);
  if (Array.isArray(raw) && raw.every((a) => typeof a === 'string')) {
    throw new ConfigError(
      `skywalking-bridge: option \`collectorAddress\` is ${describeValue(raw)}; give one string, comma-separated: ${JSON.stringify(raw.join(','))}.`,
    );
  }
  if (typeof raw !== 'string') fail(g, 'a string of comma-separated host:port, e.g. "127.0.0.1:11800,oap-2:11800"');
  const problem = addressProblem(raw);
  if (problem) throw new ConfigError(`skywalking-bridge: ${where(g)} is ${JSON.stringify(raw)}: ${problem}.`);
  const list = parseAddresses(raw)!;
  for (const a of list) {
    if (a.endsWith(':12800')) {
      log(
        'warn',
        'config.port12800',
        `skywalking-bridge: ${where(g)} names ${a}: 12800 is the OAP's HTTP port (queries, UI); agents report over gRPC, on port 11800 by default. Use ${a.slice(0, -5)}11800 unless your OAP's gRPC really listens on 12800.`,
        Number.POSITIVE_INFINITY,
      );
    }
  }
  return list;
};

const logLevelName: Parse<LogLevelName> = (g) => {
  const raw = givenValue(g);
  const key = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const l = Object.hasOwn(LOG_LEVEL_ALIASES, key) ? LOG_LEVEL_ALIASES[key] : undefined;
  if (!l) fail(g, "one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal' (or WARNING, CRITICAL)");
  return l;
};

const stringRecord: Parse<Record<string, string>> = (g) => {
  const props = g.value;
  if (typeof props !== 'object' || Array.isArray(props) || !Object.values(props!).every((v) => typeof v === 'string')) {
    throw new ConfigError('skywalking-bridge: option `instanceProperties` must be an object of string values.');
  }
  return { ...(props as Record<string, string>) };
};

/** A suffix list: `.jpg,.css` (each kept with its leading dot). */
export const suffixList: Parse<string[]> = stringList(100, 100);
/** A list of ignore-path patterns. */
export const pathPatternList: Parse<string[]> = stringList(100, 1000);

const row = <T>(name: keyof BridgeOptions, env: readonly string[], dflt: T, parse: Parse<T>): OptionRow<T> => ({
  name,
  env,
  default: dflt,
  parse,
});

/**
 * Every option, in the order it is resolved (and so the order its errors are reported): option >
 * `SW_*` env > default. The README's configuration table lists the same rows.
 */
export const OPTION_TABLE: { readonly [K in TableKey]: OptionRow<ResolvedConfig[K]> } = {
  serviceName: row('serviceName', ['SW_AGENT_NAME'], DEFAULT_SERVICE_NAME, nonEmpty(text(200))),
  serviceInstance: row('serviceInstance', ['SW_AGENT_INSTANCE_NAME', 'SW_AGENT_INSTANCE'], '', text(200)),
  namespace: row(
    'namespace',
    ['SW_AGENT_NAMESPACE'],
    '',
    text(100, {
      test: (t) => /^[A-Za-z0-9_.-]+$/.test(t),
      expected: 'letters, digits, `_`, `.` or `-` (it prefixes header names)',
    }),
  ),
  collectorAddresses: row('collectorAddress', ['SW_AGENT_COLLECTOR_BACKEND_SERVICES'], [DEFAULT_COLLECTOR], addresses),
  authentication: row('authentication', ['SW_AGENT_AUTHENTICATION'], '', text(4096)),
  caPath: row('caPath', ['SW_AGENT_SSL_TRUSTED_CA_PATH'], '', text(4096)),
  certChainPath: row('certChainPath', ['SW_AGENT_SSL_CERT_CHAIN_PATH'], '', text(4096)),
  keyPath: row('keyPath', ['SW_AGENT_SSL_KEY_PATH'], '', text(4096)),
  secure: row('secure', ['SW_AGENT_FORCE_TLS', 'SW_AGENT_SECURE'], false, flag),
  legacyInject: row('legacyInject', ['SW_BRIDGE_LEGACY_INJECT'], [], someOf(LEGACY)),
  reporter: row('reporter', ['SW_BRIDGE_REPORTER'], 'grpc', oneOf(REPORTERS)),
  logLevel: row('logLevel', ['SW_AGENT_LOG_REPORTER_LEVEL'], 'info', logLevelName),
  traceIdHeader: row('traceIdHeader', ['SW_BRIDGE_TRACE_ID_HEADER'], '', (g) =>
    text(100, {
      test: (t) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(t),
      expected: 'an HTTP header name such as "x-trace-id"',
    })(g).toLowerCase(),
  ),
  instanceProperties: row('instanceProperties', [], {}, stringRecord),
  maxBufferSize: row('maxBufferSize', ['SW_AGENT_MAX_BUFFER_SIZE'], 10_000, whole(1, 1_000_000)),
  batchSize: row('batchSize', ['SW_BRIDGE_BATCH_SIZE'], 500, whole(1, 100_000)),
  flushIntervalMs: row('flushIntervalMs', ['SW_BRIDGE_FLUSH_INTERVAL'], 1000, whole(10, 600_000)),
  reportTimeoutMs: row('reportTimeoutMs', ['SW_AGENT_TRACE_TIMEOUT'], 10_000, whole(100, 600_000)),
  heartbeatPeriod: row('heartbeatPeriod', ['SW_AGENT_COLLECTOR_HEARTBEAT_PERIOD'], 30, whole(1, 86_400)),
  propertiesReportPeriodFactor: row(
    'propertiesReportPeriodFactor',
    ['SW_AGENT_COLLECTOR_PROPERTIES_REPORT_PERIOD_FACTOR'],
    10,
    whole(1, 10_000),
  ),
  spanLimit: row('spanLimit', ['SW_AGENT_SPAN_LIMIT'], 300, whole(1, 100_000)),
  maxOpenSegments: row('maxOpenSegments', ['SW_BRIDGE_MAX_OPEN_SEGMENTS'], 10_000, whole(1, 10_000_000)),
  segmentTimeoutMs: row('segmentTimeoutMs', ['SW_BRIDGE_SEGMENT_TIMEOUT'], 300_000, whole(100, 86_400_000)),
  tagKeyMaxLength: row('tagKeyMaxLength', ['SW_BRIDGE_TAG_KEY_MAX_LENGTH'], 128, whole(1, 10_000)),
  tagValueMaxLength: row('tagValueMaxLength', ['SW_BRIDGE_TAG_VALUE_MAX_LENGTH'], 2048, whole(1, 1_000_000)),
  tagsPerSpan: row('tagsPerSpan', ['SW_BRIDGE_TAGS_PER_SPAN'], 128, whole(0, 10_000)),
  logsPerSpan: row('logsPerSpan', ['SW_BRIDGE_LOGS_PER_SPAN'], 32, whole(0, 10_000)),
  correlationMaxElements: row('correlationMaxElements', ['SW_CORRELATION_ELEMENT_MAX_NUMBER'], 3, whole(0, 100)),
  correlationMaxValueLength: row(
    'correlationMaxValueLength',
    ['SW_CORRELATION_VALUE_MAX_LENGTH'],
    128,
    whole(1, 10_000),
  ),
  legacyExtract: row('legacyExtract', ['SW_BRIDGE_LEGACY_EXTRACT'], true, flag),
  logReporterActive: row('logReporterActive', ['SW_AGENT_LOG_REPORTER_ACTIVE'], true, flag),
  logMaxBufferSize: row('logMaxBufferSize', ['SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE'], 10_000, whole(1, 1_000_000)),
  logBufferBytes: row('logBufferBytes', ['SW_BRIDGE_LOG_BUFFER_BYTES'], 8 * 1024 * 1024, whole(65_536, 1 << 30)),
  logBodyMaxLength: row('logBodyMaxLength', ['SW_BRIDGE_LOG_BODY_MAX_LENGTH'], 16_384, whole(16, 4_000_000)),
  sampleNPer3Secs: row('sampleNPer3Secs', ['SW_AGENT_SAMPLE'], -1, whole(-1, 100_000_000)),
  ignoreSuffix: row('ignoreSuffix', ['SW_AGENT_IGNORE_SUFFIX'], DEFAULT_IGNORE_SUFFIX.split(','), suffixList),
  traceIgnorePath: row('traceIgnorePath', ['SW_AGENT_TRACE_IGNORE_PATH'], [], pathPatternList),
  dynamicConfigInterval: row(
    'dynamicConfigInterval',
    ['SW_AGENT_COLLECTOR_GET_AGENT_DYNAMIC_CONFIG_INTERVAL'],
    20,
    whole(0, 86_400),
  ),
};

function copy<T>(v: T): T {
  if (Array.isArray(v)) return [...v] as T;
  if (v !== null && typeof v === 'object') return { ...v };
  return v;
}

/** One row resolved: its value and whether the user gave it. */
function resolveRow<T>(r: OptionRow<T>, options: BridgeOptions, env: Env): [T, boolean] {
  const g: Given = pick(options, env, r.name, r.env);
  return g.from === 'default' ? [copy(r.default), false] : [r.parse(g), true];
}

function resolveEvery(options: BridgeOptions, env: Env): ResolvedConfig {
  const values = {} as Record<TableKey, unknown>;
  const explicit = {} as Record<TableKey, boolean>;
  for (const key of Object.keys(OPTION_TABLE) as TableKey[]) {
    [values[key], explicit[key]] = resolveRow(OPTION_TABLE[key] as OptionRow<unknown>, options, env);
  }
  const v = values as Omit<ResolvedConfig, 'kafka' | 'line' | 'serviceNameExplicit' | 'serviceInstanceExplicit'>;
  if ((v.certChainPath === '') !== (v.keyPath === '')) {
    throw new ConfigError(
      'skywalking-bridge: mutual TLS needs both `certChainPath` (SW_AGENT_SSL_CERT_CHAIN_PATH) and `keyPath` (SW_AGENT_SSL_KEY_PATH); set both or neither.',
    );
  }
  return {
    ...v,
    serviceInstance: v.serviceInstance === '' ? defaultInstanceName() : v.serviceInstance,
    secure: v.secure || v.caPath !== '' || v.certChainPath !== '',
    kafka: v.reporter === 'kafka' ? resolveKafkaConfig(options, env, v.serviceName) : undefined,
    line: v.reporter === 'line' ? resolveLineConfig(options, env) : undefined,
    serviceNameExplicit: explicit.serviceName,
    serviceInstanceExplicit: explicit.serviceInstance,
  };
}
