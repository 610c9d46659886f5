import type { ResolvedConfig } from '../base/config';
import type { KeyStringValuePair } from '../base/model';
import type { LogData, LogTraceContext } from '../protocol/log-encoder';
import { safeString } from '../segment/values';
import { LEVEL_RANK, pinoLevelName, rankOf } from './levels';
import { type SkyWalkingTraceContext, contextOfRecorded, recordedSpanOf } from './trace-context';

/** The ids of a record read elsewhere (in the app thread, for a pino worker): a trace context and the segment's endpoint. */
export interface LogContextIds extends Partial<SkyWalkingTraceContext> {
  traceId: string;
  endpoint?: string;
}

/** A log record to report (`reportLog`). Every field is optional but `body`; nothing here is ever thrown on. */
export interface SkyWalkingLogRecord {
  /** A string is a text body; anything else is sent as JSON (bounded; circular parts and throwing getters are marked). */
  body: unknown;
  /** Level name (pino, winston, syslog, OTel or Python names) or pino number. Default `info`. Sent as tag `level`. */
  level?: string | number;
  /** Logger name, sent as tag `logger`. */
  logger?: string;
  /** Epoch ms; now by default. */
  timestamp?: number;
  /** An error logged with the record: tags `error.kind`, `error.message`, `error.stack`. */
  error?: unknown;
  /** Extra tags (values stringified and bounded). */
  tags?: Record<string, unknown>;
  /** The span it was written in: an OpenTracing span or context, an OTel span or Context. Default: the active OTel context. */
  span?: unknown;
  /** The ids already read (e.g. carried in a serialized record); `null`: outside any trace. Wins over `span`. */
  context?: LogContextIds | null;
  /** The endpoint; default the segment's endpoint. */
  endpoint?: string;
}

/** A record as the log workers hand it on (not exported by any entry): the user's fields and how the body was read. */
export interface LogRecordInput extends SkyWalkingLogRecord {
  /**
   * The body is plain data parsed from JSON (a pino line in the transport's worker): no cycles, no
   * getters, so the native `JSON.stringify` writes it (several times faster than the bounded writer).
   */
  plainBody?: boolean;
  /** The body as JSON text already (a pino line's own fields, as written): sent as is, cut to text past the bound. Wins over `body`. */
  bodyJson?: string;
}

/** What a record is built with besides the record: the bounds and the identity used outside a trace. */
export interface LogDefaults {
  config: ResolvedConfig;
  service: string;
  serviceInstance: string;
}

/** Whether a record of `level` passes the configured minimum. */
export function levelPasses(config: ResolvedConfig, level: unknown): boolean {
  return rankOf(level ?? 'info') >= LEVEL_RANK[config.logLevel];
}

function pushTag(tags: KeyStringValuePair[], config: ResolvedConfig, key: string, value: unknown): void {
  if (tags.length >= config.tagsPerSpan) return;
  tags.push({ key: safeString(key, config.tagKeyMaxLength), value: safeString(value, config.tagValueMaxLength) });
}

function read<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Error tags, as the OpenTracing error log fields: `error.kind`, `error.message`, `error.stack`. */
export function pushErrorTags(tags: KeyStringValuePair[], config: ResolvedConfig, error: unknown): void {
  if (error === null || error === undefined) return;
  if (typeof error !== 'object') {
    pushTag(tags, config, 'error.message', error);
    return;
  }
  const e = error as {
    name?: unknown;
    constructor?: { name?: unknown };
    message?: unknown;
    stack?: unknown;
    type?: unknown;
  };
  const kind = read(
    () =>
      typeof e.name === 'string' && e.name !== 'Error'
        ? e.name
        : typeof e.type === 'string'
          ? e.type
          : (e.constructor?.name ?? e.name),
    undefined,
  );
  pushTag(tags, config, 'error.kind', typeof kind === 'string' && kind !== '' ? kind : 'Error');
  const message = read(() => e.message, undefined);
  if (message !== undefined) pushTag(tags, config, 'error.message', message);
  const stack = read(() => e.stack, undefined);
  if (typeof stack === 'string') pushTag(tags, config, 'error.stack', stack);
}

/** A body: text as is (cut), anything else as bounded JSON; a JSON body over the bound is sent as cut text. */
export function bodyOf(value: unknown, max: number, plain = false): LogData['body'] {
  if (typeof value === 'string') return { text: { text: value.length > max ? value.slice(0, max) : value } };
  if (plain && value !== null && typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      if (json.length <= max) return { json: { json } };
    } catch {
      // not plain after all: the bounded writer below
    }
  }
  const json = safeString(value, max + 1);
  if (json.length > max) return { text: { text: json.slice(0, max) } };
  return isJsonShaped(value) ? { json: { json } } : { text: { text: json } };
}

/** Whether `safeString` writes `value` as JSON (objects and arrays), not as text (Error, Date, bytes, primitives). */
function isJsonShaped(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !(value instanceof Error || value instanceof Date || value instanceof Uint8Array);
  } catch {
    return false; // a Proxy that throws even here: safeString wrote a marker
  }
}

