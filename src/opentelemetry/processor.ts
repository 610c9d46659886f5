import type { Context } from '@opentelemetry/api';
import { Bridge, type BridgeStats, type FrontEndOptions } from '../bridge/bridge';
import type { SkyWalkingLogRecord } from '../logs/record';
import { SpanType } from '../base/model';
import { register, registered } from '../segment/span-registry';
import type { RecordedSpan } from '../segment/span';
import { LEGACY_PARENT_TAG } from '../base/semconv';
import { SpanKind, requireOtelApi } from './api';
import { type EndpointNamer, applyOtelSpan, httpPathOf, operationNameOf, spanTypeOfOtelKind } from './attributes';
import { sharedControls } from '../segment/agent-control';
import { setEndpointNamer } from './route-endpoint';
import { settleIdentity } from './identity';
import { LEGACY_PARENT_KEY, type LegacyParent, REMOTE_SW8_KEY, type RemoteParent, originalTraceId } from './registry';
import { type ReadableSpanLike, hrTimeToMs } from './types';
import { processorStarted, processorStopped } from './unsampled';

export interface SkyWalkingSpanProcessorOptions extends FrontEndOptions {
  /** Name Entry spans (SkyWalking endpoints) yourself; return undefined for the default `METHOD:route`. */
  endpointName?: EndpointNamer;
}

/**
 * An OpenTelemetry `SpanProcessor` that records SkyWalking segments and reports them to the OAP.
 * Each span gets its SkyWalking identity (segment, int span id) when it starts, so the
 * `SkyWalkingPropagator` can write an exact sw8 header while the request is in flight.
 *
 * ```js
 * new NodeSDK({ spanProcessors: [new SkyWalkingSpanProcessor()], textMapPropagator: new SkyWalkingPropagator() })
 * ```
 */
export class SkyWalkingSpanProcessor {
  readonly bridge: Bridge;
  private readonly api: ReturnType<typeof requireOtelApi>;
  private readonly serviceOption: unknown;
  private readonly namer: EndpointNamer | undefined;
  private identified = false;
  /**
   * Maps a finished span from its SDK span (`source`) when its segment is encoded, not here in
   * onEnd: the late mapping, explained at `RecordedSpan.source`. One function for all spans.
   */
  private readonly finalizer = (r: RecordedSpan): void => applyOtelSpan(r, r.source as ReadableSpanLike, this.namer);

  constructor(options: SkyWalkingSpanProcessorOptions = {}) {
    this.api = requireOtelApi('SkyWalkingSpanProcessor');
    const { endpointName, ...rest } = options ?? {};
    this.bridge = new Bridge(rest, { lateIdentity: true });
    this.serviceOption = rest.serviceName;
    this.namer = typeof endpointName === 'function' ? endpointName : undefined;
    if (this.namer) setEndpointNamer(this.bridge.recorder, this.namer);
    processorStarted(this.bridge.recorder);
  }

  onStart(span: ReadableSpanLike, parentContext: Context): void {
    try {
      this.start(span, parentContext);
    } catch {
      // never into the application
    }
  }

  onEnd(span: ReadableSpanLike): void {
    try {
      const recorded = registered(span);
      if (!recorded || recorded.segment.recorder !== this.bridge.recorder) return;
      recorded.source = span;
      recorded.finalize = this.finalizer;
      recorded.finish(hrTimeToMs(span.endTime));
    } catch {
      // never into the application
    }
  }

  /** Deliver what is queued; resolves within the report timeout, never rejects. */
  forceFlush(): Promise<void> {
    return this.bridge.flush();
  }

  /** Flush and close the reporter; idempotent, never rejects. */
  shutdown(): Promise<void> {
    processorStopped(this.bridge.recorder);
    return this.bridge.shutdown();
  }

  stats(): BridgeStats {
    return this.bridge.stats();
  }

  /**
   * Report a log record to SkyWalking (LogReportService), in the trace of the active OTel context (or `record.span`); see
   * `SkyWalkingLogRecord`. Filtered by `logLevel`, bounded, never throws.
   */
  reportLog(record: SkyWalkingLogRecord): void {
    this.bridge.reportLog(record);
  }

  private start(span: ReadableSpanLike, parentContext: Context): void {
    if (this.bridge.isShutdown) return;
    if (!this.identified) {
      this.identified = true;
      settleIdentity(this.bridge, this.serviceOption, span.resource?.attributes);
      this.bridge.identified();
    }
    const api = this.api;
    const recorder = this.bridge.recorder;
    const type = spanTypeOfOtelKind(span.kind);
    const startTime = hrTimeToMs(span.startTime);
    const own = span.spanContext();
    if ((own.traceFlags & 1) === 0) return; // recorded but not sampled (RECORD_ONLY): not reported; propagates as unsampled
    const ctx = parentContext ?? api.context.active();

    const parent = registered(api.trace.getSpan(ctx));
    let recorded: RecordedSpan;
    if (parent && parent.segment.recorder === recorder) {
      // Only an Entry span's name is needed now (the segment's endpoint, sent in sw8 while the
      // request is in flight), or a span that opens a segment (its endpoint if it has no Entry).
      // Other children keep their OTel name until the segment is encoded (finalize names them)
      // or until they inject sw8 (the propagator names them then).
      const name =
        type === SpanType.Entry || (type === SpanType.Exit && parent.segment.closed)
          ? operationNameOf(span, type, undefined, this.namer)
          : span.name;
      recorded = recorder.startChild(parent, name, startTime, type);
    } else {
      // a Local span's operation name is its OTel name
      const name = type === SpanType.Local ? span.name : operationNameOf(span, type, undefined, this.namer);
      // a remote parent of this trace (an extracted header) is the only case that reads more of the context
      const parentSc = api.trace.getSpanContext(ctx);
      const fromRemote = parentSc !== undefined && parentSc.isRemote === true && parentSc.traceId === own.traceId;
      const remote = fromRemote ? (ctx.getValue(REMOTE_SW8_KEY) as RemoteParent | undefined) : undefined;
      // a SkyWalkingSampler in the process has decided already (this span is sampled)
      const decided = sharedControls.size > 0 ? true : undefined;
      if (remote && parentSc!.traceId === remote.otelTraceId && parentSc!.spanId === remote.otelSpanId) {
        recorded = recorder.startSpan(name, {
          remote: remote.sw8,
          startTime,
          type,
          skipAnalysis: remote.ext?.skipAnalysis,
          admitted: decided,
        });
        const sent = remote.ext?.sendingTimestamp;
        if (span.kind === SpanKind.CONSUMER && sent !== undefined)
          recorded.addTag('transmission.latency', String(Math.max(0, recorded.startTime - sent)));
      } else {
        const path = type === SpanType.Entry ? httpPathOf(span.attributes ?? {}) : '';
        const admitted = decided ?? recorder.control.admitNew(name, path === '' ? undefined : path, startTime);
        recorded = recorder.startTrace(name, originalTraceId(own.traceId), startTime, type, false, admitted);
        const legacy = fromRemote ? (ctx.getValue(LEGACY_PARENT_KEY) as LegacyParent | undefined) : undefined;
        if (legacy) recorded.addTag(LEGACY_PARENT_TAG, legacy.format);
      }
    }
    register(span, recorded);
  }
}
