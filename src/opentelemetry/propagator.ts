import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { type BridgeOptions, type ResolvedConfig, resolveConfig } from '../base/config';
import { hexSpanIdOf, hexTraceIdOf } from '../base/ids';
import { SpanType } from '../base/model';
import { decodeCorrelation, encodeCorrelation } from '../propagation/correlation';
import { decodeSw8x, encodeSw8x } from '../propagation/extension';
import { type HeaderNames, headerNames } from '../propagation/headers';
import { LEGACY_HEADERS, extractLegacy, injectLegacy } from '../propagation/legacy';
import { decodeSw8, encodeSw8 } from '../propagation/sw8';
import { registered } from '../segment/span-registry';
import { appTraceIdOf } from '../propagation/trace-id-header';
import { SpanKind, requireOtelApi } from './api';
import { operationNameOf, peerOfAttributes } from './attributes';
import { isTracingSuppressed } from './quiet';
import { injectUnrecorded } from './unsampled';
import {
  LEGACY_PARENT_KEY,
  REMOTE_SW8_KEY,
  RPC_METADATA_KEY,
  rememberOriginalTraceId,
  rememberRemote,
} from './registry';
import type { ReadableSpanLike } from './types';

export type SkyWalkingPropagatorOptions = Pick<
  BridgeOptions,
  | 'namespace'
  | 'correlationMaxElements'
  | 'correlationMaxValueLength'
  | 'legacyExtract'
  | 'legacyInject'
  | 'traceIdHeader'
>;

interface RpcMetadata {
  route?: string;
  span?: unknown;
}

/**
 * An OpenTelemetry `TextMapPropagator` for `sw8`, `sw8-correlation` and `sw8-x`. Inject needs the
 * `SkyWalkingSpanProcessor` (it holds each span's SkyWalking identity); extract works alone. Baggage
 * travels as `sw8-correlation`. Works inside a `CompositePropagator`. Never throws.
 */
export class SkyWalkingPropagator {
  private readonly api: ReturnType<typeof requireOtelApi>;
  private readonly config: ResolvedConfig;
  private readonly headers: HeaderNames;

  constructor(options: SkyWalkingPropagatorOptions = {}) {
    this.api = requireOtelApi('SkyWalkingPropagator');
    const o = options ?? {};
    this.config = resolveConfig({
      namespace: o.namespace,
      correlationMaxElements: o.correlationMaxElements,
      correlationMaxValueLength: o.correlationMaxValueLength,
      legacyExtract: o.legacyExtract,
      legacyInject: o.legacyInject,
      traceIdHeader: o.traceIdHeader,
    });
    this.headers = headerNames(this.config.namespace);
  }

