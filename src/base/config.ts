import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { addressProblem, parseAddresses } from './addresses';
import { ConfigError } from './config-error';
import { type KafkaConfig, type KafkaOptions, resolveKafkaConfig } from './kafka-config';
import { type LineConfig, type LineOptions, resolveLineConfig } from './line-config';
import { log } from './diag';

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

export { ConfigError };
export { addressProblem, parseAddresses };

type Env = Record<string, string | undefined>;

interface Source<T> {
  option: keyof BridgeOptions;
  env: readonly string[];
  value: T | undefined;
  raw: string | undefined;
  from: 'option' | 'env' | 'default';
}

function pick<T>(
  options: BridgeOptions,
  env: Env,
  option: keyof BridgeOptions,
  envNames: readonly string[],
): Source<T> {
  const o = options[option];
  if (o !== undefined && o !== null) return { option, env: envNames, value: o as T, raw: String(o), from: 'option' };
  for (const name of envNames) {
    const e = env[name];
    if (e !== undefined && e.trim() !== '')
      return { option, env: [name], value: undefined, raw: e.trim(), from: 'env' };
  }
  return { option, env: envNames, value: undefined, raw: undefined, from: 'default' };
}

function where<T>(s: Source<T>): string {
  return s.from === 'env' ? `env ${s.env[0]}` : `option \`${String(s.option)}\``;
}

/** A value as the user wrote it, with its type when that is what is wrong: `the string "true"`, `1.5`, `an array [...]`. */
export function describeValue(v: unknown): string {
  const cut = (t: string): string => (t.length > 80 ? `${t.slice(0, 77)}...` : t);
  if (typeof v === 'string') return `the string ${cut(JSON.stringify(v))}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  let json: string;
  try {
    json = JSON.stringify(v) ?? '';
  } catch {
    json = '';
  }
  return `${Array.isArray(v) ? 'an array' : 'an object'}${json ? ` ${cut(json)}` : ''}`;
}

function fail<T>(s: Source<T>, expected: string): never {
  if (s.from === 'env') {
    throw new ConfigError(
      `skywalking-bridge: env ${s.env[0]} is ${JSON.stringify(s.raw)}; expected ${expected}. Fix or unset it.`,
    );
  }
  const envHint = s.env.length > 0 ? ` (or leave it out and set env ${s.env[0]})` : '';
  throw new ConfigError(
    `skywalking-bridge: option \`${String(s.option)}\` is ${describeValue(s.value)}; expected ${expected}${envHint}.`,
  );
}

function str(
  options: BridgeOptions,
  env: Env,
  option: keyof BridgeOptions,
  envNames: readonly string[],
  dflt: string,
  maxLength = 1000,
): [string, boolean] {
  const s = pick<string>(options, env, option, envNames);
  if (s.from === 'default') return [dflt, false];
  const v = s.from === 'option' ? s.value : s.raw;
  if (typeof v !== 'string') fail(s, 'a string');
  const t = v.trim();
  if (t.length > maxLength) fail(s, `a string of at most ${maxLength} characters`);
  return [t, true];
}

function int(
  options: BridgeOptions,
  env: Env,
  option: keyof BridgeOptions,
  envNames: readonly string[],
  dflt: number,
  min: number,
  max: number,
): number {
  const s = pick<number>(options, env, option, envNames);
  if (s.from === 'default') return dflt;
  const v = s.from === 'option' ? s.value : Number(s.raw);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(s, `a whole number from ${min} to ${max}`);
  }
  return v;
}

function bool(
  options: BridgeOptions,
  env: Env,
  option: keyof BridgeOptions,
  envNames: readonly string[],
  dflt: boolean,
): boolean {
  const s = pick<boolean>(options, env, option, envNames);
  if (s.from === 'default') return dflt;
  if (s.from === 'option') {
    if (typeof s.value !== 'boolean') fail(s, 'true or false');
    return s.value;
  }
  const r = s.raw!.toLowerCase();
  if (r === 'true' || r === '1' || r === 'yes') return true;
  if (r === 'false' || r === '0' || r === 'no') return false;
  return fail(s, 'true or false');
}

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

