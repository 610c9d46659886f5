/**
 * `skywalking-bridge/pino`: SkyWalking ids in pino records, and a pino transport that reports the
 * records to SkyWalking from pino's worker thread.
 *
 * ```js
 * const { skywalkingMixin, spanSerializers } = require('skywalking-bridge/pino');
 * const logger = pino({
 *   mixin: skywalkingMixin(),                 // trace_id, segment_id, span_id, sw_service, sw_instance, sw_endpoint
 *   serializers: spanSerializers,             // `span` passed in a log call is read, not printed
 *   transport: { target: 'skywalking-bridge/pino', options: { serviceName: 'orders' } },
 * });
 * ```
 */
import { Bridge, type FrontEndOptions } from './bridge';
import { type SkyWalkingLogFields, FIELD_KEYS, contextOfFields, idFieldsOf, logFieldsOf } from './logs/fields';
import { pinoLevelName } from './logs/levels';
import type { SkyWalkingLogRecord } from './logs/record';

export type { SkyWalkingLogFields } from './logs/fields';

export interface SkyWalkingMixinOptions {
  /** The key of a span passed in a log call (`logger.info({ span }, 'msg')`), OpenTracing or OTel. Default `span`. */
  spanKey?: string;
  /**
   * `all` (default): the ids and `sw_service`, `sw_instance`, `sw_endpoint`, so the transport reports
   * each record under its segment's service and endpoint. `ids`: only `trace_id`, `segment_id`,
   * `span_id` (cheaper: each field costs pino a few hundred ns per line; the transport then uses its
   * configured service and instance, and no endpoint).
   */
  fields?: 'all' | 'ids';
}

/**
 * A pino `mixin`: the SkyWalking fields of the span passed in the log call under `spanKey`, else of
 * the active OTel context; nothing outside a recorded span. Never throws.
 */
export function skywalkingMixin(options: SkyWalkingMixinOptions = {}): (mergeObject: object) => object {
  const key = typeof options?.spanKey === 'string' && options.spanKey !== '' ? options.spanKey : 'span';
  const fieldsOf = options?.fields === 'ids' ? idFieldsOf : logFieldsOf;
  // pino merges the call's object INTO the returned one: always a fresh object
  return (mergeObject: object) => {
    try {
      const span =
        mergeObject !== null && typeof mergeObject === 'object'
          ? (mergeObject as Record<string, unknown>)[key]
          : undefined;
      return (span !== undefined && fieldsOf(span)) || fieldsOf() || {};
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
 * logs every record of the child with that span's ids. Empty outside a recorded span.
 */
export function spanBindings(span: unknown): Partial<SkyWalkingLogFields> {
  return logFieldsOf(span) ?? {};
}

/** Keys of a pino record that are not part of the reported body. */
const META = new Set<string>(['level', 'time', 'pid', 'hostname', 'name', 'v', ...FIELD_KEYS]);

export interface PinoRecordOptions {
  /** pino's `messageKey`. Default `msg`. */
  messageKey?: string;
  /** pino's `errorKey`. Default `err`. */
  errorKey?: string;
}

/**
 * A parsed pino line as a SkyWalking log record: level name, `name` as logger, `time`, the error
 * (`err`), the SkyWalking fields as the trace context; the body is the message as text, or the
 * record's other fields as JSON when it has any.
 */
export function recordOfPino(obj: Record<string, unknown>, options: PinoRecordOptions = {}): SkyWalkingLogRecord {
  const messageKey = options.messageKey ?? 'msg';
  const errorKey = options.errorKey ?? 'err';
  let rest: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    if (META.has(k) || k === errorKey || k === messageKey) continue;
    rest ??= {};
    rest[k] = obj[k];
  }
  const msg = obj[messageKey];
  let body: unknown;
  if (rest) body = msg === undefined ? rest : { [messageKey]: msg, ...rest };
  else body = typeof msg === 'string' ? msg : msg === undefined ? '' : msg;
  const time = obj.time;
  return {
    body,
    level: pinoLevelName(obj.level),
    logger: typeof obj.name === 'string' ? obj.name : undefined,
    timestamp: typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : undefined,
    error: obj[errorKey],
    context: contextOfFields(obj),
    plainBody: true,
  };
}

/** Options of the transport: the shared options (serializable: they cross to pino's worker) and pino's keys. */
export interface SkyWalkingPinoTransportOptions extends Omit<FrontEndOptions, 'reporter'>, PinoRecordOptions {
  reporter?: 'grpc' | 'console' | 'none';
  /** How long closing the logger (pino ends its transport at exit, blocking) may spend sending what is queued, ms. Default 3000. */
  closeTimeoutMs?: number;
}

/** Keys pino itself puts into a transport's options. */
const PINO_OWN_OPTIONS = new Set<string>(['$context', 'pinoWillSendConfig']);

/**
 * The pino transport (`transport: { target: 'skywalking-bridge/pino', options }`): runs in pino's
 * worker thread, reads the records and reports them over gRPC (its own channel, no heartbeat), so
 * the application thread does no gRPC work. Options and SW_* env as everywhere (`logLevel`,
 * `logMaxBufferSize`, `serviceName`, …). Closing the logger flushes.
 */
export default async function skywalkingTransport(options: SkyWalkingPinoTransportOptions = {}): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = require('pino-abstract-transport') as (
    fn: (source: AsyncIterable<Record<string, unknown>>) => Promise<void>,
    opts: { close: () => Promise<void> },
  ) => unknown;
  const { messageKey, errorKey, closeTimeoutMs, ...given } = options ?? {};
  // pino adds its own keys to a transport's options ($context, pinoWillSendConfig): not ours to warn about
  const bridgeOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) if (!PINO_OWN_OPTIONS.has(k)) bridgeOptions[k] = v;
  const closeWithin = typeof closeTimeoutMs === 'number' && closeTimeoutMs >= 0 ? closeTimeoutMs : 3000;
  const bridge = new Bridge(bridgeOptions as FrontEndOptions, { lateIdentity: true });
  const keys = { messageKey, errorKey };
  return build(
    async (source) => {
      for await (const obj of source) {
        if (obj === null || typeof obj !== 'object') continue;
        try {
          bridge.reportLog(recordOfPino(obj, keys));
        } catch {
          // never fail the worker
        }
      }
    },
    { close: () => bridge.shutdown(closeWithin) },
  );
}
