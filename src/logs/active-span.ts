import { loadOtelApi } from '../base/otel-api';
import type { RecordedSpan } from '../segment/span';
import { registered } from '../segment/span-registry';
import type { OtelIds } from './fields';
import { settleRouteEndpoint } from './route-endpoint';

/**
 * The recorded span of the active OTel context, for a caller that asks on every log line: an OTel
 * `Context` is immutable, so its span is looked up once per context object, and the lines written
 * in one context (a request's burst) cost a context read and a compare (and the route check of
 * `settleRouteEndpoint`). `forget()` lets go of the remembered context (call it once per batch, so
 * nothing is held past it). Never throws.
 */
export class ActiveSpanReader {
  private readonly api = loadOtelApi();
  private context: unknown;
  private span: RecordedSpan | undefined;
  /** The OTel span context of the active span (what OTel's log instrumentations stamp). */
  otel: OtelIds | undefined;

  read(): RecordedSpan | undefined {
    const api = this.api;
    if (!api) return undefined;
    try {
      const active = api.context.active();
      settleRouteEndpoint(active);
      if (active !== this.context) {
        this.context = active;
        const otelSpan = api.trace.getSpan(active);
        this.span = registered(otelSpan);
        this.otel = this.span ? otelSpan?.spanContext() : undefined;
      }
      return this.span;
    } catch {
      return undefined;
    }
  }

  forget(): void {
    this.context = undefined;
    this.span = undefined;
    this.otel = undefined;
  }
}
