import type { ResolvedConfig } from '../base/config';
import {
  type LogData,
  type LogDataWriter,
  type LogTraceContext,
  writeLogHead,
  writeLogTags,
  writeLogTimestamp,
  writeLogTraceContext,
  writeScannedLogBody,
} from '../protocol/log-encoder';
import { ProtoWriter } from '../protocol/proto-writer';
import type { CarriedIds } from '../logs/carrier';
import { pinoLevelName } from '../logs/levels';
import {
  type PinoKeys,
  PinoLineScan,
  StampBytes,
  bodyJsonOf,
  bodyTextOf,
  bytesAre,
  copyOf,
  idsOfValue,
  recordOfScan,
  resolveIds,
  scanPinoLine,
} from './line';
import {
  type LogContextIds,
  boundedEndpoint,
  buildLogData,
  logTimestamp,
  recordTags,
  traceOfIds,
} from '../logs/record';

/** The service and instance of records outside a trace (the worker's recorder: read at each record). */
export interface LogIdentity {
  readonly service: string;
  readonly instance: string;
}

/** A carrier's ids read from a line's bytes: decoded again only when they differ from the last ones read. */
export class CarrierReader {
  /** The last carrier value read, as a copy of its bytes (the line's buffer is reused). */
  private bytes: Uint8Array = new Uint8Array(0);
  private ids: CarriedIds | null = null;

  readonly of = (bytes: Buffer, start: number, end: number): CarriedIds | null => {
    if (!bytesAre(bytes, start, end, this.bytes)) {
      this.bytes = copyOf(bytes, start, end);
      this.ids = idsOfValue(bytes, start, end);
    }
    return this.ids;
  };
}

/**
 * One pino line as a log record that writes its own `LogData` (`LogDataWriter`): the pino worker
 * reads each line into it (`read`) and hands it to the reporter, which encodes it into its queue
 * with the encoder's field writers (protocol/log-encoder.ts; the body from the line's pre-scanned
 * ranges, `writeScannedLogBody`); what repeats from line to line (the trace context and identity,
 * the level and logger tags) is encoded once per change. The bytes are exactly `encodeLogData(this.logData())`'s
 * (test/logs/pino-line-log.test.ts). Reused for every line: valid until the next `read`.
 */
export class PinoLineLog implements LogDataWriter {
  private readonly scan = new PinoLineScan();
  /** The ids given beside the line (`skywalkingDestination`'s): then no carrier in the line counts. */
  given: CarriedIds | null = null;
  /** The lines come with ids beside them. */
  beside = false;

  private readonly carriers = new CarrierReader();
  private readonly stamps = new StampBytes();
  private traceOf: LogContextIds | null = null;
  private traceContext: LogTraceContext | undefined;
  /** The trace's service, instance and endpoint (undefined: the identity's). */
  private service: string | undefined;
  private instance: string | undefined;
  private endpoint = '';
  private tagLevel = '';
  /** The logger name of `tagBytes`, as bytes; undefined: none. */
  private tagLogger: Uint8Array | undefined;
  private tagBytes: Uint8Array | undefined;
  private readonly scratch = new ProtoWriter(1024);

  constructor(
    private readonly config: ResolvedConfig,
    private readonly identity: LogIdentity,
    private readonly keys: PinoKeys,
  ) {}

  /**
   * Read the pino line `bytes[from, to)` (UTF-8): false when it is one to leave to `JSON.parse`
   * (`scanPinoLine`). The bytes must stay as they are until the record is reported.
   */
  read(bytes: Buffer, from: number, to: number): boolean {
    return (
      scanPinoLine(bytes, from, to, this.keys, this.scan) &&
      resolveIds(this.scan, this.given, this.beside ? undefined : this.carriers.of, this.stamps)
    );
  }

  /** The record's level name, for the minimum-level filter. */
  levelName(): string {
    return pinoLevelName(this.scan.level);
  }

  logData(): LogData {
    const record = recordOfScan(this.scan, this.keys.messageJson);
    return buildLogData(record, {
      config: this.config,
      service: this.identity.service,
      serviceInstance: this.identity.instance,
    });
  }

  writeLogData(w: ProtoWriter): void {
    const s = this.scan;
    const t = s.time;
    writeLogTimestamp(w, logTimestamp(t));
    const context = this.scan.ids;
    if (context !== this.traceOf) this.trace(context);
    writeLogHead(w, this.service ?? this.identity.service, this.instance ?? this.identity.instance, this.endpoint);
    this.writeBody(w);
    if (this.traceContext) writeLogTraceContext(w, this.traceContext);
    w.raw(this.tags());
  }

  /** The trace context, service, instance and endpoint of `context`, as `buildLogData` makes them. */
  private trace(context: LogContextIds | null): void {
    this.traceOf = context;
    const ids = traceOfIds(context);
    this.traceContext = ids?.traceContext;
    this.service = ids?.service;
    this.instance = ids?.serviceInstance;
    this.endpoint = ids ? boundedEndpoint(ids.endpoint) : '';
  }

  /** Field 7's bytes: `level` and `logger`, encoded again only when they change. */
  private tags(): Uint8Array {
    const s = this.scan;
    const level = pinoLevelName(s.level);
    const known = this.tagLogger;
    const sameLogger =
      s.loggerStart < 0
        ? known === undefined
        : known !== undefined && bytesAre(s.bytes, s.loggerStart, s.loggerEnd, known);
    if (this.tagBytes && sameLogger && level === this.tagLevel) return this.tagBytes;
    const logger = s.loggerStart < 0 ? undefined : s.text(s.loggerStart, s.loggerEnd);
    const w = this.scratch;
    w.reset();
    writeLogTags(w, recordTags(this.config, level, logger, undefined, undefined));
    this.tagBytes = Uint8Array.prototype.slice.call(w.finish());
    this.tagLevel = level;
    this.tagLogger = s.loggerStart < 0 ? undefined : copyOf(s.bytes, s.loggerStart, s.loggerEnd);
    return this.tagBytes;
  }

  /** Field 5, as `buildLogData` bounds it: the scanned fields handed to the encoder. */
  private writeBody(w: ProtoWriter): void {
    writeScannedLogBody(
      w,
      this.scan,
      this.keys.messageJsonBytes,
      this.config.logBodyMaxLength,
      this.bodyJson,
      this.bodyText,
    );
  }

  private readonly bodyJson = (): string => bodyJsonOf(this.scan, this.keys.messageJson)!;
  private readonly bodyText = (): string => bodyTextOf(this.scan);
}
