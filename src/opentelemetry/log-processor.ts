import type { Context } from '@opentelemetry/api';
import { Bridge, type BridgeOwner, type BridgeStats, type FrontEndOptions, isBridgeOwner } from '../bridge/bridge';
import { ConfigError } from '../base/config';
import { otelSeverity } from '../logs/levels';
import { requireOtelApi } from './api';
import { settleIdentity } from './identity';
import type { Attributes } from './types';
import { hrTimeToMs } from './types';

/** The part of sdk-logs' `ReadWriteLogRecord` read here. */
export interface LogRecordLike {
  hrTime?: [number, number];
  resource?: { attributes?: Attributes };
  instrumentationScope?: { name?: string };
  attributes?: Record<string, unknown>;
  severityText?: string;
  severityNumber?: number;
  body?: unknown;
  eventName?: string;
}

export interface SkyWalkingLogRecordProcessorOptions extends FrontEndOptions {
  /** Report through this span processor's (or tracer's) reporter: same channel, identity and stats. Default: a reporter of its own. */
  via?: BridgeOwner;
}

const EXCEPTION_TAGS: Record<string, string> = {
  'exception.type': 'error.kind',
  'exception.message': 'error.message',
  'exception.stacktrace': 'error.stack',
};

/**
 * An OpenTelemetry Logs SDK `LogRecordProcessor` (`@opentelemetry/sdk-logs`): each emitted record
 * is reported to SkyWalking with the SkyWalking ids of the span in the emit context, read at emit
 * (the original trace id for traces that came in from a Java agent). Severity becomes tag `level`,
 * the instrumentation scope tag `logger`, `exception.*` attributes the error tags, other attributes
 * tags; a string body is text, anything else JSON.
 *
 * ```js
 * const spans = new SkyWalkingSpanProcessor();
 * new NodeSDK({ spanProcessors: [spans], logRecordProcessors: [new SkyWalkingLogRecordProcessor({ via: spans })] });
 * ```
 */
export class SkyWalkingLogRecordProcessor {
  readonly bridge: Bridge;
  private readonly own: boolean;
  private readonly api: ReturnType<typeof requireOtelApi>;
  private readonly serviceOption: unknown;
  private identified = false;

  constructor(options: SkyWalkingLogRecordProcessorOptions = {}) {
    this.api = requireOtelApi('SkyWalkingLogRecordProcessor');
    const { via, ...rest } = options ?? {};
    if (via !== undefined && !isBridgeOwner(via)) {
      throw new ConfigError(
        'skywalking-bridge: SkyWalkingLogRecordProcessor option `via` must be a SkyWalkingSpanProcessor, SkyWalkingTraceExporter or SkyWalkingTracer.',
      );
    }
    this.own = via === undefined;
    this.bridge = via ? via.bridge : new Bridge(rest, { lateIdentity: true });
    this.serviceOption = rest.serviceName;
  }

  onEmit(logRecord: LogRecordLike, context?: Context): void {
    try {
      if (this.own && !this.identified) {
        this.identified = true;
        settleIdentity(this.bridge, this.serviceOption, logRecord.resource?.attributes);
      }
      const tags: Record<string, unknown> = {};
      let error: Record<string, unknown> | undefined;
      const attributes = logRecord.attributes;
      if (attributes) {
        for (const key of Object.keys(attributes)) {
          const v = attributes[key];
          if (Object.hasOwn(EXCEPTION_TAGS, key)) (error ??= {})[key] = v;
          else tags[key] = v;
        }
      }
      if (logRecord.eventName) tags.event = logRecord.eventName;
      const severity = otelSeverity(logRecord.severityNumber);
      // severityText as the other paths write levels (pino, winston and OpenTracing: lowercase names)
      const level = logRecord.severityNumber
        ? severity.name
        : typeof logRecord.severityText === 'string'
          ? logRecord.severityText.toLowerCase()
          : 'info';
      const time = logRecord.hrTime ? hrTimeToMs(logRecord.hrTime) : undefined;
      this.bridge.reportLog({
        body: logRecord.body ?? '',
        level,
        logger: logRecord.instrumentationScope?.name || undefined,
        timestamp: time,
        tags,
        // `type` too: the error's kind is named, never taken from this plain object's class
        error: error && {
          name: String(error['exception.type'] ?? 'Error'),
          type: String(error['exception.type'] ?? 'Error'),
          message: error['exception.message'],
          stack: error['exception.stacktrace'],
        },
        span: context ?? this.api.context.active(),
      });
    } catch {
      // never into the application
    }
  }

  /** Deliver what is queued; resolves within the report timeout, never rejects. */
  forceFlush(): Promise<void> {
    return this.bridge.flush();
  }

  /** Flush; an own reporter is also released. Idempotent, never rejects. */
  shutdown(): Promise<void> {
    return this.own ? this.bridge.shutdown() : this.bridge.flush();
  }

  stats(): BridgeStats {
    return this.bridge.stats();
  }
}
