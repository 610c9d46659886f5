/**
 * OpenTelemetry's pino instrumentation gives every logger it sees a mixin (`otelMixin`) that stamps
 * the active span's ids into each line (with the zero-code start: SkyWalking's ids, see
 * src/logs/otel-log-instrumentations.ts). A logger whose only stream is `skywalkingDestination`
 * has no use for them: its lines go nowhere but to SkyWalking, the destination sends the ids beside
 * each line, and the worker leaves the stamps out of the body. Measured (callgrind, instructions per
 * record on the application thread): pino alone 9,106; with the mixin 17,791, about as much again,
 * most of it the mixin's context reads and the three fields pino then serializes and the batch
 * copies. So the destination takes the mixin off the loggers that write only to it, the first time
 * it sees each one; a logger with its own mixin too (combined by the instrumentation), or writing
 * to several streams (`pino.multistream`: stdout may be one), keeps it. Never throws.
 */

/** The instrumentation's mixin, by its function name (any other mixin is the application's). */
const OTEL_MIXIN = 'otelMixin';

/** The own symbol of `o` named `description` (pino's symbols are per copy of pino: found by name). */
function symbolNamed(o: object, description: string): symbol | undefined {
  for (const s of Object.getOwnPropertySymbols(o)) if (s.description === description) return s;
  return undefined;
}

/** The object in `logger`'s prototype chain (a child logger's parents) that holds `description` as its own symbol. */
function ownerOf(logger: object, description: string): { owner: object; key: symbol } | undefined {
  for (
    let o: object | null = logger;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    const key = symbolNamed(o, description);
    if (key !== undefined) return { owner: o, key };
  }
  return undefined;
}

/**
 * After the first line, one line in this many has its logger looked at, so a logger made later
 * (another `pino(…, destination)`) loses the mixin too, within this many lines of the destination.
 */
const LOOK_EVERY = 1024;

/** Takes OTel's ids mixin off the loggers that write only to one destination. */
export class OtelStampRemover {
  private last: unknown;
  private readonly seen = new WeakSet<object>();
  private countdown = 0;

  constructor(private readonly destination: object) {}

  /**
   * Whether the next line's logger is wanted (pino then gives the line's metadata: `lastLogger`,
   * and four more fields, ~80 ns a line): for the first line, then for one line in LOOK_EVERY.
   */
  wantsLogger(): boolean {
    if (this.last === undefined) return true;
    if (--this.countdown > 0) return false;
    this.countdown = LOOK_EVERY;
    return true;
  }

  /** `logger`: pino's `lastLogger` of the line just written. Cheap when it is the last one seen. */
  visit(logger: unknown): void {
    if (logger === this.last) return;
    this.last = logger;
    if (typeof logger !== 'object' || logger === null || this.seen.has(logger)) return;
    this.seen.add(logger);
    try {
      const stream = ownerOf(logger, 'pino.stream');
      if (!stream || (stream.owner as Record<symbol, unknown>)[stream.key] !== this.destination) return;
      const mixin = ownerOf(logger, 'pino.mixin');
      if (!mixin) return;
      const fn = (mixin.owner as Record<symbol, unknown>)[mixin.key];
      if (typeof fn === 'function' && fn.name === OTEL_MIXIN)
        (mixin.owner as Record<symbol, unknown>)[mixin.key] = undefined;
    } catch {
      // a frozen or odd logger: its lines keep the stamps (the worker leaves them out of the body)
    }
  }
}
