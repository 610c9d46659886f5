import type { ResolvedConfig } from '../base/config';
import {
  type LogData,
  type LogDataWriter,
  type LogTraceContext,
  writeLogBody,
  writeLogHead,
  writeLogTags,
  writeLogTraceContext,
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

/** Bytes of a varint of `n` (< 2^28). */
const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4);

/** Tag bytes: LogData.body (5), LogDataBody.text (2) / .json (3), TextLog.text / JSONLog.json (1), all length-delimited. */
const BODY = (5 << 3) | 2;
const TEXT = (2 << 3) | 2;
const JSON_BODY = (3 << 3) | 2;
const VALUE = (1 << 3) | 2;

/**
 * The start of field 5 for a body of `n` ASCII bytes of `kind` (`TEXT` or `JSON_BODY`): the lengths
 * of the body, its case and its value (an empty value is left out). After `reserve`.
 */
function bodyHeader(w: ProtoWriter, kind: number, n: number): void {
  const inner = n === 0 ? 0 : 1 + varintSize(n) + n;
  w.byte(BODY);
  w.varint(1 + varintSize(inner) + inner);
  w.byte(kind);
  w.varint(inner);
  if (n === 0) return;
  w.byte(VALUE);
  w.varint(n);
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
 * reads each line into it (`read`) and hands it to the reporter, which encodes it into its queue.
 * The line's body fields are copied into the message as they lie in the line (ASCII: character =
 * byte); what repeats from line to line (the trace context and identity, the level and logger
 * tags) is encoded once per change. The bytes are exactly `encodeLogData(this.logData())`'s
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
    w.int64Field(1, logTimestamp(t));
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

  /**
   * Field 5, as `buildLogData` bounds it: the line's other fields as JSON (after the message), or
   * the message alone as text. ASCII (nearly every line) is copied from the line; anything else is
   * written from the body string.
   */
  private writeBody(w: ProtoWriter): void {
    const s = this.scan;
    const b = s.bytes;
    const max = this.config.logBodyMaxLength;
    if (s.restCount > 0) {
      let n = 1 + s.restCount; // the braces, the commas between the fields
      for (let k = 0; k < s.restCount; k++) n += s.restEnds[k]! - s.restStarts[k]!;
      const key = this.keys.messageJsonBytes;
      if (s.msgStart >= 0) n += key.length + 2 + (s.msgEnd - s.msgStart);
      if (n <= max) {
        w.reserve(n + 16);
        const at = w.pos;
        bodyHeader(w, JSON_BODY, n);
        w.byte(123);
        let ascii = true;
        if (s.msgStart >= 0) {
          ascii = w.asciiBytes(key, 0, key.length);
          w.byte(58);
          ascii = ascii && w.asciiBytes(b, s.msgStart, s.msgEnd);
          w.byte(44);
        }
        for (let k = 0; ascii && k < s.restCount; k++) {
          if (k > 0) w.byte(44);
          ascii = w.asciiBytes(b, s.restStarts[k]!, s.restEnds[k]!);
        }
        w.byte(125);
        if (ascii) return;
        w.pos = at;
      }
      // not ASCII, or past the bound in bytes: the bound is in characters
      const json = bodyJsonOf(s, this.keys.messageJson)!;
      if (json.length <= max) writeLogBody(w, json, '');
      else writeLogBody(w, undefined, json.slice(0, max));
      return;
    }
    if (s.msgStart >= 0 && !s.msgEscaped) {
      const from = s.msgStart + 1;
      const to = Math.min(s.msgEnd - 1, from + max);
      w.reserve(to - from + 16);
      const at = w.pos;
      bodyHeader(w, TEXT, to - from);
      if (w.asciiBytes(b, from, to)) return;
      w.pos = at;
    }
    const text = bodyTextOf(s);
    writeLogBody(w, undefined, text.length > max ? text.slice(0, max) : text);
  }
}
