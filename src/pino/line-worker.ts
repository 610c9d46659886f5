/**
 * The worker side of both pino paths (pino's transport worker and `skywalkingDestination`'s): a
 * Bridge (its own channel, no heartbeat) and a `LineSink` of `logBufferBytes` characters whose
 * lines are read (`PinoLineLog`, else `JSON.parse` and `recordOfPino`) and reported.
 */
import { Bridge, type FrontEndOptions } from '../bridge/bridge';
import { type CarriedIds, carrierRank, hasOtelStamp, isCarrierOf, isStamp, unpackIds } from '../logs/carrier';
import { pinoLevelName } from '../logs/levels';
import type { LogRecordInput } from '../logs/record';
import type { LogStats } from '../reporter/types';
import { LineSink } from './line-sink';
import { PinoKeys } from './line';
import { PinoLineLog } from './line-log';
import { OutOfBandIds } from './out-of-band';
import type { PinoRecordOptions, SkyWalkingPinoTransportOptions } from './options';

/** Keys of a pino record that are not part of the reported body. */
const META = new Set<string>(['level', 'time', 'pid', 'hostname', 'name', 'v']);

/**
 * A parsed pino line as a log record: level name, `name` as logger, `time`, the error (`err`); the
 * ids of its carrier (the carrier-like key of highest rank), else `given`; the body is the message
 * as text, or the record's other fields as JSON when it has any (stamps of the ids left out).
 */
export function recordOfPino(
  obj: Record<string, unknown>,
  options: PinoRecordOptions = {},
  given: CarriedIds | null = null,
  beside = false,
): LogRecordInput {
  const messageKey = options.messageKey ?? 'msg';
  const errorKey = options.errorKey ?? 'err';
  const keys = Object.keys(obj);
  let carrier: string | undefined;
  let rank = -1;
  for (const k of beside ? [] : keys) {
    const r = carrierRank(k);
    if (r >= rank && r >= 0) {
      rank = r;
      carrier = k;
    }
  }
  // an empty carrier: the mixin's outside any span
  let ids = carrier === undefined || obj[carrier] === '' ? null : unpackIds(obj[carrier]);
  if (ids === null && (carrier === undefined || obj[carrier] !== '')) {
    carrier = undefined;
    ids = given;
  }
  let rest: Record<string, unknown> | undefined;
  const otel = hasOtelStamp(obj, ids);
  for (const k of keys) {
    if (META.has(k) || k === errorKey || k === messageKey || k === carrier || isStamp(k, obj[k], ids, otel)) continue;
    if (ids !== null && carrierRank(k) >= 0 && isCarrierOf(obj[k], ids)) continue;
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
    context: ids,
    plainBody: true,
  };
}

/** Keys pino itself puts into a transport's options. */
const PINO_OWN_OPTIONS = new Set<string>(['$context', 'pinoWillSendConfig']);

/** What runs in a log worker: the bridge, the line queue, and the count of lines that were not pino records. */
export interface PinoLineWorker {
  bridge: Bridge;
  sink: LineSink;
  /** Records: the bridge's log stats, plus the lines dropped by the line queue or not JSON objects. */
  stats(): LogStats;
  /** End of input: what waits is reported (within `closeTimeoutMs`, the rest counted dropped), then the bridge shuts down. */
  close(): Promise<LogStats>;
}

/**
 * The worker of a pino path. `outOfBand`: the lines may carry ids before them (`skywalkingDestination`
 * writes them, src/pino/out-of-band.ts); pino's transport stream never does (a line there sets no
 * ids, for itself or others). Throws only a `ConfigError`.
 */
export function pinoLineWorker(
  options: SkyWalkingPinoTransportOptions,
  onChunkDone?: (chars: number) => void,
  outOfBand = false,
): PinoLineWorker {
  const { messageKey, errorKey, closeTimeoutMs, ...given } = options ?? {};
  // pino adds its own keys to a transport's options ($context, pinoWillSendConfig): not ours to warn about
  const bridgeOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) if (!PINO_OWN_OPTIONS.has(k)) bridgeOptions[k] = v;
  const closeWithin = typeof closeTimeoutMs === 'number' && closeTimeoutMs >= 0 ? closeTimeoutMs : 3000;
  const bridge = new Bridge(bridgeOptions as FrontEndOptions, { lateIdentity: true });
  const keys = { messageKey, errorKey };
  const lineLog = new PinoLineLog(bridge.config, bridge.recorder, new PinoKeys(messageKey, errorKey));
  lineLog.beside = outOfBand;
  let notRecords = 0;
  const beside = outOfBand ? new OutOfBandIds() : undefined;
  const sink = new LineSink(
    bridge.config.logBufferBytes,
    (bytes, start, end) => {
      let from = start;
      if (beside) {
        from = beside.read(bytes, start, end);
        lineLog.given = beside.ids;
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
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        notRecords++;
        return;
      }
      bridge.reportLog(recordOfPino(obj as Record<string, unknown>, keys, lineLog.given, outOfBand));
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
