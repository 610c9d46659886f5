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
import { resolveConfig } from '../base/config';
import { log } from '../base/diag';
import { ActiveSpanReader } from '../logs/active-span';
import { packedOfRecorded } from '../logs/fields';
import type { RecordedSpan } from '../segment/span';
import { outOfBandHead } from './out-of-band';
import { OtelStampRemover } from './otel-stamps';
import { MIXIN_IDS, mixinsMade } from './mixin';
import { LogWorkerLink } from './worker-link';
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

/** What `skywalkingDestination` takes from its options, resolved once. */
interface DestinationSettings {
  /** The options the worker resolves again (serializable). */
  workerOptions: SkyWalkingPinoTransportOptions;
  /** `logBufferBytes`: the characters in flight past which a line is dropped. */
  maxChars: number;
  idsFromContext: boolean;
  /** `closeTimeoutMs`, default 3000. */
  closeWithin: number;
}

/** Validate here, where the mistake is made (the worker resolves them again): a `ConfigError` when bad. */
function destinationSettings(options: SkyWalkingDestinationOptions): DestinationSettings {
  const { closeTimeoutMs, ...bridgeOptions } = options;
  delete bridgeOptions.idsFromContext;
  const workerOptions: SkyWalkingPinoTransportOptions = { ...bridgeOptions, closeTimeoutMs };
  delete bridgeOptions.messageKey;
  delete bridgeOptions.errorKey;
  return {
    workerOptions,
    maxChars: resolveConfig(bridgeOptions as never).logBufferBytes,
    idsFromContext: options.idsFromContext !== false,
    closeWithin: typeof closeTimeoutMs === 'number' && closeTimeoutMs >= 0 ? closeTimeoutMs : 3000,
  };
}

/**
 * The batch being joined: lines, each maybe after its ids (`ids\u0001`), the ids written only where
 * they change. Posted at the end of the event loop turn, or at once past `BATCH_CHARS`.
 */
class PendingBatch {
  private parts: string[] = [];
  /** The characters joined and not yet posted. */
  chars = 0;
  /** The ids in force in the batch being joined (undefined: none written yet). */
  private ids: string | undefined;
  private scheduled = false;
  private readonly active = new ActiveSpanReader();
  /** The last carrier made from the active span, for its span and endpoint (a request's lines share it). */
  private packedSpan: RecordedSpan | undefined;
  private packedEndpoint = '';
  private packed = '';
  /** Post the batch now (bound: setImmediate's callback). */
  readonly post = (): void => this.postNow();

  constructor(
    private readonly send: (batch: string) => void,
    private readonly idsFromContext: boolean,
  ) {}

  /**
   * The ids of the line: those skywalkingMixin wrote for it (of a span passed in the call) in the
   * object pino wrote, else of the span active in the log call (the worker prefers ids in the line).
   */
  idsOf(obj: unknown): string {
    if (mixinsMade() && obj !== null && typeof obj === 'object') {
      const mixed = (obj as { [MIXIN_IDS]?: unknown })[MIXIN_IDS];
      if (typeof mixed === 'string') return mixed;
    }
    if (!this.idsFromContext) return '';
    const span = this.active.read();
    if (!span) return '';
    const endpoint = span.segment.primaryEndpoint();
    if (span !== this.packedSpan || endpoint !== this.packedEndpoint) {
      this.packed = packedOfRecorded(span, this.active.otel);
      this.packedSpan = span;
      this.packedEndpoint = endpoint;
    }
    return this.packed;
  }

  add(ids: string, line: string): void {
    if (ids !== this.ids) {
      this.ids = ids;
      const head = outOfBandHead(ids);
      this.parts.push(head);
      this.chars += head.length;
    }
    // pino's line ends with its newline, which frames it in the batch; its characters are not
    // read here: pino builds a line of many joined pieces, and reading one would copy them all
    this.parts.push(line);
    this.chars += line.length;
    if (this.chars >= BATCH_CHARS) this.postNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.post);
    }
  }

  private postNow(): void {
    this.scheduled = false;
    this.ids = undefined;
    this.active.forget();
    this.packedSpan = undefined;
    if (this.chars === 0) return;
    const batch = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    this.send(batch);
  }
}

/** pino's `Symbol.for('pino.metadata')`: a stream that reads it is given each line's metadata. */
const PINO_METADATA = Symbol.for('pino.metadata');

function warnHandoffFull(max: number): void {
  log(
    'warn',
    'logs.handoff-full',
    `pino log lines come faster than the SkyWalking log worker takes them (logBufferBytes ${max} characters in flight): dropping lines`,
  );
}

/**
 * A pino destination to SkyWalking: `pino({ mixin: skywalkingMixin() }, skywalkingDestination({ serviceName: 'orders' }))`.
 * The options are the transport's (serializable); bad ones throw a `ConfigError` here.
 */
export function skywalkingDestination(options: SkyWalkingDestinationOptions = {}): SkyWalkingDestination {
  const { workerOptions, maxChars, idsFromContext, closeWithin } = destinationSettings(options ?? {});
  // the batch sends to the link (only from write(), once both exist); the link posts the batch
  const batch = new PendingBatch((text) => link.send(text), idsFromContext);
  const link = new LogWorkerLink(workerOptions, closeWithin, batch.post);
  const close = (): Promise<LogStats> => link.close();

  const destination: SkyWalkingDestination & { lastObj: unknown; lastLogger: unknown; [key: symbol]: unknown } = {
    /**
     * Read by pino before each write: when true, it sets `lastObj` (the object it wrote, with the
     * mixin's ids) and `lastLogger` (and three fields we do not read) first. Wanted for every line
     * once a `skywalkingMixin` exists, else only where the OTel mixin is looked for.
     */
    get [PINO_METADATA](): boolean {
      return mixinsMade() || stamps.wantsLogger();
    },
    lastObj: undefined as unknown,
    lastLogger: undefined as unknown,
    write(line: string): boolean {
      if (link.closed || link.dead || typeof line !== 'string') {
        link.dropped++;
        return true;
      }
      // a plain read of the shared count (an aligned Int32 read is whole; a value a moment old does
      // for a bound): Atomics.load is a builtin call, ~100 instructions a line
      if (batch.chars + line.length + link.state[0]! > maxChars) {
        link.dropped++;
        warnHandoffFull(maxChars);
        return true;
      }
      stamps.visit(destination.lastLogger);
      const obj = destination.lastObj;
      destination.lastObj = undefined;
      batch.add(batch.idsOf(obj), line);
      return true;
    },
    flush(cb?: (err?: Error | null) => void) {
      void link.flush().then(() => cb?.(null));
    },
    stats: (timeoutMs = 2000) => link.ask('stats', timeoutMs).then((s) => link.withOurs(s)),
    close,
    end() {
      void close();
    },
  };
  const stamps = new OtelStampRemover(destination);
  return destination;
}
