/**
 * `skywalkingDestination(options)`: a pino destination that reports its records to SkyWalking
 * from a worker thread, without thread-stream. The application thread joins the lines into
 * batches (what came within one turn of the event loop, up to 1 M characters) and posts one
 * message per batch; the lines posted and not yet handed on by the worker, with those waiting for
 * their batch, are at most `logBufferBytes` characters: past it a line is dropped and counted
 * (`stats()`), never waited for. At exit the application thread waits up to `closeTimeoutMs` for
 * the worker to send what is queued.
 *
 * The ids of the span active in each log call go beside the lines, only where they change
 * (src/pino/out-of-band.ts): they hold for the line and the lines after it in the same batch; a
 * batch's first line always has them. The lines of one request so cost no ids in the batch, and
 * the worker reads them once.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveConfig } from '../base/config';
import { log } from '../base/diag';
import { ActiveSpanReader } from '../logs/active-span';
import { packedOfRecorded } from '../logs/fields';
import { outOfBandHead } from './out-of-band';
import { OtelStampRemover } from './otel-stamps';
import { MIXIN_IDS } from './mixin';
import { onLogShutdown } from '../logs/shutdown-hooks';
import type { SkyWalkingPinoTransportOptions } from './options';
import type { LogStats } from '../reporter/types';

/**
 * A batch is posted at the end of the event loop turn, so the worker's work does not compete with
 * the application's burst for the cores; earlier only when it holds this many characters.
 */
const BATCH_CHARS = 1024 * 1024;

export interface SkyWalkingDestination {
  /** pino's destination call: one line (with its newline). Never throws, never waits. */
  write(line: string): boolean;
  /** Post what waits, let the worker hand it to the reporter and flush it; then `cb`. */
  flush(cb?: (err?: Error | null) => void): void;
  /** The log stats: the worker's (sent, dropped, lost, queued, filtered) with the lines dropped here. */
  stats(timeoutMs?: number): Promise<LogStats>;
  /** Send what is queued (within `closeTimeoutMs`), stop the worker; the final stats. Idempotent. */
  close(): Promise<LogStats>;
  end(): void;
}

export interface SkyWalkingDestinationOptions extends SkyWalkingPinoTransportOptions {
  /**
   * Read the ids of the OTel span active in the log call when the line is written, and send them
   * beside the line (default true): no mixin is needed for the records to land under their span.
   * The ids `skywalkingMixin` gives the line (of an OpenTracing or OTel span passed in the call)
   * win; a carrier in the line's text never counts here (it may be logged data).
   */
  idsFromContext?: boolean;
}

function workerFile(): string {
  const here = join(__dirname, 'worker.js');
  // run from the TypeScript sources (tests): the built worker
  return existsSync(here) ? here : resolve(__dirname, '..', '..', 'dist', 'pino', 'worker.js');
}

/**
 * A pino destination to SkyWalking: `pino({ mixin: skywalkingMixin() }, skywalkingDestination({ serviceName: 'orders' }))`.
 * The options are the transport's (serializable); bad ones throw a `ConfigError` here.
 */
