import { log } from '../base/diag';
import { newId } from '../base/ids';
import { RefType, type SegmentObject, type SegmentReference, type SpanObject, SpanType } from '../base/model';
import { FORCED_FINISH_TAG } from '../base/semconv';
import { encodeSegment } from './encode';
import { encodeSegmentLine } from './encode-line';
import type { JsonWriter } from '../protocol/json-writer';
import type { ProtoWriter } from '../protocol/proto-writer';
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
  /** Span and log times that were not plausible epoch ms (src/segment/time.ts) and became now. */
  timesReplaced: number;
  /** Spans that ended before they started: given a zero duration. */
  endsBeforeStart: number;
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
  /**
   * Recorded spans in start order (span 0 first, linked by `nextStarted`) and in finish order (the
   * order agents report, so span 0 usually comes last; linked by `nextFinished`). Lists threaded
   * through the spans rather than arrays: a segment allocates no arrays, and no array literal can
   * be pretenured by V8 and keep young spans alive between full collections.
   * @internal
   */
  firstSpan: RecordedSpan | undefined = undefined;
  private lastStarted: RecordedSpan | undefined = undefined;
  /** @internal */
  firstFinished: RecordedSpan | undefined = undefined;
  private lastFinished: RecordedSpan | undefined = undefined;
  /** @internal Spans recorded (not dropped); the next span's id. */
  spanCount = 0;
  /** @internal Spans started and not yet finished. */
  open = 0;
  closed = false;
  sizeLimited = false;
  /** Every span of the segment is reported with skipAnalysis (sw8-x tracing mode 1). */
  skipAnalysis = false;
  /** @internal When it opened (epoch ms; the timeout sweep counts from it). */
  readonly createdAt: number;
  /** @internal Links of the recorder's open-segment list (`OpenSegments`), and whether this segment is in it. */
  prevOpen: Segment | undefined = undefined;
  /** @internal */
  nextOpen: Segment | undefined = undefined;
  /** @internal */
  listed = false;
  private converted: SegmentObject | undefined;

  constructor(
    /** The recorder that made this segment (front-ends check a span is theirs by it). */
    readonly recorder: Recorder,
    readonly traceId: string,
    private readonly onClose: (segment: Segment) => void,
    createdAt: number = Date.now(),
  ) {
    this.createdAt = createdAt;
    this.service = recorder.service;
    this.instance = recorder.instance;
    this.limits = recorder.limits;
    this.counters = recorder.counters;
  }

  /** @internal Start a span in this segment under `parent` (undefined: the local root); `Recorder.startSpan` is the API. */
  newSpan(parent: RecordedSpan | undefined, operationName: string, startTime: number): RecordedSpan {
    let parentId = -1;
    let anchor = parent;
    while (anchor && anchor.dropped) anchor = anchor.anchor;
    if (anchor) parentId = anchor.id;
    this.open++;
    if (this.spanCount >= this.limits.spanLimit) {
      this.sizeLimited = true;
      this.counters.spansDropped++;
      return new RecordedSpan(this, -1, parentId, operationName, startTime, anchor ?? this.firstSpan);
    }
    const span = new RecordedSpan(this, this.spanCount++, parentId, operationName, startTime);
    if (this.skipAnalysis) span.skipAnalysis = true;
    if (this.lastStarted) this.lastStarted.nextStarted = span;
    else this.firstSpan = span;
    this.lastStarted = span;
    return span;
  }

  /** @internal Called by `RecordedSpan.finish`. */
  spanFinished(span: RecordedSpan): void {
    if (!span.dropped) this.appendFinished(span);
    if (--this.open === 0 && !this.closed) this.close();
  }

  private appendFinished(span: RecordedSpan): void {
    if (this.lastFinished) this.lastFinished.nextFinished = span;
    else this.firstFinished = span;
    this.lastFinished = span;
  }

  /**
   * The parent endpoint this segment gives its children and callees, by the Java agent's rule:
   * the operation name of the first Entry span, else of span 0.
   */
  primaryEndpoint(): string {
    for (let s = this.firstSpan; s; s = s.nextStarted) {
      if (s.type === SpanType.Entry) return s.operationName;
    }
    return this.firstSpan?.operationName ?? '';
  }

  /** Close now with spans still open (the timeout): they end now and are marked forced. */
  forceClose(now: number = Date.now()): void {
    if (this.closed) return;
    for (let span = this.firstSpan; span; span = span.nextStarted) {
      if (!span.finished) {
        span.forced = true;
        span.finished = true;
        span.endTime = Math.max(now, span.startTime);
        this.appendFinished(span);
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

  /**
   * Run each finished span's front-end mapping (`finalize`) once, then let go of its source. This
   * is the late mapping (see `RecordedSpan.finalize`): it runs when the segment is encoded, called
   * by the reporter from `report()`, so an error here is the mapping's (a throwing attribute getter,
   * a broken SDK span). It is contained per span: the span keeps the fields it had, the error is
   * counted (`stats().recorder.finalizeErrors`) and said once per minute with the span's name.
   */
  private finalizeSpans(): void {
    for (let span = this.firstFinished; span; span = span.nextFinished) {
      if (span.finalize) {
        try {
          span.finalize(span);
        } catch (err) {
          this.counters.finalizeErrors++;
          let reason: string;
          try {
            reason = String(err);
          } catch {
            reason = 'an error that cannot be printed';
          }
          log(
            'warn',
            'segment.finalize',
            `mapping span "${span.operationName}" to SkyWalking failed (${reason}); it is reported with the fields it had (name, times, kind, ids) and counted in stats().recorder.finalizeErrors`,
            60_000,
            span.operationName,
          );
        }
        span.finalize = undefined;
        span.source = undefined;
      }
    }
  }

  /** The closed segment as a `SegmentCollection` entry (what the gRPC reporter queues and sends). */
  encode(writer?: ProtoWriter): Buffer {
    this.finalizeSpans();
    return encodeSegment(this, writer);
  }

  /** The closed segment as its marked line, newline included (what the line reporter queues and writes). */
  line(writer: JsonWriter): Buffer {
    this.finalizeSpans();
    return encodeSegmentLine(this, writer);
  }

  /** The wire form as plain objects (console and memory reporters). Runs `finalize` first; cached. */
  toSegmentObject(): SegmentObject {
    if (this.converted) return this.converted;
    this.finalizeSpans();
    const spans: SpanObject[] = [];
    for (let span = this.firstFinished; span; span = span.nextFinished) {
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
    refType: RefType.CrossThread,
    traceId: seg.traceId,
    parentTraceSegmentId: seg.segmentId,
    parentSpanId: p ? p.id : 0,
    parentService: seg.service,
    parentServiceInstance: seg.instance,
    parentEndpoint: seg.primaryEndpoint(),
    networkAddressUsedAtPeer: '',
  };
}