  fields(): string[] {
    const own = [this.headers.sw8, this.headers.correlation, this.headers.extension];
    if (this.config.traceIdHeader !== '') own.push(this.config.traceIdHeader);
    return this.config.legacyInject.length > 0 ? [...own, ...LEGACY_HEADERS] : own;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      this.write(context, carrier, setter);
    } catch {
      // never into the application
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      return this.read(context, carrier, getter);
    } catch {
      return context;
    }
  }

  private write(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const api = this.api;
    const sdkSpan = api.trace.getSpan(context) as unknown as ReadableSpanLike | undefined;
    const recorded = registered(sdkSpan);
    if (!sdkSpan || !recorded) {
      const sc = api.trace.getSpanContext(context);
      if (sc) injectUnrecorded(context, sc, { api, config: this.config, headers: this.headers, carrier, setter });
      return;
    }
    const segment = recorded.segment;
    const recorder = segment.recorder;
    // the peer now, so the Exit span's peer and the sw8 address are the same string
    const attrs = sdkSpan.attributes ?? {};
    if (recorded.peer === '' && !recorded.finished) recorded.peer = peerOfAttributes(attrs);
    // an Exit child is named from its attributes only now (the processor left it its OTel name)
    if (recorded.type === SpanType.Exit && !recorded.finished) {
      const name = operationNameOf(sdkSpan, SpanType.Exit);
      if (typeof name === 'string' && name !== '') recorded.operationName = name;
    }
    // the Entry span's endpoint now, if a web framework has found the route by now
    const rpc = context.getValue(RPC_METADATA_KEY) as RpcMetadata | undefined;
    if (rpc && typeof rpc.route === 'string' && rpc.route !== '') {
      const entrySpan = registered(rpc.span);
      if (entrySpan && entrySpan.type === SpanType.Entry && !entrySpan.finished) {
        entrySpan.operationName = operationNameOf(rpc.span as ReadableSpanLike, SpanType.Entry, rpc.route);
      }
    }
    const sw8 = encodeSw8(recorder.carrierFor(recorded, peerOfAttributes(attrs) || undefined));
    if (!sw8) return;
    setter.set(carrier, this.headers.sw8, sw8);

    const baggage = api.propagation.getBaggage(context);
    if (baggage) {
      const entries = baggage.getAllEntries().map(([k, v]) => [k, v.value] as [string, string]);
      const corr = encodeCorrelation(entries, {
        maxElements: this.config.correlationMaxElements,
        maxValueLength: this.config.correlationMaxValueLength,
      });
      if (corr) setter.set(carrier, this.headers.correlation, corr);
    }
    if (this.config.traceIdHeader !== '') setter.set(carrier, this.config.traceIdHeader, segment.traceId);
    const producer = sdkSpan.kind === SpanKind.PRODUCER;
    setter.set(
      carrier,
      this.headers.extension,
      encodeSw8x({ skipAnalysis: segment.skipAnalysis, sendingTimestamp: producer ? Date.now() : undefined }),
    );

    if (recorder.config.legacyInject.length > 0) {
      const sc = api.trace.getSpanContext(context);
      const baggageEntries = baggage
        ? baggage.getAllEntries().map(([k, v]) => [k, v.value] as [string, string])
        : undefined;
      injectLegacy(
        recorder.config.legacyInject,
        {
          traceId: sc?.traceId ?? segment.traceId,
          spanId: sc?.spanId ?? hexSpanIdOf(segment.segmentId, recorded.id),
          sampled: !recorder.isUnsampled(segment),
          baggage: baggageEntries,
        },
        (name, value) => setter.set(carrier, name, value),
      );
    }
  }

  private read(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const api = this.api;
    let lowerKeys: Map<string, string> | undefined;
    const keys = (): Map<string, string> => {
      if (!lowerKeys) {
        lowerKeys = new Map();
        try {
          for (const k of getter.keys(carrier).slice(0, 512))
            if (typeof k === 'string') lowerKeys.set(k.toLowerCase(), k);
        } catch {
          // no keys
        }
      }
      return lowerKeys;
    };
    const get = (name: string): string | undefined => {
      let v: unknown;
      try {
        v = getter.get(carrier, name);
        if (v === undefined) {
          const actual = keys().get(name);
          if (actual !== undefined && actual !== name) v = getter.get(carrier, actual);
        }
      } catch {
        return undefined;
      }
      if (Array.isArray(v)) v = v[0];
      return typeof v === 'string' ? v : undefined;
    };
    const limits = {
      maxElements: this.config.correlationMaxElements,
      maxValueLength: this.config.correlationMaxValueLength,
    };

    const sw8 = decodeSw8(get(this.headers.sw8));
    if (sw8) {
      const traceId = hexTraceIdOf(sw8.traceId);
      const spanId = hexSpanIdOf(sw8.segmentId, sw8.spanId);
      rememberOriginalTraceId(traceId, sw8.traceId);
      const ext = decodeSw8x(get(this.headers.extension));
      const remote = { sw8, ext, otelTraceId: traceId, otelSpanId: spanId };
      rememberRemote(spanId, remote);
      let ctx = api.trace.setSpanContext(context, { traceId, spanId, traceFlags: sw8.sample, isRemote: true });
      ctx = ctx.setValue(REMOTE_SW8_KEY, remote);
      return this.withBaggage(ctx, decodeCorrelation(get(this.headers.correlation), limits));
    }
    if (this.config.legacyExtract) {
      const legacy = extractLegacy(get, () => keys().keys());
      if (legacy) {
        let ctx = api.trace.setSpanContext(context, {
          traceId: legacy.traceId,
          spanId: legacy.spanId,
          traceFlags: legacy.sampled ? 1 : 0,
          isRemote: true,
        });
        ctx = ctx.setValue(LEGACY_PARENT_KEY, { format: legacy.format });
        const baggage = new Map(legacy.baggage);
        for (const [k, v] of decodeCorrelation(get(this.headers.correlation), limits)) baggage.set(k, v);
        return this.withBaggage(ctx, baggage);
      }
    }
    if (this.config.traceIdHeader !== '') {
      const appTraceId = appTraceIdOf(get(this.config.traceIdHeader));
      if (appTraceId) {
        // the OTel trace id is the id itself when it is 32 hex, else its hash; the processor starts the
        // SkyWalking trace under the original (as for a Java sw8 id)
        const traceId = hexTraceIdOf(appTraceId);
        rememberOriginalTraceId(traceId, appTraceId);
        const ctx = api.trace.setSpanContext(context, {
          traceId,
          spanId: hexSpanIdOf(appTraceId, 0),
          traceFlags: 1,
          isRemote: true,
        });
        return this.withBaggage(ctx, decodeCorrelation(get(this.headers.correlation), limits));
      }
    }
    return context;
  }

  private withBaggage(ctx: Context, entries: Map<string, string>): Context {
    if (entries.size === 0) return ctx;
    const api = this.api;
    let baggage = api.propagation.getBaggage(ctx) ?? api.propagation.createBaggage();
    for (const [k, v] of entries) baggage = baggage.setEntry(k, { value: v });
    return api.propagation.setBaggage(ctx, baggage);
  }
}
