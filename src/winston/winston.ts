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
import Transport from 'winston-transport';
import { Bridge, type BridgeOwner, type FrontEndOptions, isBridgeOwner } from '../bridge/bridge';
import { ConfigError } from '../base/config';
import { FIELD_KEYS, contextOfFields, logFieldsOf } from '../logs/fields';
import type { SkyWalkingLogRecord } from '../logs/record';

export type { BridgeOwner } from '../bridge/bridge';

const LEVEL = Symbol.for('level');

export interface SkyWalkingFormatOptions {
  /** The key of a span passed in the log call (`logger.info('msg', { span })`), OpenTracing or OTel; removed from the record. Default `span`. */
  spanKey?: string;
}

/** A logform format object (what `winston.format(fn)()` returns), made without requiring logform. */
export type WinstonFormat = logform.Format;

/**
 * A winston format adding `trace_id`, `segment_id`, `span_id`, `sw_service`, `sw_instance`,
 * `sw_endpoint` of the span passed under `spanKey` (then removed), else of the active OTel
 * context; nothing outside a recorded span. Put it before the formats that print. Never throws.
 */
export function skywalkingFormat(options: SkyWalkingFormatOptions = {}): WinstonFormat {
  const key = typeof options?.spanKey === 'string' && options.spanKey !== '' ? options.spanKey : 'span';
  return {
    options: { spanKey: key },
    transform(info: logform.TransformableInfo) {
      try {
        const span = info[key];
        if (span !== undefined) delete info[key];
        const fields = (span !== undefined && logFieldsOf(span)) || logFieldsOf();
        if (fields) Object.assign(info, fields);
      } catch {
        // a hostile record: leave it as it is
      }
      return info;
    },
  };
}

/** Keys of a winston record that are not part of the reported body. */
const META = new Set<string>(['level', 'message', 'timestamp', 'label', 'logger', 'stack', 'span', ...FIELD_KEYS]);

/** A winston record (`info`) as a SkyWalking log record. */
export function recordOfWinston(info: Record<string | symbol, unknown>): SkyWalkingLogRecord {
  const level = typeof info[LEVEL] === 'string' ? info[LEVEL] : info.level;
  let rest: Record<string, unknown> | undefined;
  for (const k of Object.keys(info)) {
    if (META.has(k)) continue;
    const v = info[k];
    if (v instanceof Error && (k === 'error' || k === 'err')) continue;
    rest ??= {};
    rest[k] = v;
  }
  const message = info.message;
  let error: unknown;
  if (info instanceof Error) error = info;
  else if (info.error instanceof Error) error = info.error;
  else if (info.err instanceof Error) error = info.err;
  else if (typeof info.stack === 'string') error = { name: 'Error', message, stack: info.stack };
  const time = info.timestamp;
  const context = contextOfFields(info as Record<string, unknown>);
  return {
    body: rest ? { message, ...rest } : typeof message === 'string' ? message : (message ?? ''),
    level: typeof level === 'string' ? level : undefined,
    logger: typeof info.logger === 'string' ? info.logger : typeof info.label === 'string' ? info.label : undefined,
    timestamp: typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : undefined,
    error,
    // no ids from the format: the active OTel context (winston calls transports in the log call)
    ...(context ? { context } : { span: info.span }),
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
export class SkyWalkingTransport extends Transport {
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
