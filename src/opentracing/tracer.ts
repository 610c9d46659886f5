import type * as OT from 'opentracing';
import { Bridge, type BridgeStats, type FrontEndOptions } from '../bridge/bridge';
import type { SkyWalkingLogRecord } from '../logs/record';
import { hexSpanIdOf } from '../base/ids';
import { decodeCorrelation, encodeCorrelation } from '../propagation/correlation';
import { decodeSw8x, encodeSw8x } from '../propagation/extension';
import { type HeaderNames, headerNames } from '../propagation/headers';
import { extractLegacy, injectLegacy } from '../propagation/legacy';
import { appTraceIdOf } from '../propagation/trace-id-header';
import { type Sw8Context, decodeSw8, encodeSw8 } from '../propagation/sw8';
import type { RecordedSpan } from '../segment/span';
import { LEGACY_PARENT_TAG } from '../base/semconv';
import { binaryGetter, encodeBinaryHeaders, textGetter, textKeys, textSetter } from './carrier';
import {
  FORMAT_BINARY,
  FORMAT_HTTP_HEADERS,
  FORMAT_TEXT_MAP,
  REFERENCE_CHILD_OF,
  REFERENCE_FOLLOWS_FROM,
  SpanBase,
  TracerBase,
} from './opentracing-api';
import { SkyWalkingSpan } from './span';
import { SkyWalkingSpanContext } from './span-context';
import { type RawTags, fallbackPeerOf, isProducer, peerOf } from './tags';

/** Options of `SkyWalkingTracer`: the shared options (see the README's configuration table). */
export type SkyWalkingTracerOptions = FrontEndOptions;

interface ParentChoice {
  context: SkyWalkingSpanContext | undefined;
  followsFrom: boolean;
}

function contextOf(value: unknown): SkyWalkingSpanContext | undefined {
  if (value instanceof SkyWalkingSpanContext) return value;
  if (value instanceof SkyWalkingSpan) return value.context() as SkyWalkingSpanContext;
  return undefined;
}

/**
 * An OpenTracing Tracer that records SkyWalking segments and propagates sw8. Register it with
 * `initGlobalTracer(new SkyWalkingTracer({ serviceName: 'orders' }))`. It never throws into the
 * application: bad arguments give working spans or no-ops, and unknown formats are ignored.
 */
export class SkyWalkingTracer extends TracerBase {
  readonly bridge: Bridge;
  private readonly headers: HeaderNames;
  private readonly maxRawTags: number;
  private readonly correlationLimits: { maxElements: number; maxValueLength: number };

  constructor(options: SkyWalkingTracerOptions = {}) {
    super();
    this.bridge = new Bridge(options);
    this.headers = headerNames(this.bridge.config.namespace);
    // raw tags kept per span: twice the reported bound (some are consumed by the mapping), as
    // entries of the flat key, value list
    this.maxRawTags = Math.max(this.bridge.config.tagsPerSpan * 2, 16) * 2;
    const config = this.bridge.config;
    this.correlationLimits = {
      maxElements: config.correlationMaxElements,
      maxValueLength: config.correlationMaxValueLength,
    };
  }

  /** Deliver what is queued; resolves within `timeoutMs` (default: the report timeout), never rejects. */
  flush(timeoutMs?: number): Promise<void> {
    return this.bridge.flush(timeoutMs);
  }

  /** Flush and close the reporter within `timeoutMs` (default: the report timeout); idempotent, never rejects. */
  shutdown(timeoutMs?: number): Promise<void> {
    return this.bridge.shutdown(timeoutMs);
  }

  /** Counters of the recorder and reporter. */
  stats(): BridgeStats {
    return this.bridge.stats();
  }

  /**
   * Report a log record to SkyWalking (LogReportService), in the trace of a span passed as `record.span`; see
   * `SkyWalkingLogRecord`. Filtered by `logLevel`, bounded, never throws.
   */
  reportLog(record: SkyWalkingLogRecord): void {
    this.bridge.reportLog(record);
  }

  override startSpan(name: string, options: OT.SpanOptions = {}): OT.Span {
    try {
      return this.start(typeof name === 'string' ? name : String(name), options ?? {});
    } catch {
      return new SpanBase();
    }
  }

