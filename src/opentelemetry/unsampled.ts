import type { Context, SpanContext, TextMapSetter } from '@opentelemetry/api';
import type { ResolvedConfig } from '../base/config';
import { log } from '../base/diag';
import { encodeCorrelation } from '../propagation/correlation';
import type { HeaderNames } from '../propagation/headers';
import { injectLegacy } from '../propagation/legacy';
import { encodeSw8 } from '../propagation/sw8';
import type { Recorder } from '../segment/recorder';
import type { requireOtelApi } from './api';
import { originalTraceId } from './registry';

/**
 * Spans the processor did not record: unsampled ones still propagate (sw8 sample flag `0`), so one
 * sampling decision holds across services; the "no processor" warning is only for the case where
 * no `SkyWalkingSpanProcessor` exists at all.
 */

/** Recorders of the processors in this process that are not shut down. */
const live = new Set<Recorder>();

export function processorStarted(recorder: Recorder): void {
  live.add(recorder);
}

export function processorStopped(recorder: Recorder): void {
  live.delete(recorder);
}

/** Placeholder for the endpoint and address of an unsampled parent: nothing was recorded to name them. */
export const UNSAMPLED_FIELD = '-';

export interface UnrecordedTarget {
  api: ReturnType<typeof requireOtelApi>;
  config: ResolvedConfig;
  headers: HeaderNames;
  carrier: unknown;
  setter: TextMapSetter;
}

/**
 * Inject for a span no processor recorded. Unsampled (trace flags without the sampled bit): an sw8
 * with sample flag `0`, the trace id, the span id as parent segment id, span id 0, `-` for endpoint
 * and address; baggage and legacy headers (sampled = false) as for a recorded span. Sampled but not
 * recorded: nothing written; a warning once an hour only when no processor exists in the process.
 */
export function injectUnrecorded(context: Context, sc: SpanContext, t: UnrecordedTarget): void {
  const { api, config } = t;
  if (!api.isSpanContextValid(sc)) return;
  if ((sc.traceFlags & 1) === 0) {
    const owner = live.values().next().value as Recorder | undefined;
    const traceId = originalTraceId(sc.traceId);
    const sw8 = encodeSw8({
      sample: 0,
      traceId,
      segmentId: sc.spanId,
      spanId: 0,
      service: owner?.service ?? config.serviceName,
      instance: owner?.instance ?? config.serviceInstance,
      endpoint: UNSAMPLED_FIELD,
      address: UNSAMPLED_FIELD,
    });
    if (!sw8) return;
    t.setter.set(t.carrier, t.headers.sw8, sw8);
    const baggage = api.propagation.getBaggage(context);
    const entries = baggage ? baggage.getAllEntries().map(([k, v]) => [k, v.value] as [string, string]) : undefined;
    if (entries) {
      const corr = encodeCorrelation(entries, {
        maxElements: config.correlationMaxElements,
        maxValueLength: config.correlationMaxValueLength,
      });
      if (corr) t.setter.set(t.carrier, t.headers.correlation, corr);
    }
    if (config.legacyInject.length > 0) {
      injectLegacy(
        config.legacyInject,
        { traceId, spanId: sc.spanId, sampled: false, baggage: entries },
        (name, value) => t.setter.set(t.carrier, name, value),
      );
    }
    return;
  }
  // a remote parent with no local span yet (extract then inject): nothing of ours to name
  if (sc.isRemote === true) return;
  if (live.size === 0) {
    log(
      'warn',
      'otel.propagator.noprocessor',
      'SkyWalkingPropagator: no SkyWalkingSpanProcessor is running in this process, so outgoing calls carry no sw8 header and the services they reach start traces of their own. Add `new SkyWalkingSpanProcessor()` to the SDK (`spanProcessors`); `SkyWalkingTraceExporter` alone cannot write sw8.',
      3_600_000,
    );
  } else {
    log(
      'debug',
      'otel.propagator.foreign',
      'SkyWalkingPropagator: a span from a tracer provider without a SkyWalkingSpanProcessor was not propagated.',
      3_600_000,
    );
  }
}
