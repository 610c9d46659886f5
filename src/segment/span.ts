import { type KeyStringValuePair, type LogObject, type SegmentReference, SpanLayer, SpanType } from '../base/model';
import { safeString } from './values';
import type { Segment } from './segment';
import { checkedEpochMs } from './time';

/**
 * The key under which a front-end's span object (an OpenTracing span or span context) answers the
 * recorded span it stands for, so the layers below the front-ends (the log path's `traceContext`)
 * find it without knowing the front-ends' classes. Not `Symbol.for`: only this copy's classes have it.
 */
export const RECORDED_SPAN: unique symbol = Symbol('skywalking-bridge.recorded-span');

/**
 * One span in a segment. Fields are plain and public so front-ends can set them cheaply; the
 * setters below bound and stringify. A span can be `dropped` (its segment hit the span limit):
 * it still works for the caller but is not reported, and its children attach to `anchor`.
 */
export class RecordedSpan {
  operationName: string;
  type: SpanType = SpanType.Local;
  layer: SpanLayer = SpanLayer.Unknown;
  componentId = 0;
  peer = '';
  isError = false;
  skipAnalysis = false;
  startTime: number;
  endTime = 0;
  tags: KeyStringValuePair[] | undefined;
  logs: LogObject[] | undefined;
  refs: SegmentReference[] | undefined;
  finished = false;
  /** Closed by the segment timeout rather than by `finish()`. */
  forced = false;
  /**
   * The late mapping. A front-end leaves its raw data here when the span ends (OpenTracing: the raw
   * tags; OpenTelemetry: the SDK span) with `finalize`, the one function that maps it onto the
   * fields above (operation name, layer, component, peer, tags, logs, error). `Segment` runs
   * `finalize` once per span when the segment is encoded: the reporter's `report()` calls
   * `Segment.encode()` (or `toSegmentObject()`) as the segment closes, and then drops `source`.
   *
   * Why late: span end is on the application's request path, and there it costs two stores; the
   * mapping runs once per span, in one pass over the closed segment just before the encoder reads
   * the same spans (bench/RESULTS.md, the in-process and end-to-end OTel processor cases, measures
   * this path). What it means: until its segment is encoded a span's fields are not final (the OTel
   * propagator names an Exit span itself when it injects), and a segment keeps its spans' SDK
   * objects until it closes (bounded by maxOpenSegments and segmentTimeoutMs). A mapping that throws
   * is contained per span, counted and logged (`Segment.finalizeSpans`).
   * @internal
   */
  source: unknown;
  /** @internal Maps `source` onto this span's fields; see `source`. Run once, then cleared. */
  finalize: ((span: RecordedSpan) => void) | undefined;
  /** @internal The segment's next recorded span in start order, and in finish order (its span lists). */
  nextStarted: RecordedSpan | undefined = undefined;
  /** @internal */
  nextFinished: RecordedSpan | undefined = undefined;

  constructor(
    readonly segment: Segment,
    /** Int id in the segment, in start order; -1 for a dropped span. */
    readonly id: number,
    readonly parentId: number,
    operationName: string,
    startTime: number,
    /** For a dropped span: the recorded span its children hang under. */
    readonly anchor: RecordedSpan | undefined = undefined,
  ) {
    this.operationName = operationName;
    this.startTime = startTime;
  }

  get dropped(): boolean {
    return this.id < 0;
  }

  /** Add a tag, bounded: key and value cut to the limits, at most `tagsPerSpan` tags. Ignored after finish. */
  addTag(key: string, value: unknown): void {
    if (!this.finished) this.appendTag(key, value);
  }

  /** Add a tag even after finish (for `finalize` mappings), bounded like `addTag`. */
  appendTag(key: string, value: unknown): void {
    const limits = this.segment.limits;
    const tags = (this.tags ??= []);
    if (tags.length >= limits.tagsPerSpan) {
      this.segment.counters.tagsDropped++;
      return;
    }
    tags.push({ key: safeString(key, limits.tagKeyMaxLength), value: safeString(value, limits.tagValueMaxLength) });
  }

  /** Set a tag, replacing an earlier one with the same key. */
  setTag(key: string, value: unknown): void {
    if (this.finished) return;
    const tags = this.tags;
    if (tags) {
      for (let i = 0; i < tags.length; i++) {
        if (tags[i]!.key === key) {
          tags[i] = { key, value: safeString(value, this.segment.limits.tagValueMaxLength) };
          return;
        }
      }
    }
    this.addTag(key, value);
  }

  /** Add a log (fields stringified and bounded), at most `logsPerSpan` logs; at `time` (epoch ms), or now. */
  log(fields: Iterable<readonly [string, unknown]>, time?: number): void {
    if (!this.finished) this.appendLog(fields, time);
  }

  /** Add a log even after finish (for `finalize` mappings), bounded like `log`. */
  appendLog(fields: Iterable<readonly [string, unknown]>, time?: number): void {
    const limits = this.segment.limits;
    const logs = (this.logs ??= []);
    if (logs.length >= limits.logsPerSpan) {
      this.segment.counters.logsDropped++;
      return;
    }
    const data: KeyStringValuePair[] = [];
    for (const [k, v] of fields) {
      if (data.length >= limits.tagsPerSpan) break;
      data.push({ key: safeString(k, limits.tagKeyMaxLength), value: safeString(v, limits.tagValueMaxLength) });
    }
    logs.push({ time: this.timeMs(time), data });
  }

  /** A log's time as whole epoch ms: now when absent, and now (counted) when not a plausible epoch time. */
  private timeMs(time: number | undefined): number {
    const now = Date.now();
    if (time === undefined) return now;
    const t = checkedEpochMs(time, now);
    if (!Number.isNaN(t)) return t;
    this.segment.counters.timesReplaced++;
    return now;
  }

  /** Set the span type; ignored after finish. */
  setType(type: SpanType): void {
    if (this.finished) return;
    this.type = type;
  }

  /** Finish the span; the segment closes when its last open span finishes. Idempotent. */
  finish(endTime?: number): void {
    if (this.finished) return;
    this.finished = true;
    const now = Date.now();
    let end = now;
    if (endTime !== undefined) {
      end = checkedEpochMs(endTime, now);
      if (Number.isNaN(end)) {
        this.segment.counters.timesReplaced++;
        end = now;
      } else if (end < this.startTime) {
        this.segment.counters.endsBeforeStart++;
      }
    }
    // never before the start: a zero duration (also when now is before a start given a little ahead)
    this.endTime = end < this.startTime ? this.startTime : end;
    this.segment.spanFinished(this);
  }
}