export function skywalkingDestination(options: SkyWalkingDestinationOptions = {}): SkyWalkingDestination {
  // validate here, where the mistake is made (the worker resolves them again)
  const { closeTimeoutMs, ...bridgeOptions } = options ?? {};
  delete bridgeOptions.idsFromContext;
  const workerOptions: SkyWalkingPinoTransportOptions = { ...bridgeOptions, closeTimeoutMs };
  delete bridgeOptions.messageKey;
  delete bridgeOptions.errorKey;
  const max = resolveConfig(bridgeOptions as never).logBufferBytes;
  const fromContext = options?.idsFromContext !== false;
  const closeWithin = typeof closeTimeoutMs === 'number' && closeTimeoutMs >= 0 ? closeTimeoutMs : 3000;
  const state = new Int32Array(new SharedArrayBuffer(8));
  let worker: Worker | undefined;
  try {
    worker = new Worker(workerFile(), {
      workerData: { options: workerOptions, state: state.buffer },
      name: 'skywalking-logs',
    });
    worker.on('error', (e) => {
      log('error', 'logs.worker', `the SkyWalking log worker failed (${e.message}); log records are dropped`);
      dead = true;
    });
    worker.on('exit', () => {
      dead = true;
      for (const [, r] of waiting) r(undefined);
      waiting.clear();
    });
    worker.on('message', (m: { type?: string; id?: number; stats?: LogStats }) => {
      if (m?.type !== 'stats' || m.id === undefined) return;
      last = m.stats;
      const r = waiting.get(m.id);
      waiting.delete(m.id);
      r?.(m.stats);
      if (waiting.size === 0) worker?.unref();
    });
    // after the listeners (adding one refs the worker again): the worker never keeps the app alive
    worker.unref();
  } catch (e) {
    log(
      'error',
      'logs.worker',
      `cannot start the SkyWalking log worker (${(e as Error).message}); log records are dropped`,
    );
  }
  let dead = worker === undefined;
  let closed = false;
  /** The batch being joined: lines, each maybe after its ids (`ids\u0001`). */
  let parts: string[] = [];
  let pendingChars = 0;
  /** The ids in force in the batch being joined (undefined: none written yet). */
  let batchIds: string | undefined;
  const active = new ActiveSpanReader();
  let scheduled = false;
  let dropped = 0;
  let last: LogStats | undefined;
  let nextId = 0;
  const waiting = new Map<number, (s: LogStats | undefined) => void>();

  const post = (): void => {
    scheduled = false;
    batchIds = undefined;
    active.forget();
    if (pendingChars === 0) return;
    const batch = parts.join('');
    parts = [];
    pendingChars = 0;
    if (dead || !worker) {
      dropped += countLines(batch);
      return;
    }
    Atomics.add(state, 0, batch.length);
    try {
      worker.postMessage(batch);
    } catch {
      Atomics.sub(state, 0, batch.length);
      dropped += countLines(batch);
    }
  };
  const ask = (type: string, timeoutMs: number): Promise<LogStats | undefined> => {
    post();
    if (dead || !worker) return Promise.resolve(last);
    const id = nextId++;
    const w = worker;
    return new Promise((done) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        done(undefined);
      }, timeoutMs);
      timer.unref();
      waiting.set(id, (s) => {
        clearTimeout(timer);
        done(s);
      });
      w.ref();
      w.postMessage({ type, id });
    });
  };
  const withOurs = (s: LogStats | undefined): LogStats => {
    const base = s ?? last ?? { queued: 0, sent: 0, dropped: 0, lost: 0 };
    return { ...base, dropped: base.dropped + dropped };
  };
  let closing: Promise<LogStats> | undefined;
  const close = (): Promise<LogStats> =>
    (closing ??= (async () => {
      closed = true;
      const s = await ask('close', closeWithin + 2000);
      process.off('exit', onExit);
      unhook();
      return withOurs(s);
    })());
  // at exit (nothing async runs any more): hand over what waits and let the worker send it
  const onExit = (): void => {
    if (dead || !worker) return;
    try {
      if (!closed) {
        closed = true;
        post();
        worker.postMessage({ type: 'close', id: -1 });
      }
      // a close() still running is waited for as well
      Atomics.wait(state, 1, 0, closeWithin + 500);
    } catch {
      // the worker is gone
    }
  };
  process.on('exit', onExit);
  // a process ended by a signal runs no exit handler: the zero-code start closes it at the signal
  const unhook = onLogShutdown(() => close());

  const destination: SkyWalkingDestination & { lastObj: unknown; lastLogger: unknown } = {
    /** pino sets `lastObj` (the object it wrote, with the mixin's ids) and `lastLogger` before each write. */
    [Symbol.for('pino.metadata')]: true,
    lastObj: undefined as unknown,
    lastLogger: undefined as unknown,
    write(line: string): boolean {
      if (closed || dead) {
        dropped++;
        return true;
      }
      if (typeof line !== 'string') {
        dropped++;
        return true;
      }
      if (pendingChars + line.length + Atomics.load(state, 0) > max) {
        dropped++;
        log(
          'warn',
          'logs.handoff-full',
          `pino log lines come faster than the SkyWalking log worker takes them (logBufferBytes ${max} characters in flight): dropping lines`,
        );
        return true;
      }
      // the ids of the span active in the log call, where they change (the worker prefers ids in the line)
      // the ids skywalkingMixin wrote for this line (of a span passed in the call), else of the active span
      stamps.visit(destination.lastLogger);
      let ids = '';
      const obj = destination.lastObj;
      destination.lastObj = undefined;
      const mixed = obj !== null && typeof obj === 'object' ? (obj as { [MIXIN_IDS]?: unknown })[MIXIN_IDS] : undefined;
      if (typeof mixed === 'string') ids = mixed;
      else if (fromContext) {
        const span = active.read();
        if (span) ids = packedOfRecorded(span, active.otel);
      }
      if (ids !== batchIds) {
        batchIds = ids;
        const head = outOfBandHead(ids);
        parts.push(head);
        pendingChars += head.length;
      }
      // pino's line ends with its newline, which frames it in the batch; its characters are not
      // read here: pino builds a line of many joined pieces, and reading one would copy them all
      parts.push(line);
      pendingChars += line.length;
      if (pendingChars >= BATCH_CHARS) post();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(post);
      }
      return true;
    },
    flush(cb?: (err?: Error | null) => void) {
      void ask('flush', closeWithin + 2000).then(() => cb?.(null));
    },
    stats: (timeoutMs = 2000) => ask('stats', timeoutMs).then(withOurs),
    close,
    end() {
      void close();
    },
  };
  const stamps = new OtelStampRemover(destination);
  return destination;
}

function countLines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}
