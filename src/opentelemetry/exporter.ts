import { Bridge, type BridgeStats } from '../bridge/bridge';
import type { SkyWalkingLogRecord } from '../logs/record';
import type { RecordedSpan } from '../segment/span';
import { ExportResultCode, requireOtelApi } from './api';
import { type EndpointNamer, applyOtelSpan, operationNameOf, spanTypeOfOtelKind } from './attributes';
import { settleIdentity } from './identity';
import type { SkyWalkingSpanProcessorOptions } from './processor';
import { originalTraceId, remoteBySpan } from './registry';
import { type ExportResult, type ReadableSpanLike, hrTimeToMs, parentSpanIdOf } from './types';

export type SkyWalkingTraceExporterOptions = SkyWalkingSpanProcessorOptions;

/** Recently exported spans by OTel span id, so a late child in a later batch links by CrossThread ref. */
const MAX_REMEMBERED = 10_000;

/**
 * An OpenTelemetry `SpanExporter` for setups that only take a `traceExporter`. It sees spans only
 * when they have finished, in batches, so it rebuilds segments per batch: a span whose parent is
 * in the batch joins the parent's segment; one whose parent was exported earlier starts a segment
 * with a CrossThread ref; one whose parent came in an sw8 header (through `SkyWalkingPropagator`)
 * starts a segment with a CrossProcess ref. What it cannot do: give sw8 headers written during the
 * request the int span ids of its spans — prefer `SkyWalkingSpanProcessor` (see the README).
 */
export class SkyWalkingTraceExporter {
  readonly bridge: Bridge;
  private readonly serviceOption: unknown;
  private readonly namer: EndpointNamer | undefined;
  private readonly recent = new Map<string, RecordedSpan>();
  private identified = false;
  private stopped = false;

  constructor(options: SkyWalkingTraceExporterOptions = {}) {
    requireOtelApi('SkyWalkingTraceExporter');
    const { endpointName, ...rest } = options ?? {};
    this.bridge = new Bridge(rest, { lateIdentity: true });
    this.serviceOption = rest.serviceName;
    this.namer = typeof endpointName === 'function' ? endpointName : undefined;
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('SkyWalkingTraceExporter is shut down') });
      return;
    }
    try {
      this.record(Array.isArray(spans) ? spans : []);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (e) {
      resultCallback({ code: ExportResultCode.FAILED, error: e as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this.bridge.flush();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return this.bridge.shutdown();
  }

  stats(): BridgeStats {
    return this.bridge.stats();
  }

  /**
   * Report a log record to SkyWalking (LogReportService), in the trace of `record.span`; see
   * `SkyWalkingLogRecord`. Filtered by `logLevel`, bounded, never throws.
   */
  reportLog(record: SkyWalkingLogRecord): void {
    this.bridge.reportLog(record);
  }

  private remember(otelSpanId: string, recorded: RecordedSpan): void {
    if (this.recent.size >= MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(otelSpanId, recorded);
  }

  private record(spans: ReadableSpanLike[]): void {
    if (spans.length === 0) return;
    if (!this.identified) {
      this.identified = true;
      settleIdentity(this.bridge, this.serviceOption, spans[0]!.resource?.attributes);
      this.bridge.identified();
    }
    const recorder = this.bridge.recorder;
    const ordered = [...spans].sort((a, b) => hrTimeToMs(a.startTime) - hrTimeToMs(b.startTime));
    const inBatch = new Map<string, RecordedSpan>();
    const started: Array<[RecordedSpan, ReadableSpanLike]> = [];
    const pending = new Map(ordered.map((s) => [s.spanContext().spanId, s]));
    // start parents before children (start order, but a parent later in the list comes first)
    const start = (span: ReadableSpanLike): RecordedSpan => {
      const own = span.spanContext();
      const done = inBatch.get(own.spanId);
      if (done) return done;
      pending.delete(own.spanId);
      const type = spanTypeOfOtelKind(span.kind);
      const name = operationNameOf(span, type, undefined, this.namer);
      const startTime = hrTimeToMs(span.startTime);
      const parentId = parentSpanIdOf(span);
      const parentInBatch = parentId ? pending.get(parentId) : undefined;
      const parent = parentId
        ? (inBatch.get(parentId) ?? (parentInBatch ? start(parentInBatch) : this.recent.get(parentId)))
        : undefined;
      let recorded: RecordedSpan;
      if (parent) {
        recorded = recorder.startChild(parent, name, startTime, type);
      } else {
        const remote = parentId ? remoteBySpan(parentId) : undefined;
        recorded =
          remote && span.parentSpanContext?.isRemote !== false
            ? recorder.startSpan(name, { remote: remote.sw8, startTime, type, skipAnalysis: remote.ext?.skipAnalysis })
            : recorder.startTrace(name, originalTraceId(own.traceId), startTime, type);
      }
      recorded.type = type;
      inBatch.set(own.spanId, recorded);
      this.remember(own.spanId, recorded);
      started.push([recorded, span]);
      return recorded;
    };
    for (const span of ordered) start(span);
    // finish in end order: a segment closes when its last span finishes
    started.sort((a, b) => hrTimeToMs(a[1].endTime) - hrTimeToMs(b[1].endTime));
    const namer = this.namer;
    for (const [recorded, span] of started) {
      recorded.source = span;
      recorded.finalize = (r: RecordedSpan) => applyOtelSpan(r, span, namer);
      recorded.finish(hrTimeToMs(span.endTime));
    }
  }
}
