import { safeString } from '../segment/values';
import type * as OT from 'opentracing';
import { RECORDED_SPAN, type RecordedSpan } from '../segment/span';
import { SpanBase } from './opentracing-api';
import { SkyWalkingSpanContext } from './span-context';
import { type RawTags, applyOpenTracingTags, spanTypeOfKind } from './tags';
import { errorLogFields, isErrorLog } from './logs';

function finalizeSpan(span: RecordedSpan): void {
  applyOpenTracingTags(span, span.source as RawTags);
}

/**
 * An OpenTracing Span recording into a SkyWalking segment. Tags are kept raw (flat: key, value,
 * ...) and mapped when the segment closes; `span.kind` is applied at once (it decides the
 * parent-endpoint rule). Its span context is made on the first `context()` (a child started with
 * `childOf: span` needs none) or when baggage comes in. Nothing here throws; calls after finish
 * are ignored.
 */
export class SkyWalkingSpan extends SpanBase {
  private readonly rawTags: unknown[] = [];
  private spanContext: SkyWalkingSpanContext | undefined;

  /** @internal Made by `SkyWalkingTracer.startSpan`; `baggage`: the parent's, copied. */
  constructor(
    private readonly owner: OT.Tracer,
    /** @internal */
    readonly recorded: RecordedSpan,
    baggage: Map<string, string> | undefined,
    /** Raw tags kept at most, times 2 (a key and a value each). */
    private readonly maxRawTags: number,
  ) {
    super();
    recorded.source = this.rawTags;
    recorded.finalize = finalizeSpan;
    this.spanContext =
      baggage === undefined ? undefined : new SkyWalkingSpanContext(recorded, undefined, undefined, baggage);
  }

  /** @internal This span's baggage items, if it has any (children copy them). */
  get baggage(): Map<string, string> | undefined {
    return this.spanContext?.baggage;
  }

  /** @internal The recorded span, for the log path (`traceContext`). */
  get [RECORDED_SPAN](): RecordedSpan {
    return this.recorded;
  }

  protected override _context(): SkyWalkingSpanContext {
    return (this.spanContext ??= new SkyWalkingSpanContext(this.recorded, undefined, undefined, undefined));
  }

  protected override _tracer(): OT.Tracer {
    return this.owner;
  }

  override setOperationName(name: string): this {
    if (!this.recorded.finished && typeof name === 'string' && name !== '') this.recorded.operationName = name;
    return this;
  }

  override setTag(key: string, value: unknown): this {
    if (this.recorded.finished || typeof key !== 'string') return this;
    if (this.rawTags.length >= this.maxRawTags) {
      this.recorded.segment.counters.tagsDropped++;
      return this;
    }
    this.rawTags.push(key, value);
    if (key === 'span.kind') {
      const t = spanTypeOfKind(value);
      if (t !== undefined) this.recorded.type = t;
    }
    return this;
  }

  override addTags(keyValueMap: { [key: string]: unknown }): this {
    if (keyValueMap === null || typeof keyValueMap !== 'object') return this;
    try {
      for (const key of Object.keys(keyValueMap)) this.setTag(key, keyValueMap[key]);
    } catch {
      // a throwing getter on the map: keep what we have
    }
    return this;
  }

  override setBaggageItem(key: string, value: string): this {
    if (typeof key === 'string' && key !== '') {
      const context = this._context();
      if (value === undefined || value === null || value === '') context.baggage?.delete(key);
      // baggage travels in headers: only text; anything else is stringified safely and bounded
      // (the correlation limits then decide what is propagated)
      else (context.baggage ??= new Map()).set(key, typeof value === 'string' ? value : safeString(value, 1024));
    }
    return this;
  }

  override getBaggageItem(key: string): string | undefined {
    return typeof key === 'string' ? this.spanContext?.baggage?.get(key) : undefined;
  }

  override log(keyValuePairs: { [key: string]: unknown }, timestamp?: number): this {
    if (this.recorded.finished || keyValuePairs === null || typeof keyValuePairs !== 'object') return this;
    try {
      const entries = Object.entries(keyValuePairs);
      if (isErrorLog(keyValuePairs)) {
        this.recorded.isError = true;
        this.recorded.log(errorLogFields(entries), timestamp);
      } else {
        this.recorded.log(entries, timestamp);
      }
    } catch {
      // a throwing getter: nothing to log
    }
    return this;
  }

  override logEvent(eventName: string, payload: unknown): this {
    const fields: { [key: string]: unknown } = { event: eventName };
    if (payload !== undefined) fields.payload = payload;
    return this.log(fields);
  }

  override finish(finishTime?: number): void {
    this.recorded.finish(finishTime);
  }
}
