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
import { Writable } from 'node:stream';
import { Bridge, type FrontEndOptions } from '../bridge/bridge';
import {
  type SkyWalkingLogFields,
  FIELD_KEYS,
  contextOfFields,
  idFieldsOf,
  logFieldsOf,
  packedFieldsOf,
} from '../logs/fields';
import { pinoLevelName } from '../logs/levels';
import { LineSink } from './line-sink';
import { PinoKeys } from './line';
import { OUT_OF_BAND } from './destination';
import { PackedIdsReader, PinoLineLog } from './line-log';
import type { SkyWalkingLogRecord } from '../logs/record';
import type { PinoRecordOptions, SkyWalkingPinoTransportOptions } from './options';
import type { LogStats } from '../reporter/types';

export type { PinoRecordOptions, SkyWalkingPinoTransportOptions } from './options';

export type { SkyWalkingLogFields } from '../logs/fields';

export interface SkyWalkingMixinOptions {
  /** The key of a span passed in a log call (`logger.info({ span }, 'msg')`), OpenTracing or OTel. Default `span`. */
  spanKey?: string;
  /**
   * `packed` (default): one field, `sw_ctx: "traceId|segmentId|spanId|service|instance|endpoint"`
   * (pino escapes each field it writes: one costs a fraction of six). `all`: the same six values as
   * readable fields `trace_id`, `segment_id`, `span_id`, `sw_service`, `sw_instance`, `sw_endpoint`.
   * `ids`: only `trace_id`, `segment_id`, `span_id` (the records are then reported under the
   * transport's configured service and instance, with no endpoint).
   */
  fields?: 'packed' | 'all' | 'ids';
}

/**
 * A pino `mixin`: the SkyWalking fields of the span passed in the log call under `spanKey`, else of
 * the active OTel context; nothing outside a recorded span. Never throws.
 */
export function skywalkingMixin(options: SkyWalkingMixinOptions = {}): (mergeObject: object) => object {
  const key = typeof options?.spanKey === 'string' && options.spanKey !== '' ? options.spanKey : 'span';
  const fieldsOf = options?.fields === 'ids' ? idFieldsOf : options?.fields === 'all' ? logFieldsOf : packedFieldsOf;
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

const OPEN_BRACE = 123;
const OUT_OF_BAND_BYTE = OUT_OF_BAND.charCodeAt(0);

/** Keys of a pino record that are not part of the reported body. */
const META = new Set<string>(['level', 'time', 'pid', 'hostname', 'name', 'v', ...FIELD_KEYS]);

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

/** Keys pino itself puts into a transport's options. */
const PINO_OWN_OPTIONS = new Set<string>(['$context', 'pinoWillSendConfig']);

/** The event a transport's stream emits on the application thread with its log stats. */
export const STATS_EVENT = 'skywalking-stats';
const STATS_REQUEST = 'SKYWALKING_STATS';

/** What runs in the log worker: the bridge, the line queue, and the count of lines that were not pino records. */
export interface PinoLineWorker {
  bridge: Bridge;
  sink: LineSink;
  /** Records: the bridge's log stats, plus the lines dropped by the line queue or not JSON objects. */
  stats(): LogStats;
  /** End of input: what waits is reported (within `closeTimeoutMs`, the rest counted dropped), then the bridge shuts down. */
  close(): Promise<LogStats>;
}

/**
 * The worker side of both pino paths: a Bridge (its own channel, no heartbeat) and a `LineSink` of
 * `logBufferBytes` characters whose lines are parsed and reported. Throws only a `ConfigError`.
 */
export function pinoLineWorker(
  options: SkyWalkingPinoTransportOptions,
  onChunkDone?: (chars: number) => void,
): PinoLineWorker {
  const { messageKey, errorKey, closeTimeoutMs, ...given } = options ?? {};
  // pino adds its own keys to a transport's options ($context, pinoWillSendConfig): not ours to warn about
  const bridgeOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) if (!PINO_OWN_OPTIONS.has(k)) bridgeOptions[k] = v;
  const closeWithin = typeof closeTimeoutMs === 'number' && closeTimeoutMs >= 0 ? closeTimeoutMs : 3000;
  const bridge = new Bridge(bridgeOptions as FrontEndOptions, { lateIdentity: true });
  const keys = { messageKey, errorKey };
  const lineLog = new PinoLineLog(bridge.config, bridge.recorder, new PinoKeys(messageKey, errorKey));
  let notRecords = 0;
  // skywalkingDestination writes the ids of the active span before a line where they change
  // (`ids\u0001{...}`, src/pino-destination.ts): they hold for the lines after it in the batch
  const ids = new PackedIdsReader();
  const sink = new LineSink(
    bridge.config.logBufferBytes,
    (bytes, start, end) => {
      let from = start;
      if (bytes[start] !== OPEN_BRACE) {
        // within the line only: a search on to the chunk's end would make a chunk of such lines quadratic
        let cut = start;
        while (cut < end && bytes[cut] !== OUT_OF_BAND_BYTE) cut++;
        if (cut < end) {
          lineLog.given = ids.of(bytes, start, cut);
          from = cut + 1;
        }
      }
      if (lineLog.read(bytes, from, end)) {
        bridge.reportLogWriter(lineLog, lineLog.levelName());
        return;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(bytes.toString('utf8', from, end));
      } catch {
        notRecords++;
        return;
      }
      if (obj === null || typeof obj !== 'object') {
        notRecords++;
        return;
      }
      const record = recordOfPino(obj as Record<string, unknown>, keys);
      if (record.context === null) record.context = lineLog.given;
      bridge.reportLog(record);
    },
    onChunkDone,
  );
  const stats = (): LogStats => {
    const logs = bridge.stats().logs ?? { queued: 0, sent: 0, dropped: 0, lost: 0 };
    return { ...logs, dropped: logs.dropped + sink.dropped + notRecords };
  };
  let closing: Promise<LogStats> | undefined;
  const close = (): Promise<LogStats> =>
    (closing ??= (async () => {
      const deadline = Date.now() + closeWithin;
      sink.end();
      await Promise.race([sink.drained(), sleep(closeWithin)]);
      sink.discard();
      await bridge.shutdown(Math.max(0, deadline - Date.now()));
      return stats();
    })());
  return { bridge, sink, stats, close };
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** thread-stream's channel to the application thread (absent when the transport runs in-process). */
function parentPort(): import('node:worker_threads').MessagePort | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:worker_threads') as typeof import('node:worker_threads')).parentPort;
  } catch {
    return null;
  }
}

