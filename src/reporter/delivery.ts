import { Backoff } from './backoff';
import { ByteQueue } from './byte-queue';

/**
 * What became of a batch a transport was given:
 * - `sent`: the collector acknowledged it;
 * - `lost`: it was written (or may have been) and then failed: counted lost, never sent twice;
 * - `unsent`: it certainly did not reach the collector (refused before any byte of it was taken):
 *   its records go back to the head of the queue, in order.
 */
export type BatchOutcome = 'sent' | 'lost' | 'unsent';

/**
 * A transport knows one thing: how to send a batch of encoded records. Everything else — the
 * queue, batching, when to try, backoff, drain, flush, shutdown and the counters — is the
 * delivery engine's, the same for every transport. Both methods never reject; each explains its
 * own failures (one diagnostic line per condition, rate-limited).
 */
export interface Transport {
  /**
   * Resolves true once a batch can be sent (connected; the topic known…), false when that is not
   * so by `deadline` (epoch ms): the engine counts a failed batch and backs off.
   */
  ready(deadline: number): Promise<boolean>;
  /**
   * Sends `batch` (the queued records as they were pushed, oldest first) with the call deadline
   * `deadline` (epoch ms) and resolves with what became of it.
   */
  send(batch: Buffer[], deadline: number): Promise<BatchOutcome>;
}

export interface DeliveryOptions {
  /** Records the queue holds at most (the oldest is dropped and counted past that). */
  capacity: number;
  /** Records per batch at most; a full batch is sent at once, a partial one every `intervalMs`. */
  batchSize: number;
  /** Bytes per batch at most (a record bigger than this goes alone). */
  maxBatchBytes: number;
  intervalMs: number;
  /** The deadline of each call (`reportTimeoutMs`). */
  timeoutMs: number;
  /** A record was dropped because the queue was full (say so, rate-limited). */
  onFull(): void;
  /** A batch was acknowledged (the reporter starts its heartbeat on the first). */
  onSent?(): void;
}

/** One engine's counters: every record pushed is in exactly one of queued / sent / dropped / lost. */
export interface DeliveryStats {
  queued: number;
  queuedBytes: number;
  sent: number;
  dropped: number;
  lost: number;
  /** Batches that failed: not ready in time, lost, or refused (unsent). */
  failedBatches: number;
}

/** While flushing, a transport that failed is tried again at most this often. */
export const FLUSH_RETRY_MS = 500;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    t.unref();
  });

/**
 * Keeps the process alive until `deadline` (or `release()`): a caller that awaits a flush or a
 * shutdown gets its answer even when nothing else is pending (refused connections, unref'd
 * sockets), else the event loop empties and the process exits before the `await` returns.
 */
export function holdUntil(deadline: number): { done: Promise<void>; release(): void } {
  let timer: NodeJS.Timeout | undefined;
  let release = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    release = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, release };
}

/**
 * The delivery engine: a bounded queue of encoded records (oldest dropped and counted) sent in
 * batches through a `Transport`, one batch at a time: when `batchSize` records wait or every
 * `intervalMs`, only when the transport is ready, with backoff after a failure (1 s to 5 s).
 * `flush(deadline)` sends what is queued until the deadline; `stop()` counts a batch still on the
 * wire lost and the queue dropped. Nothing here throws or rejects, and no timer of it keeps the
 * process alive except while a caller awaits a flush.
 */
export class Delivery {
  private readonly queue: ByteQueue;
  private readonly counters = { sent: 0, dropped: 0, lost: 0, failedBatches: 0 };
  private readonly backoff = new Backoff();
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;
  /** Counts the batch on the wire as lost (once) when the engine stops before its answer. */
  private abandon: (() => void) | undefined;
  private drainScheduled = false;
  private lastAttempt = -Infinity;
  private stopped = false;
  /** An attempt waits for the transport to be ready (connecting). */
  private waitingForReady = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: DeliveryOptions,
  ) {
    this.queue = new ByteQueue(options.capacity);
    this.timer = setInterval(() => this.drain(false), options.intervalMs);
    this.timer.unref();
  }

  /** Queue one encoded record (after `stop()`: dropped and counted). The hot path. */
  push(record: Buffer): void {
    if (this.stopped) {
      this.counters.dropped++;
      return;
    }
    if (this.queue.push(record) > 0) {
      this.counters.dropped++;
      this.options.onFull();
    }
    if (this.queue.length >= this.options.batchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain(false);
      });
    }
  }

  /** Records refused before the queue (the reporter is shut down) or that could not be encoded. */
  countDropped(n = 1): void {
    this.counters.dropped += n;
  }

  countLost(n = 1): void {
    this.counters.lost += n;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Records waiting (for diagnostics). */
  get queued(): number {
    return this.queue.length;
  }

  /** The collector is not answering: the last attempt failed, or one waits for the transport to be ready. */
  get stalled(): boolean {
    return this.backoff.failureCount > 0 || this.waitingForReady;
  }

  /** Nothing queued and nothing on the wire. */
  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === undefined;
  }

  stats(): DeliveryStats {
    return { queued: this.queue.length, queuedBytes: this.queue.bytes, ...this.counters };
  }

  /** Send what is queued until `deadline` (epoch ms): resolves then at the latest. Never rejects. */
  async flush(deadline: number): Promise<void> {
    try {
      while (Date.now() < deadline && !this.stopped) {
        if (this.idle) return;
        this.drain(true);
        const left = deadline - Date.now();
        await Promise.race([this.inFlight ?? sleep(Math.min(20, left)), sleep(left)]);
      }
    } catch {
      // never reject into the application
    }
  }

  /** Stop: a batch still on the wire is counted lost, what is queued dropped. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.abandon?.();
    this.counters.dropped += this.queue.clear();
  }

  /**
   * Start a batch when there is something to send, nothing in flight and no backoff (`force`, for
   * flush: try again every FLUSH_RETRY_MS instead). Never throws.
   */
  private drain(force: boolean): void {
    if (this.inFlight || this.stopped || this.queue.length === 0) return;
    if (this.backoff.remaining() > 0 && (!force || Date.now() - this.lastAttempt < FLUSH_RETRY_MS)) return;
    this.lastAttempt = Date.now();
    this.inFlight = this.attempt()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        this.abandon = undefined;
        if (this.queue.length >= this.options.batchSize && this.backoff.remaining() === 0)
          setImmediate(() => this.drain(false));
      });
  }

  private async attempt(): Promise<void> {
    this.waitingForReady = true;
    const ready = await this.transport.ready(Date.now() + this.options.timeoutMs).finally(() => {
      this.waitingForReady = false;
    });
    if (!ready) {
      this.counters.failedBatches++;
      this.backoff.fail();
      return;
    }
    if (this.stopped || this.queue.length === 0) return;
    const batch = this.queue.take(this.options.batchSize, this.options.maxBatchBytes);
    let settled = false;
    this.abandon = () => {
      if (settled) return;
      settled = true;
      this.counters.lost += batch.length;
    };
    const outcome = await this.transport.send(batch, Date.now() + this.options.timeoutMs);
    if (settled) return;
    settled = true;
    if (outcome === 'sent') {
      this.counters.sent += batch.length;
      this.backoff.succeed();
      this.options.onSent?.();
      return;
    }
    this.counters.failedBatches++;
    this.backoff.fail();
    if (outcome === 'lost' || this.stopped) this.counters.lost += batch.length;
    else this.counters.dropped += this.queue.unshift(batch);
  }
}
