import { newId } from '../ids';
import { type SegmentObject, type SegmentReference, type SpanObject, SpanType } from '../model';
import { FORCED_FINISH_TAG } from '../semconv';
import { encodeSegment } from '../protocol/segment-encoder';
import type { Recorder } from './recorder';
import { RecordedSpan } from './span';

/** Per-span bounds, taken from the resolved configuration. */
export interface SegmentLimits {
  spanLimit: number;
  tagKeyMaxLength: number;
  tagValueMaxLength: number;
  tagsPerSpan: number;
  logsPerSpan: number;
}

/** Counters shared by all segments of a recorder; each bound that is hit counts here. */
export interface RecorderCounters {
  segmentsStarted: number;
  segmentsClosed: number;
  segmentsForced: number;
  segmentsNotRecorded: number;
  spansDropped: number;
  tagsDropped: number;
  logsDropped: number;
  crossThreadSegments: number;
  finalizeErrors: number;
}

/**
 * The spans of one trace in one process, opened by a local root. Span ids are ints in start order
 * (root 0, parent -1). The segment closes when its last open span finishes, and is then handed
 * to the recorder's close callback (the reporter), which encodes it at once (`encode`).
 */
export class Segment {
  readonly segmentId: string = newId();
  /** Service and instance as the recorder knew them when the segment opened. */
  readonly service: string;
  readonly instance: string;
  readonly limits: SegmentLimits;
  readonly counters: RecorderCounters;
  /** Recorded spans by id (start order). */
  readonly spans: RecordedSpan[] = [];
  /** Recorded spans in finish order (the order agents report, so span 0 usually comes last). */
  readonly finishedSpans: RecordedSpan[] = [];
  open = 0;
  closed = false;
  sizeLimited = false;
  /** Every span of the segment is reported with skipAnalysis (sw8-x tracing mode 1). */
  skipAnalysis = false;
  readonly createdAt: number = Date.now();
  /** Links of the recorder's open-segment list (`OpenSegments`), and whether this segment is in it. */
  prevOpen: Segment | undefined = undefined;
  nextOpen: Segment | undefined = undefined;
  listed = false;
  private converted: SegmentObject | undefined;

  constructor(
    /** The recorder that made this segment (front-ends check a span is theirs by it). */
    readonly recorder: Recorder,
    readonly traceId: string,
    private readonly onClose: (segment: Segment) => void,
  ) {
    this.service = recorder.service;
    this.instance = recorder.instance;
    this.limits = recorder.limits;
    this.counters = recorder.counters;
  }

  /** Start a span in this segment under `parent` (undefined: the local root). */
  newSpan(parent: RecordedSpan | undefined, operationName: string, startTime: number): RecordedSpan {
    let parentId = -1;
    let anchor = parent;
    while (anchor && anchor.dropped) anchor = anchor.anchor;
    if (anchor) parentId = anchor.id;
    this.open++;
    if (this.spans.length >= this.limits.spanLimit) {
      this.sizeLimited = true;
      this.counters.spansDropped++;
      return new RecordedSpan(this, -1, parentId, operationName, startTime, anchor ?? this.spans[0]);
    }
    const span = new RecordedSpan(this, this.spans.length, parentId, operationName, startTime);
    if (this.skipAnalysis) span.skipAnalysis = true;
    this.spans.push(span);
    return span;
  }

  /** Called by `RecordedSpan.finish`. */
  spanFinished(span: RecordedSpan): void {
    if (!span.dropped) this.finishedSpans.push(span);
    if (--this.open === 0 && !this.closed) this.close();
  }

  /**
   * The parent endpoint this segment gives its children and callees, by the Java agent's rule:
   * the operation name of the first Entry span, else of span 0.
   */
  primaryEndpoint(): string {
    const spans = this.spans;
    for (let i = 0; i < spans.length; i++) {
      if (spans[i]!.type === SpanType.Entry) return spans[i]!.operationName;
    }
    return spans[0]?.operationName ?? '';
  }

  /** Close now with spans still open (the timeout): they end now and are marked forced. */
  forceClose(now: number = Date.now()): void {
    if (this.closed) return;
    for (const span of this.spans) {
      if (!span.finished) {
        span.forced = true;
        span.finished = true;
        span.endTime = Math.max(now, span.startTime);
        this.finishedSpans.push(span);
      }
    }
    this.counters.segmentsForced++;
    this.open = 0;
    this.close();
  }

  private close(): void {
    this.closed = true;
    this.counters.segmentsClosed++;
    this.onClose(this);
  }

  /** Run each finished span's front-end mapping (`finalize`) once, then let go of its source. */
  private finalizeSpans(): void {
    for (const span of this.finishedSpans) {
      if (span.finalize) {
        try {
          span.finalize(span);
        } catch {
          this.counters.finalizeErrors++;
        }
        span.finalize = undefined;
        span.source = undefined;
      }
    }
  }

  /** The closed segment as a `SegmentCollection` entry (what the gRPC reporter queues and sends). */
  encode(): Buffer {
    this.finalizeSpans();
    return encodeSegment(this);
  }

  /** The wire form as plain objects (console and memory reporters). Runs `finalize` first; cached. */
  toSegmentObject(): SegmentObject {
    if (this.converted) return this.converted;
    this.finalizeSpans();
    const spans: SpanObject[] = [];
    for (const span of this.finishedSpans) {
      let tags = span.tags ?? [];
      if (span.forced) tags = [...tags, { key: FORCED_FINISH_TAG, value: 'true' }];
      spans.push({
        spanId: span.id,
        parentSpanId: span.parentId,
        startTime: span.startTime,
        endTime: span.endTime,
        refs: span.refs ?? [],
        operationName: span.operationName,
        peer: span.peer,
        spanType: span.type,
        spanLayer: span.layer,
        componentId: span.componentId,
        isError: span.isError,
        tags,
        logs: span.logs ?? [],
        skipAnalysis: span.skipAnalysis,
      });
    }
    this.converted = {
      traceId: this.traceId,
      traceSegmentId: this.segmentId,
      spans,
      service: this.service,
      serviceInstance: this.instance,
      isSizeLimited: this.sizeLimited,
    };
    return this.converted;
  }
}

/** Build the CrossThread ref a new segment gets when its parent span lives in another segment. */
export function crossThreadRef(parent: RecordedSpan): SegmentReference {
  const seg = parent.segment;
  let p: RecordedSpan | undefined = parent;
  while (p && p.dropped) p = p.anchor;
  return {
    refType: 1,
    traceId: seg.traceId,
    parentTraceSegmentId: seg.segmentId,
    parentSpanId: p ? p.id : 0,
    parentService: seg.service,
    parentServiceInstance: seg.instance,
    parentEndpoint: seg.primaryEndpoint(),
    networkAddressUsedAtPeer: '',
  };
}