/**
 * The pino transport (`transport: { target: 'skywalking-bridge/pino', options }`): runs in pino's
 * worker thread, takes the lines off thread-stream's shared buffer as fast as they come (into a queue
 * of `logBufferBytes` characters; past it lines are dropped and counted), and reports the records over
 * gRPC (its own channel, no heartbeat), so the application thread does no gRPC work. Options and
 * SW_* env as everywhere (`logLevel`, `logMaxBufferSize`, `serviceName`, …). Closing the logger
 * flushes. The stream pino returns emits `skywalking-stats` (`transportStats(stream)` asks for it).
 */
export default async function skywalkingTransport(options: SkyWalkingPinoTransportOptions = {}): Promise<unknown> {
  const worker = pinoLineWorker(options);
  const port = parentPort();
  const post = (stats: LogStats): void => {
    try {
      port?.postMessage({ code: 'EVENT', name: STATS_EVENT, args: [stats] });
    } catch {
      // the application thread is gone
    }
  };
  const onMessage = (m: unknown): void => {
    if (m !== null && typeof m === 'object' && (m as { code?: unknown }).code === STATS_REQUEST) post(worker.stats());
  };
  port?.on('message', onMessage);
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, cb) {
      worker.sink.push(typeof chunk === 'string' ? chunk : String(chunk));
      cb();
    },
    final(cb) {
      worker
        .close()
        .then(post)
        .finally(() => {
          port?.off('message', onMessage);
          cb();
        });
    },
  });
  // thread-stream's flush (pino's logger.flush(cb)): what waits has been handed to the reporter
  (stream as Writable & { flush(): Promise<void> }).flush = () => worker.sink.drained();
  return stream;
}

/**
 * The log stats of a pino transport stream (`pino.transport({ target: 'skywalking-bridge/pino' })`):
 * asked of its worker; resolves with undefined after `timeoutMs` if the worker does not answer.
 */
export function transportStats(stream: unknown, timeoutMs = 2000): Promise<LogStats | undefined> {
  return new Promise((resolve) => {
    const s = stream as NodeJS.EventEmitter | null;
    if (!s || typeof s.once !== 'function' || typeof s.emit !== 'function') return resolve(undefined);
    const timer = setTimeout(() => {
      s.off(STATS_EVENT, on);
      resolve(undefined);
    }, timeoutMs);
    const on = (stats: LogStats): void => {
      clearTimeout(timer);
      resolve(stats);
    };
    s.once(STATS_EVENT, on);
    try {
      s.emit('message', { code: STATS_REQUEST });
    } catch {
      clearTimeout(timer);
      s.off(STATS_EVENT, on);
      resolve(undefined);
    }
  });
}
