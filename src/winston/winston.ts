/**
 * `skywalking-bridge/winston`: a format that adds the SkyWalking ids to each record, and a
 * transport that reports the records to SkyWalking.
 *
 * ```js
 * const { skywalkingFormat, SkyWalkingTransport } = require('skywalking-bridge/winston');
 * const logger = winston.createLogger({
 *   format: winston.format.combine(skywalkingFormat(), winston.format.json()),
 *   transports: [new winston.transports.Console(), new SkyWalkingTransport({ via: spanProcessor })],
 * });
 * ```
 */
import type * as logform from 'logform';
import type Transport from 'winston-transport';
import { Bridge, type BridgeOwner, type FrontEndOptions, isBridgeOwner } from '../bridge/bridge';
import { ConfigError } from '../base/config';
import { type CarriedIds, hasOtelStamp, isStamp } from '../logs/carrier';
import { loadOtelApi } from '../base/otel-api';
import { logFieldsOf } from '../logs/fields';
import type { LogRecordInput } from '../logs/record';
import { contextOfRecorded, recordedSpanOf } from '../logs/trace-context';
import { TransportBase } from './transport-base';

export type { BridgeOwner } from '../bridge/bridge';

const LEVEL = Symbol.for('level');
/** Where `skywalkingFormat` leaves the ids for the transport: a symbol, which no logged data can hold. */
const IDS = Symbol('skywalking-bridge.ids');

export interface SkyWalkingFormatOptions {
  /** The key of a span passed in the log call (`logger.info('msg', { span })`), OpenTracing or OTel; removed from the record. Default `span`. */
  spanKey?: string;
}

/** A logform format object (what `winston.format(fn)()` returns), made without requiring logform. */
export type WinstonFormat = logform.Format;

/** The ids of `span` (else of the active OTel context) with the OTel ids its instrumentation stamps. */
function idsOf(span: unknown): CarriedIds | null {
  const recorded = span !== undefined ? recordedSpanOf(span) : recordedSpanOf();
  if (!recorded) return null;
  const c = contextOfRecorded(recorded);
  const ids: CarriedIds = { ...c, endpoint: recorded.segment.primaryEndpoint() };
  try {
    const api = loadOtelApi();
    const otel = span === undefined ? api?.trace.getSpan(api.context.active())?.spanContext() : undefined;
    if (otel) {
      ids.otelTraceId = otel.traceId;
      ids.otelSpanId = otel.spanId;
      ids.otelFlags = `0${(otel.traceFlags & 0xff).toString(16)}`;
    }
  } catch {
    // no OTel ids: OTel's stamps stay as they are
  }
  return ids;
}

/**
 * A winston format adding `trace_id`, `segment_id`, `span_id`, `sw_service`, `sw_instance`,
 * `sw_endpoint` of the span passed under `spanKey` (then removed), else of the active OTel
 * context, for the formats that print; nothing outside a recorded span. A field the record already
 * holds is the application's and stays (but OTel's own stamps, which it replaces). The reporter
 * takes the ids from where this format leaves them out of band, never from these fields. Put it
 * before the formats that print. Never throws.
 */
export function skywalkingFormat(options: SkyWalkingFormatOptions = {}): WinstonFormat {
  const key = typeof options?.spanKey === 'string' && options.spanKey !== '' ? options.spanKey : 'span';
  return {
    options: { spanKey: key },
    transform(info: logform.TransformableInfo) {
      try {
        const span = info[key];
        if (span !== undefined) delete info[key];
        const ids = (span !== undefined && idsOf(span)) || idsOf(undefined);
        if (!ids) return info;
        (info as Record<symbol, unknown>)[IDS] = ids;
        const fields = logFieldsOf(span !== undefined && recordedSpanOf(span) ? span : undefined)!;
        const record = info as Record<string, unknown>;
        const otel = hasOtelStamp(record, ids);
        for (const [k, v] of Object.entries(fields)) if (!(k in record) || isStamp(k, record[k], ids)) record[k] = v;
        if (isStamp('trace_flags', record.trace_flags, ids, otel)) delete record.trace_flags;
      } catch {
        // a hostile record: leave it as it is
      }
      return info;
    },
  };
}

/** Keys of a winston record that are not part of the reported body. */
const META = new Set<string>(['level', 'message', 'timestamp', 'label', 'logger', 'stack', 'span']);