/** A record's tags: `level` (default `info`), `logger`, the error's, then its own; bounded like span tags. */
export function recordTags(
  config: ResolvedConfig,
  level: unknown,
  logger: unknown,
  error: unknown,
  extra: unknown,
): KeyStringValuePair[] {
  const tags: KeyStringValuePair[] = [];
  pushTag(
    tags,
    config,
    'level',
    level === undefined ? 'info' : typeof level === 'number' ? pinoLevelName(level) : level,
  );
  if (logger !== undefined && logger !== '') pushTag(tags, config, 'logger', logger);
  pushErrorTags(tags, config, error);
  if (extra !== null && typeof extra === 'object') {
    const own = extra as Record<string, unknown>;
    const keys = read(() => Object.keys(own), [] as string[]);
    for (let i = 0; i < keys.length && tags.length < config.tagsPerSpan; i++) {
      const k = keys[i]!;
      pushTag(
        tags,
        config,
        k,
        read(() => own[k], '[Throws]' as unknown),
      );
    }
  }
  return tags;
}

/** A record's epoch ms: its own when it is a positive number (whole ms), else now. */
export function logTimestamp(t: unknown): number {
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? Math.trunc(t) : Date.now();
}

/** An endpoint as a record carries it: at most 1,000 characters. */
export function boundedEndpoint(endpoint: string): string {
  return endpoint.length > 1000 ? endpoint.slice(0, 1000) : endpoint;
}

/** What ids given with a record name: its trace context, and the service, instance (absent: the defaults') and endpoint. */
export interface TraceOfIds {
  traceContext: LogTraceContext;
  service?: string;
  serviceInstance?: string;
  endpoint: string;
}

/** The trace of given ids; undefined when they name none (no trace id). */
export function traceOfIds(given: LogContextIds | null | undefined): TraceOfIds | undefined {
  if (!given || typeof given.traceId !== 'string' || given.traceId === '') return undefined;
  return {
    traceContext: {
      traceId: given.traceId,
      traceSegmentId: String(given.segmentId ?? ''),
      spanId: Number(given.spanId) | 0,
    },
    service: typeof given.service === 'string' && given.service !== '' ? given.service : undefined,
    serviceInstance:
      typeof given.serviceInstance === 'string' && given.serviceInstance !== '' ? given.serviceInstance : undefined,
    endpoint: typeof given.endpoint === 'string' ? given.endpoint : '',
  };
}

/**
 * The `LogData` of a record: the trace context of its span (or the given ids, or none), the
 * segment's service, instance and endpoint (the defaults outside a trace), the body bounded to
 * `logBodyMaxLength`, tags bounded like span tags. Throws only on a bug; callers guard.
 */
export function buildLogData(record: LogRecordInput, defaults: LogDefaults, layer = ''): LogData {
  const config = defaults.config;
  const r = snapshot(record);
  const tags = recordTags(config, r.level, r.logger, r.error, r.tags);

  let service = defaults.service;
  let serviceInstance = defaults.serviceInstance;
  let endpoint = '';
  let traceContext: LogData['traceContext'];
  const given = r.context;
  const ids = traceOfIds(given);
  if (ids) {
    traceContext = ids.traceContext;
    service = ids.service ?? service;
    serviceInstance = ids.serviceInstance ?? serviceInstance;
    endpoint = ids.endpoint;
  } else if (given !== null) {
    const span = recordedSpanOf(r.span);
    if (span) {
      const c = contextOfRecorded(span);
      traceContext = { traceId: c.traceId, traceSegmentId: c.segmentId, spanId: c.spanId };
      service = c.service;
      serviceInstance = c.serviceInstance;
      endpoint = span.segment.primaryEndpoint(); // named by its route already (recordedSpanOf)
    }
  }
  const ownEndpoint = r.endpoint;
  if (typeof ownEndpoint === 'string' && ownEndpoint !== '') endpoint = ownEndpoint;
  return {
    timestamp: logTimestamp(r.timestamp),
    service,
    serviceInstance,
    endpoint: boundedEndpoint(endpoint),
    body:
      typeof r.bodyJson === 'string'
        ? r.bodyJson.length <= config.logBodyMaxLength
          ? { json: { json: r.bodyJson } }
          : { text: { text: r.bodyJson.slice(0, config.logBodyMaxLength) } }
        : bodyOf(r.body, config.logBodyMaxLength, r.plainBody === true),
    traceContext,
    tags,
    layer,
  };
}

/**
 * The record's fields, read once: in one go (the usual case), or one by one when a getter throws
 * (that field then reads as absent; a throwing body as `[Throws]`).
 */
function snapshot(record: LogRecordInput): LogRecordInput {
  try {
    return {
      body: record.body,
      level: record.level,
      logger: record.logger,
      timestamp: record.timestamp,
      error: record.error,
      tags: record.tags,
      span: record.span,
      context: record.context,
      endpoint: record.endpoint,
      plainBody: record.plainBody,
      bodyJson: record.bodyJson,
    };
  } catch {
    return {
      body: read(() => record.body, '[Throws]' as unknown),
      level: read(() => record.level, undefined),
      logger: read(() => record.logger, undefined),
      timestamp: read(() => record.timestamp, undefined),
      error: read(() => record.error, undefined),
      tags: read(() => record.tags, undefined),
      span: read(() => record.span, undefined),
      context: read(() => record.context, undefined),
      endpoint: read(() => record.endpoint, undefined),
    };
  }
}
