/**
 * The pino transport (`transport: { target: 'skywalking-bridge/pino', options }`, this entry's
 * default export, loaded by pino in its worker thread) and `transportStats`.
 */
import { Writable } from 'node:stream';
import { pinoLineWorker } from './line-worker';
import type { SkyWalkingPinoTransportOptions } from './options';
import type { LogStats } from '../reporter/types';

/** The event a transport's stream emits on the application thread with its log stats. */
export const STATS_EVENT = 'skywalking-stats';
const STATS_REQUEST = 'SKYWALKING_STATS';

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