  override inject(spanContext: OT.SpanContext | OT.Span, format: string, carrier: unknown): void {
    try {
      const ctx = contextOf(spanContext);
      if (!ctx) return;
      if (format === FORMAT_HTTP_HEADERS || format === FORMAT_TEXT_MAP) {
        this.writeHeaders(ctx, textSetter(carrier));
      } else if (format === FORMAT_BINARY) {
        if (carrier === null || typeof carrier !== 'object') return;
        const lines: Array<[string, string]> = [];
        this.writeHeaders(ctx, (k, v) => lines.push([k, v]));
        (carrier as { buffer: unknown }).buffer = encodeBinaryHeaders(lines);
      }
    } catch {
      // never into the application
    }
  }

  override extract(format: string, carrier: unknown): OT.SpanContext | null {
    try {
      if (format === FORMAT_HTTP_HEADERS || format === FORMAT_TEXT_MAP)
        return this.readHeaders(textGetter(carrier), () => textKeys(carrier));
      if (format === FORMAT_BINARY) {
        const get = binaryGetter(carrier);
        return this.readHeaders(get, get.names);
      }
    } catch {
      // fall through
    }
    return null;
  }

  private pickParent(options: OT.SpanOptions): ParentChoice {
    const direct = contextOf(options.childOf);
    if (direct) return { context: direct, followsFrom: false };
    const refs = Array.isArray(options.references) ? options.references : [];
    let follows: SkyWalkingSpanContext | undefined;
    for (const ref of refs) {
      if (ref === null || typeof ref !== 'object' || typeof ref.type !== 'function') continue;
      const ctx = contextOf(ref.referencedContext());
      if (!ctx) continue;
      if (ref.type() === REFERENCE_CHILD_OF) return { context: ctx, followsFrom: false };
      if (ref.type() === REFERENCE_FOLLOWS_FROM && !follows) follows = ctx;
    }
    return { context: follows, followsFrom: follows !== undefined };
  }

  private start(name: string, options: OT.SpanOptions): SkyWalkingSpan {
    const recorder = this.bridge.recorder;
    // not checked here: the recorder takes now for anything but a plausible epoch-ms number, and counts it
    const startTime = options.startTime ?? undefined;
    const childOf = options.childOf;
    let span: SkyWalkingSpan;
    if (childOf instanceof SkyWalkingSpan) {
      // the common case (a local parent span given as the span itself): no span context needed
      const recorded = recorder.startChild(childOf.recorded, name, startTime, undefined);
      const parentBaggage = childOf.baggage;
      const baggage = parentBaggage !== undefined && parentBaggage.size > 0 ? new Map(parentBaggage) : undefined;
      span = new SkyWalkingSpan(this, recorded, baggage, this.maxRawTags);
    } else {
      span = this.startUnder(this.pickParent(options), name, startTime);
    }
    const tags = options.tags;
    if (tags !== null && typeof tags === 'object') span.addTags(tags);
    return span;
  }

  /** A span under a parent given as a span context (local, extracted or legacy) or under none. */
  private startUnder(choice: ParentChoice, name: string, startTime: number | undefined): SkyWalkingSpan {
    const recorder = this.bridge.recorder;
    const parent = choice.context;
    let recorded: RecordedSpan;
    if (parent?.span) {
      recorded = recorder.startSpan(name, { parent: parent.span, crossThread: choice.followsFrom, startTime });
    } else if (parent?.remote) {
      recorded = recorder.startSpan(name, { remote: parent.remote, skipAnalysis: parent.skipAnalysis, startTime });
    } else if (parent?.legacy) {
      recorded = recorder.startSpan(name, { traceId: parent.legacy.traceId, startTime });
    } else if (parent?.appTraceId) {
      recorded = recorder.startSpan(name, { traceId: parent.appTraceId, startTime });
    } else {
      recorded = recorder.startTrace(name, undefined, startTime, undefined);
    }
    const parentBaggage = parent?.baggage;
    const baggage = parentBaggage !== undefined && parentBaggage.size > 0 ? new Map(parentBaggage) : undefined;
    const span = new SkyWalkingSpan(this, recorded, baggage, this.maxRawTags);
    if (parent?.legacy) span.setTag(LEGACY_PARENT_TAG, parent.legacy.format);
    if (parent?.remote && parent.sendingTimestamp !== undefined) {
      span.setTag('transmission.latency', Math.max(0, recorded.startTime - parent.sendingTimestamp));
    }
    return span;
  }

