/**
 * What a pino logger of the application is configured with (`skywalkingMixin`, `spanSerializers`,
 * `spanBindings`): the SkyWalking ids of the log call's span in each line, as the carrier
 * (src/logs/carrier.ts) that the workers read.
 */
import { carrierKeyAbove, carrierRankIn } from '../logs/carrier';
import { logFieldsOf, packedOfRecorded } from '../logs/fields';
import { recordedSpanOf } from '../logs/trace-context';

export type { SkyWalkingLogFields } from '../logs/fields';

/**
 * @internal Where the mixin leaves its carrier out of band, on the object pino writes (a symbol:
 * no logged data holds it, pino does not print it): `skywalkingDestination` reads it there
 * (pino's `lastObj`), so in its lines no carrier in the text counts.
 */
export const MIXIN_IDS: unique symbol = Symbol('skywalking-bridge.mixin-ids');

let made = false;

/** Whether any `skywalkingMixin` was made: until then no logged object can hold `MIXIN_IDS`. */
export function mixinsMade(): boolean {
  return made;
}

export interface SkyWalkingMixinOptions {
  /** The key of a span passed in a log call (`logger.info({ span }, 'msg')`), OpenTracing or OTel. Default `span`. */
  spanKey?: string;
  /**
   * `packed` (default): the carrier alone, `sw_ctx: "traceId|segmentId|spanId|service|instance|endpoint"`
   * (one field costs pino a fraction of six; the trace id SkyWalking shows is its first part).
   * `all`: also readable copies `trace_id`, `segment_id`, `span_id`, `sw_service`, `sw_instance`,
   * `sw_endpoint`; `ids`: also `trace_id`, `segment_id`, `span_id`. The copies are printed, never
   * read back as ids; the reporter leaves them out of the body.
   */
  fields?: 'packed' | 'all' | 'ids';
}

/**
 * A pino `mixin`: the carrier of the span passed in the log call under `spanKey`, else of the
 * active OTel context; outside a recorded span none (an empty one when the logged object has
 * carrier-like keys). The carrier goes under a key the logged
 * object does not hold (`sw_ctx`, else `sw_ctx~`, …), so what the application logs stays its data.
 * OpenTelemetry's pino instrumentation stamps `trace_id`, `span_id`, `trace_flags` (and with the
 * register's hook `segment_id`) before this mixin: in `packed` mode they are left out of the line
 * (undefined values, which pino does not write), in the other modes SkyWalking's ids replace them,
 * unless the logged object has them itself. Never throws.
 */
export function skywalkingMixin(options: SkyWalkingMixinOptions = {}): (mergeObject: object) => object {
  made = true;
  const key = typeof options?.spanKey === 'string' && options.spanKey !== '' ? options.spanKey : 'span';
  const mode = options?.fields === 'ids' || options?.fields === 'all' ? options.fields : 'packed';
  // pino merges the call's object INTO the returned one: always a fresh object
  return (mergeObject: object) => {
    try {
      const given =
        mergeObject !== null && typeof mergeObject === 'object'
          ? (mergeObject as Record<string, unknown>)[key]
          : undefined;
      const span = (given !== undefined && recordedSpanOf(given)) || recordedSpanOf();
      const rank = carrierRankIn(mergeObject);
      // outside a span: an empty carrier only above the logged object's own carrier-like keys (so
      // none of them counts as ids); else none, and a child's `spanBindings` carrier holds
      if (!span && rank < 0)
        return { trace_id: undefined, segment_id: undefined, span_id: undefined, trace_flags: undefined };
      const packed = span ? packedOfRecorded(span) : '';
      const out: Record<string | symbol, unknown> = {
        [carrierKeyAbove(rank)]: packed,
        [MIXIN_IDS]: packed,
        trace_id: undefined,
        segment_id: undefined,
        span_id: undefined,
        trace_flags: undefined,
      };
      if (span && mode !== 'packed') {
        const f = logFieldsOf(span)!;
        out.trace_id = f.trace_id;
        out.segment_id = f.segment_id;
        out.span_id = f.span_id;
        if (mode === 'all') {
          out.sw_service = f.sw_service;
          out.sw_instance = f.sw_instance;
          out.sw_endpoint = f.sw_endpoint;
        }
      }
      return out;
    } catch {
      return {};
    }
  };
}

/** pino serializers that leave a span passed under `span` out of the printed record (the mixin has read it). */
export const spanSerializers: Readonly<Record<string, (value: unknown) => undefined>> = Object.freeze({
  span: () => undefined,
});

/**
 * Bindings for a child logger of an OpenTracing (or OTel) span: `logger.child(spanBindings(span))`
 * logs every record of the child with that span's ids (the carrier; a mixin's carrier of an active
 * OTel span, written after it, wins). Empty outside a recorded span.
 */
export function spanBindings(span: unknown): Record<string, string> {
  const recorded = recordedSpanOf(span);
  return recorded ? { sw_ctx: packedOfRecorded(recorded) } : {};
}