/** The class of an error winston merged into the record (`logger.error('msg', err)`): its stack's first line names it. */
function kindOfStack(stack: string): string {
  const m = /^([A-Za-z_$][\w$.]*)(?::|\s*$|\s*\[)/.exec(stack);
  return m ? m[1]! : 'Error';
}

/** An error winston merged into the record, as an Error of its class's name (tags `error.kind`, `.message`, `.stack`). */
function mergedError(stack: string, message: unknown): Error {
  const e = new Error(typeof message === 'string' ? message : String(message));
  e.name = kindOfStack(stack);
  e.stack = stack;
  return e;
}

/** A winston record (`info`) as a SkyWalking log record. */
export function recordOfWinston(info: Record<string | symbol, unknown>): LogRecordInput {
  const level = typeof info[LEVEL] === 'string' ? info[LEVEL] : info.level;
  // the ids: left by skywalkingFormat, else of a span passed in the call, else of the active context
  const given = info[IDS] as CarriedIds | undefined;
  const ids = given ?? (info.span !== undefined ? idsOf(info.span) : null) ?? idsOf(undefined);
  let rest: Record<string, unknown> | undefined;
  const otel = hasOtelStamp(info as Record<string, unknown>, ids);
  for (const k of Object.keys(info)) {
    if (META.has(k)) continue;
    const v = info[k];
    if (v instanceof Error && (k === 'error' || k === 'err')) continue;
    if (isStamp(k, v, ids, otel)) continue;
    rest ??= {};
    rest[k] = v;
  }
  const message = info.message;
  let error: unknown;
  if (info instanceof Error) error = info;
  else if (info.error instanceof Error) error = info.error;
  else if (info.err instanceof Error) error = info.err;
  else if (typeof info.stack === 'string') error = mergedError(info.stack, message);
  const time = info.timestamp;
  return {
    body: rest ? { message, ...rest } : typeof message === 'string' ? message : (message ?? ''),
    level: typeof level === 'string' ? level : undefined,
    logger: typeof info.logger === 'string' ? info.logger : typeof info.label === 'string' ? info.label : undefined,
    timestamp: typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : undefined,
    error,
    context: ids,
  };
}

export interface SkyWalkingTransportOptions
  extends Transport.TransportStreamOptions, Omit<FrontEndOptions, 'reporter' | 'format'> {
  /** Report through this tracer's / span processor's reporter (same channel and stats). Default: a reporter of its own, from these options and SW_* env. */
  via?: BridgeOwner;
  reporter?: FrontEndOptions['reporter'];
}

/**
 * A winston transport that reports each record to SkyWalking (`LogReportService`), with the ids
 * from `skywalkingFormat` or the active OTel context. Records are encoded and queued; sending
 * happens in batches off the log call. Never throws into winston.
 */
export class SkyWalkingTransport extends TransportBase {
  readonly bridge: Bridge;
  private readonly own: boolean;

  constructor(options: SkyWalkingTransportOptions = {}) {
    const { via, format, level, silent, handleExceptions, handleRejections, ...rest } = options ?? {};
    super({ format, level, silent, handleExceptions, handleRejections });
    if (via !== undefined && !isBridgeOwner(via)) {
      throw new ConfigError(
        'skywalking-bridge: SkyWalkingTransport option `via` must be a SkyWalkingTracer, SkyWalkingSpanProcessor or SkyWalkingTraceExporter.',
      );
    }
    this.own = via === undefined;
    this.bridge = via ? via.bridge : new Bridge(rest as FrontEndOptions, { lateIdentity: true });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    try {
      this.bridge.reportLog(recordOfWinston(info));
    } catch {
      // never into winston
    }
    setImmediate(() => this.emit('logged', info));
    next();
  }

  /** Flush what is queued (own reporter: also release it). */
  override close(): void {
    void (this.own ? this.bridge.shutdown() : this.bridge.flush());
  }

  /** Deliver what is queued; resolves within the report timeout, never rejects. */
  flush(): Promise<void> {
    return this.bridge.flush();
  }

  /** Flush and release an own reporter; idempotent, never rejects. */
  shutdown(): Promise<void> {
    return this.own ? this.bridge.shutdown() : this.bridge.flush();
  }
}
