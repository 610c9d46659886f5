/**
 * The application thread's side of `skywalkingDestination`'s worker (src/pino/worker.ts): starts
 * it, posts the batches (counting their characters in flight in a shared counter the worker lowers
 * as it takes them), asks it for stats, a flush or a close, and at process exit waits for it to
 * send what is queued (a process ended by a signal runs no exit handler: the zero-code start closes
 * it at the signal). The worker never keeps the application alive. Never throws.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../base/diag';
import { onLogShutdown } from '../logs/shutdown-hooks';
import type { SkyWalkingPinoTransportOptions } from './options';
import type { LogStats } from '../reporter/types';

/** How much longer than `closeTimeoutMs` a close or flush is waited for (the worker's own bound is `closeTimeoutMs`). */
const ASK_MARGIN_MS = 2000;
/** How much longer than `closeTimeoutMs` the exit handler blocks for the worker's close. */
const EXIT_MARGIN_MS = 500;
/** The message id of the close posted by the exit handler (no answer is awaited). */
const EXIT_CLOSE_ID = -1;

type StatsMessage = { type?: string; id?: number; stats?: LogStats };

function workerFile(): string {
  const here = join(__dirname, 'worker.js');
  // run from the TypeScript sources (tests): the built worker
  return existsSync(here) ? here : resolve(__dirname, '..', '..', 'dist', 'pino', 'worker.js');
}

export function countLines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

export class LogWorkerLink {
  /** [0]: the characters posted and not yet taken by the worker; [1]: set to 1 by the worker once closed. */
  readonly state = new Int32Array(new SharedArrayBuffer(8));
  /** No worker to post to (it failed to start, failed, or exited): lines are dropped and counted. */
  dead = false;
  /** `close()` was called or the process is exiting: no more lines are taken. */
  closed = false;
  /** The lines dropped on this thread (added to the worker's `dropped` in the stats). */
  dropped = 0;
  private readonly worker: Worker | undefined;
  private last: LogStats | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (s: LogStats | undefined) => void>();
  private closing: Promise<LogStats> | undefined;
  private readonly onExit = (): void => this.handOverAtExit();
  private readonly unhook: () => void;

  /**
   * @param closeWithin the worker's bound to send what is queued at close (ms)
   * @param postPending posts the lines waiting for their batch (called before every ask and at exit)
   */
  constructor(
    workerOptions: SkyWalkingPinoTransportOptions,
    private readonly closeWithin: number,
    private readonly postPending: () => void,
  ) {
    this.worker = this.start(workerOptions);
    if (this.worker === undefined) this.dead = true;
    process.on('exit', this.onExit);
    this.unhook = onLogShutdown(() => this.close());
  }

  /** Hand a batch of lines to the worker; dropped and counted when there is none to take it. */
  send(batch: string): void {
    const worker = this.worker;
    if (this.dead || !worker) {
      this.dropped += countLines(batch);
      return;
    }
    Atomics.add(this.state, 0, batch.length);
    try {
      worker.postMessage(batch);
    } catch {
      Atomics.sub(this.state, 0, batch.length);
      this.dropped += countLines(batch);
    }
  }

  /** Post what waits, then ask the worker (`stats`, `flush` or `close`); undefined when it does not answer in time. */
  ask(type: string, timeoutMs: number): Promise<LogStats | undefined> {
    this.postPending();
    const worker = this.worker;
    if (this.dead || !worker) return Promise.resolve(this.last);
    const id = this.nextId++;
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        done(undefined);
      }, timeoutMs);
      timer.unref();
      this.waiting.set(id, (s) => {
        clearTimeout(timer);
        done(s);
      });
      worker.ref();
      worker.postMessage({ type, id });
    });
  }

  /** `ask('flush')` within the close bound. */
  flush(): Promise<LogStats | undefined> {
    return this.ask('flush', this.closeWithin + ASK_MARGIN_MS);
  }

  /** The worker's last stats (or `s`) with the lines dropped here. */
  withOurs(s: LogStats | undefined): LogStats {
    const base = s ?? this.last ?? { queued: 0, sent: 0, dropped: 0, lost: 0 };
    return { ...base, dropped: base.dropped + this.dropped };
  }

  /** Send what is queued (within `closeWithin`), stop the worker; the final stats. Idempotent. */
  close(): Promise<LogStats> {
    return (this.closing ??= this.closeOnce());
  }

  private async closeOnce(): Promise<LogStats> {
    this.closed = true;
    const s = await this.ask('close', this.closeWithin + ASK_MARGIN_MS);
    process.off('exit', this.onExit);
    this.unhook();
    return this.withOurs(s);
  }

  private start(workerOptions: SkyWalkingPinoTransportOptions): Worker | undefined {
    try {
      const worker = new Worker(workerFile(), {
        workerData: { options: workerOptions, state: this.state.buffer },
        name: 'skywalking-logs',
      });
      worker.on('error', (e) => {
        log('error', 'logs.worker', `the SkyWalking log worker failed (${e.message}); log records are dropped`);
        this.dead = true;
      });
      worker.on('exit', () => this.onWorkerExit());
      worker.on('message', (m: StatsMessage) => this.onMessage(m));
      // after the listeners (adding one refs the worker again): the worker never keeps the app alive
      worker.unref();
      return worker;
    } catch (e) {
      const why = (e as Error).message;
      log('error', 'logs.worker', `cannot start the SkyWalking log worker (${why}); log records are dropped`);
      return undefined;
    }
  }

  private onWorkerExit(): void {
    this.dead = true;
    for (const [, r] of this.waiting) r(undefined);
    this.waiting.clear();
  }

  private onMessage(m: StatsMessage): void {
    if (m?.type !== 'stats' || m.id === undefined) return;
    this.last = m.stats;
    const r = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    r?.(m.stats);
    if (this.waiting.size === 0) this.worker?.unref();
  }

  /** At exit (nothing async runs any more): hand over what waits and let the worker send it. */
  private handOverAtExit(): void {
    const worker = this.worker;
    if (this.dead || !worker) return;
    try {
      if (!this.closed) {
        this.closed = true;
        this.postPending();
        worker.postMessage({ type: 'close', id: EXIT_CLOSE_ID });
      }
      // a close() still running is waited for as well
      Atomics.wait(this.state, 1, 0, this.closeWithin + EXIT_MARGIN_MS);
    } catch {
      // the worker is gone
    }
  }
}