function resolveEvery(options: BridgeOptions, env: Env): ResolvedConfig {
  const [serviceName, serviceNameExplicit] = str(
    options,
    env,
    'serviceName',
    ['SW_AGENT_NAME'],
    DEFAULT_SERVICE_NAME,
    200,
  );
  if (serviceName === '') fail(pick(options, env, 'serviceName', ['SW_AGENT_NAME']), 'a non-empty service name');
  const [instance, serviceInstanceExplicit] = str(
    options,
    env,
    'serviceInstance',
    ['SW_AGENT_INSTANCE_NAME', 'SW_AGENT_INSTANCE'],
    '',
    200,
  );
  const [namespace] = str(options, env, 'namespace', ['SW_AGENT_NAMESPACE'], '', 100);
  if (namespace !== '' && !/^[A-Za-z0-9_.-]+$/.test(namespace)) {
    fail(
      pick(options, env, 'namespace', ['SW_AGENT_NAMESPACE']),
      'letters, digits, `_`, `.` or `-` (it prefixes header names)',
    );
  }

  const addrSource = pick<string>(options, env, 'collectorAddress', ['SW_AGENT_COLLECTOR_BACKEND_SERVICES']);
  let collectorAddresses = [DEFAULT_COLLECTOR];
  if (addrSource.from !== 'default') {
    const raw = addrSource.from === 'option' ? addrSource.value : addrSource.raw;
    if (Array.isArray(raw) && raw.every((a) => typeof a === 'string')) {
      throw new ConfigError(
        `skywalking-bridge: option \`collectorAddress\` is ${describeValue(raw)}; give one string, comma-separated: ${JSON.stringify(raw.join(','))}.`,
      );
    }
    if (typeof raw !== 'string')
      fail(addrSource, 'a string of comma-separated host:port, e.g. "127.0.0.1:11800,oap-2:11800"');
    const problem = addressProblem(raw);
    if (problem)
      throw new ConfigError(`skywalking-bridge: ${where(addrSource)} is ${JSON.stringify(raw)}: ${problem}.`);
    collectorAddresses = parseAddresses(raw)!;
    for (const a of collectorAddresses) {
      if (a.endsWith(':12800')) {
        log(
          'warn',
          'config.port12800',
          `skywalking-bridge: ${where(addrSource)} names ${a}: 12800 is the OAP's HTTP port (queries, UI); agents report over gRPC, on port 11800 by default. Use ${a.slice(0, -5)}11800 unless your OAP's gRPC really listens on 12800.`,
          Number.POSITIVE_INFINITY,
        );
      }
    }
  }

  const [authentication] = str(options, env, 'authentication', ['SW_AGENT_AUTHENTICATION'], '', 4096);
  const [caPath] = str(options, env, 'caPath', ['SW_AGENT_SSL_TRUSTED_CA_PATH'], '', 4096);
  const [certChainPath] = str(options, env, 'certChainPath', ['SW_AGENT_SSL_CERT_CHAIN_PATH'], '', 4096);
  const [keyPath] = str(options, env, 'keyPath', ['SW_AGENT_SSL_KEY_PATH'], '', 4096);
  if ((certChainPath === '') !== (keyPath === '')) {
    throw new ConfigError(
      'skywalking-bridge: mutual TLS needs both `certChainPath` (SW_AGENT_SSL_CERT_CHAIN_PATH) and `keyPath` (SW_AGENT_SSL_KEY_PATH); set both or neither.',
    );
  }
  const secure =
    bool(options, env, 'secure', ['SW_AGENT_FORCE_TLS', 'SW_AGENT_SECURE'], false) ||
    caPath !== '' ||
    certChainPath !== '';

  const legacySource = pick<LegacyFormat[]>(options, env, 'legacyInject', ['SW_BRIDGE_LEGACY_INJECT']);
  let legacyInject: LegacyFormat[] = [];
  if (legacySource.from !== 'default') {
    const list =
      legacySource.from === 'option'
        ? legacySource.value
        : legacySource
            .raw!.split(',')
            .map((x) => x.trim())
            .filter(Boolean);
    if (!Array.isArray(list) || !list.every((x) => LEGACY.includes(x as LegacyFormat))) {
      fail(legacySource, `a list of ${LEGACY.map((x) => `'${x}'`).join(', ')}`);
    }
    legacyInject = [...new Set(list as LegacyFormat[])];
  }

  const reporterSource = pick<string>(options, env, 'reporter', ['SW_BRIDGE_REPORTER']);
  let reporter: ReporterKind = 'grpc';
  if (reporterSource.from !== 'default') {
    const r = reporterSource.from === 'option' ? reporterSource.value : reporterSource.raw;
    if (!REPORTERS.includes(r as ReporterKind))
      fail(reporterSource, `one of ${REPORTERS.map((x) => `'${x}'`).join(', ')}`);
    reporter = r as ReporterKind;
  }

  const logLevelSource = pick<string>(options, env, 'logLevel', ['SW_AGENT_LOG_REPORTER_LEVEL']);
  let logLevel: LogLevelName = 'info';
  if (logLevelSource.from !== 'default') {
    const raw = logLevelSource.from === 'option' ? logLevelSource.value : logLevelSource.raw;
    const key = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    const l = Object.hasOwn(LOG_LEVEL_ALIASES, key) ? LOG_LEVEL_ALIASES[key] : undefined;
    if (!l) fail(logLevelSource, "one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal' (or WARNING, CRITICAL)");
    logLevel = l;
  }
  const [traceIdHeader] = str(options, env, 'traceIdHeader', ['SW_BRIDGE_TRACE_ID_HEADER'], '', 100);
  if (traceIdHeader !== '' && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(traceIdHeader)) {
    fail(
      pick(options, env, 'traceIdHeader', ['SW_BRIDGE_TRACE_ID_HEADER']),
      'an HTTP header name such as "x-trace-id"',
    );
  }

  const props = options.instanceProperties ?? {};
  if (typeof props !== 'object' || Array.isArray(props) || !Object.values(props).every((v) => typeof v === 'string')) {
    throw new ConfigError('skywalking-bridge: option `instanceProperties` must be an object of string values.');
  }

  return {
    serviceName,
    serviceInstance: instance === '' ? defaultInstanceName() : instance,
    namespace,
    collectorAddresses,
    authentication,
    secure,
    caPath,
    certChainPath,
    keyPath,
    maxBufferSize: int(options, env, 'maxBufferSize', ['SW_AGENT_MAX_BUFFER_SIZE'], 10_000, 1, 1_000_000),
    batchSize: int(options, env, 'batchSize', ['SW_BRIDGE_BATCH_SIZE'], 500, 1, 100_000),
    flushIntervalMs: int(options, env, 'flushIntervalMs', ['SW_BRIDGE_FLUSH_INTERVAL'], 1000, 10, 600_000),
    reportTimeoutMs: int(options, env, 'reportTimeoutMs', ['SW_AGENT_TRACE_TIMEOUT'], 10_000, 100, 600_000),
    heartbeatPeriod: int(options, env, 'heartbeatPeriod', ['SW_AGENT_COLLECTOR_HEARTBEAT_PERIOD'], 30, 1, 86_400),
    propertiesReportPeriodFactor: int(
      options,
      env,
      'propertiesReportPeriodFactor',
      ['SW_AGENT_COLLECTOR_PROPERTIES_REPORT_PERIOD_FACTOR'],
      10,
      1,
      10_000,
    ),
    instanceProperties: { ...props },
    spanLimit: int(options, env, 'spanLimit', ['SW_AGENT_SPAN_LIMIT'], 300, 1, 100_000),
    maxOpenSegments: int(options, env, 'maxOpenSegments', ['SW_BRIDGE_MAX_OPEN_SEGMENTS'], 10_000, 1, 10_000_000),
    segmentTimeoutMs: int(options, env, 'segmentTimeoutMs', ['SW_BRIDGE_SEGMENT_TIMEOUT'], 300_000, 100, 86_400_000),
    tagKeyMaxLength: int(options, env, 'tagKeyMaxLength', ['SW_BRIDGE_TAG_KEY_MAX_LENGTH'], 128, 1, 10_000),
    tagValueMaxLength: int(options, env, 'tagValueMaxLength', ['SW_BRIDGE_TAG_VALUE_MAX_LENGTH'], 2048, 1, 1_000_000),
    tagsPerSpan: int(options, env, 'tagsPerSpan', ['SW_BRIDGE_TAGS_PER_SPAN'], 128, 0, 10_000),
    logsPerSpan: int(options, env, 'logsPerSpan', ['SW_BRIDGE_LOGS_PER_SPAN'], 32, 0, 10_000),
    correlationMaxElements: int(
      options,
      env,
      'correlationMaxElements',
      ['SW_CORRELATION_ELEMENT_MAX_NUMBER'],
      3,
      0,
      100,
    ),
    correlationMaxValueLength: int(
      options,
      env,
      'correlationMaxValueLength',
      ['SW_CORRELATION_VALUE_MAX_LENGTH'],
      128,
      1,
      10_000,
    ),
    legacyExtract: bool(options, env, 'legacyExtract', ['SW_BRIDGE_LEGACY_EXTRACT'], true),
    legacyInject,
    reporter,
    logReporterActive: bool(options, env, 'logReporterActive', ['SW_AGENT_LOG_REPORTER_ACTIVE'], true),
    logLevel,
    logMaxBufferSize: int(
      options,
      env,
      'logMaxBufferSize',
      ['SW_AGENT_LOG_REPORTER_MAX_BUFFER_SIZE'],
      10_000,
      1,
      1_000_000,
    ),
    logBufferBytes: int(
      options,
      env,
      'logBufferBytes',
      ['SW_BRIDGE_LOG_BUFFER_BYTES'],
      8 * 1024 * 1024,
      65_536,
      1 << 30,
    ),
    logBodyMaxLength: int(options, env, 'logBodyMaxLength', ['SW_BRIDGE_LOG_BODY_MAX_LENGTH'], 16_384, 16, 4_000_000),
    traceIdHeader: traceIdHeader.toLowerCase(),
    kafka: reporter === 'kafka' ? resolveKafkaConfig(options, env, serviceName) : undefined,
    line: reporter === 'line' ? resolveLineConfig(options, env) : undefined,
    serviceNameExplicit,
    serviceInstanceExplicit,
  };
}