  private writeHeaders(ctx: SkyWalkingSpanContext, set: (name: string, value: string) => void): void {
    const config = this.bridge.config;
    let parent: Sw8Context | undefined;
    if (ctx.span) {
      const recorded = ctx.span;
      const raw = (recorded.source as RawTags | undefined) ?? [];
      if (recorded.peer === '' && !recorded.finished) recorded.peer = peerOf(raw);
      parent = this.bridge.recorder.carrierFor(
        recorded,
        recorded.peer === '' || recorded.dropped ? fallbackPeerOf(raw) : undefined,
      );
      const value = encodeSw8(parent);
      if (value !== undefined) set(this.headers.sw8, value);
      const skip = recorded.segment.skipAnalysis;
      const producer = isProducer(raw);
      if (skip || producer)
        set(
          this.headers.extension,
          encodeSw8x({ skipAnalysis: skip, sendingTimestamp: producer ? Date.now() : undefined }),
        );
    } else if (ctx.remote) {
      parent = ctx.remote;
      const value = encodeSw8(parent);
      if (value !== undefined) set(this.headers.sw8, value);
      if (ctx.skipAnalysis) set(this.headers.extension, encodeSw8x({ skipAnalysis: true }));
    }
    if (ctx.baggage !== undefined && ctx.baggage.size > 0) {
      const corr = encodeCorrelation(ctx.baggage, this.correlationLimits);
      if (corr !== undefined) set(this.headers.correlation, corr);
    }
    if (config.traceIdHeader !== '') {
      const traceId = parent ? parent.traceId : (ctx.legacy?.traceId ?? ctx.appTraceId ?? '');
      if (traceId !== '') set(config.traceIdHeader, traceId);
    }
    if (config.legacyInject.length > 0) {
      // the legacy span id is a hash of segment id and span id: computed only here
      const traceId = parent ? parent.traceId : (ctx.legacy?.traceId ?? '');
      const spanId = parent ? hexSpanIdOf(parent.segmentId, parent.spanId) : (ctx.legacy?.spanId ?? '');
      if (traceId !== '')
        injectLegacy(
          config.legacyInject,
          { traceId, spanId, sampled: parent ? parent.sample === 1 : true, baggage: ctx.baggage },
          set,
        );
    }
  }

  private readHeaders(
    get: (name: string) => string | undefined,
    names: () => Iterable<string>,
  ): SkyWalkingSpanContext | null {
    const config = this.bridge.config;
    const limits = this.correlationLimits;
    const sw8 = decodeSw8(get(this.headers.sw8));
    if (sw8) {
      // no header, no baggage map (most requests carry none)
      const correlation = get(this.headers.correlation);
      const baggage = correlation === undefined ? undefined : decodeCorrelation(correlation, limits);
      const ext = decodeSw8x(get(this.headers.extension));
      return new SkyWalkingSpanContext(
        undefined,
        sw8,
        undefined,
        baggage,
        ext?.skipAnalysis ?? false,
        ext?.sendingTimestamp,
      );
    }
    if (config.legacyExtract) {
      const legacy = extractLegacy(get, names);
      if (legacy) {
        const baggage = new Map(legacy.baggage);
        for (const [k, v] of decodeCorrelation(get(this.headers.correlation), limits)) baggage.set(k, v);
        return new SkyWalkingSpanContext(undefined, undefined, legacy, baggage);
      }
    }
    if (config.traceIdHeader !== '') {
      const appTraceId = appTraceIdOf(get(config.traceIdHeader));
      if (appTraceId)
        return new SkyWalkingSpanContext(
          undefined,
          undefined,
          undefined,
          decodeCorrelation(get(this.headers.correlation), limits),
          false,
          undefined,
          appTraceId,
        );
    }
    return null;
  }
}
