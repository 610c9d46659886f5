import { type CarriedIds, STAMP_KEYS, carrierRankOfBytes, packIds, unpackIds } from '../logs/carrier';
import { pinoLevelName } from '../logs/levels';
import type { LogRecordInput } from '../logs/record';

/*
 * A pino line is read as the UTF-8 bytes it arrives in: a loop over bytes costs V8 a fraction of
 * string searches and character reads, and ASCII (nearly every line) is copied into the message as
 * it lies. The few values that are needed as strings are decoded from the bytes.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN = 123;
const CLOSE = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

/** Set by `skipString`: the string it skipped holds a backslash (an escape). */
let escaped = false;

/** The index after the string starting at `i` (its closing quote), or -1. */
function skipString(b: Uint8Array, i: number, end: number): number {
  escaped = false;
  for (let j = i + 1; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      escaped = true;
      j++; // the escaped character
    }
  }
  return -1;
}

/** Where the JSON value starting at `i` ends (the index after it), or -1 when it is not one pino writes. */
function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i, end);
  if (c === OPEN || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const d = b[j]!;
      if (d === QUOTE) {
        j = skipString(b, j, end) - 1;
        if (j < 0) return -1;
      } else if (d === OPEN || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE || d === CLOSE_ARRAY) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < end; j++) {
    const d = b[j];
    if (d === COMMA || d === CLOSE) break;
  }
  return j > i ? j : -1;
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const LEVEL = utf8('level');
const TIME = utf8('time');
const NAME = utf8('name');
const SKIPPED: readonly Uint8Array[] = ['pid', 'hostname', 'v'].map(utf8);
const STAMPS: readonly Uint8Array[] = STAMP_KEYS.map(utf8);
/** `PinoLineScan.restKinds`: a field of the body; a stamp key is 1 + its index in STAMP_KEYS; a carrier key CARRIER + its rank. */
const DATA = 0;
const CARRIER = 100;
/** `StampBytes` indexes: the STAMP_KEYS', then the carrier of the ids, OTel's trace id and span id alone. */
const TRACE_ID = STAMP_KEYS.indexOf('trace_id');
const SPAN_ID = STAMP_KEYS.indexOf('span_id');
const FLAGS = STAMP_KEYS.indexOf('trace_flags');
const CARRIER_STAMP = STAMP_KEYS.length;
const OTEL_TRACE = CARRIER_STAMP + 1;
const OTEL_SPAN = CARRIER_STAMP + 2;

/** A copy of `b[start, end)` (Buffer's own `slice` is a view: this outlives the buffer's reuse). */
export function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(b, start, end);
}

/** Whether `b[start, end)` holds exactly the bytes of `name`. */
export function bytesAre(b: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  const n = name.length;
  if (end - start !== n) return false;
  for (let k = 0; k < n; k++) if (b[start + k] !== name[k]) return false;
  return true;
}

function keyIn(b: Uint8Array, start: number, end: number, names: readonly Uint8Array[]): boolean {
  return indexIn(b, start, end, names) >= 0;
}

function indexIn(b: Uint8Array, start: number, end: number, names: readonly Uint8Array[]): number {
  for (let i = 0; i < names.length; i++) if (bytesAre(b, start, end, names[i]!)) return i;
  return -1;
}

/** The keys a pino logger was configured with (`messageKey`, `errorKey`), as text and as bytes. */
export class PinoKeys {
  readonly message: Uint8Array;
  readonly error: Uint8Array;
  /** The message key as JSON (`"msg"`), to write it back into a body. */
  readonly messageJson: string;
  readonly messageJsonBytes: Uint8Array;

  constructor(messageKey = 'msg', errorKey = 'err') {
    this.message = utf8(messageKey);
    this.error = utf8(errorKey);
    this.messageJson = JSON.stringify(messageKey);
    this.messageJsonBytes = utf8(this.messageJson);
  }
}

/** What `scanPinoLine` found: where each value of the line lies in `bytes` (nothing is copied but a string level). */
export class PinoLineScan {
  bytes: Buffer = Buffer.alloc(0);
  /** A number, or a string level's text; undefined when the line has none. */
  level: number | string | undefined;
  time: number | undefined;
  /** The logger name (`name`) inside its quotes; -1 when absent. */
  loggerStart = -1;
  loggerEnd = -1;
  /** The message's value as written (a string: with its quotes); -1 when absent. */
  msgStart = -1;
  msgEnd = -1;
  /** The message is a string with an escape in it. */
  msgEscaped = false;
  /** The body's other fields as written (`"key":value`), in order. */
  readonly restStarts: number[] = [];
  readonly restEnds: number[] = [];
  /** What each field is: data, a stamp of the ids, or a carrier (`DATA`, 1 + stamp index, `CARRIER` + rank). */
  readonly restKinds: number[] = [];
  /** Where each field's value starts. */
  readonly restValues: number[] = [];
  restCount = 0;
  /** The ids the line is reported under (`resolveIds`): its carrier's, else those given beside it. */
  ids: CarriedIds | null = null;

  /** The text of `bytes[from, to)`. */
  text(from: number, to: number): string {
    return this.bytes.toString('utf8', from, to);
  }
}

/** A number value at `b[from, to)`: its digits read in place, anything else through `Number`. */
function numberAt(scan: PinoLineScan, from: number, to: number): number {
  const b = scan.bytes;
  if (to - from <= 15) {
    let n = 0;
    let k = from;
    for (; k < to; k++) {
      const d = b[k]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (k === to) return n;
  }
  return Number(scan.text(from, to));
}

/**
 * Read the pino line `bytes[from, to)` without `JSON.parse` (the usual case: the line is pino's own
 * JSON, and the body is the line's other fields as they are written) into `scan`. False when the
 * line holds what this reading leaves to `JSON.parse` (an error, the separate id fields, escaped
 * keys, a non-number time, a message that is not text and has no fields beside it).
 */
export function scanPinoLine(bytes: Buffer, from: number, to: number, keys: PinoKeys, scan: PinoLineScan): boolean {
  if (to - from < 3 || bytes[from] !== OPEN || bytes[to - 1] !== CLOSE) return false;
  scan.bytes = bytes;
  scan.level = undefined;
  scan.time = undefined;
  scan.loggerStart = scan.loggerEnd = scan.msgStart = scan.msgEnd = -1;
  scan.ids = null;
  scan.msgEscaped = false;
  scan.restCount = 0;
  let i = from + 1;
  for (;;) {
    if (bytes[i] !== QUOTE) return false;
    const keyStart = i + 1;
    let keyEnd = keyStart;
    for (; keyEnd < to; keyEnd++) {
      const c = bytes[keyEnd];
      if (c === QUOTE) break;
      if (c === BACKSLASH) return false; // an escaped key is left to JSON.parse
    }
    if (bytes[keyEnd + 1] !== COLON) return false;
    const v = keyEnd + 2;
    const end = skipValue(bytes, v, to);
    if (end < 0) return false;
    const quoted = bytes[v] === QUOTE;
    if (bytesAre(bytes, keyStart, keyEnd, keys.message)) {
      scan.msgStart = v;
      scan.msgEnd = end;
      scan.msgEscaped = quoted && escaped;
    } else if (bytesAre(bytes, keyStart, keyEnd, LEVEL)) {
      if (!quoted) scan.level = numberAt(scan, v, end);
      else if (escaped) return false;
      else scan.level = scan.text(v + 1, end - 1);
    } else if (bytesAre(bytes, keyStart, keyEnd, TIME)) {
      if (quoted) return false;
      scan.time = numberAt(scan, v, end);
    } else if (bytesAre(bytes, keyStart, keyEnd, NAME)) {
      if (!quoted || escaped) return false;
      scan.loggerStart = v + 1;
      scan.loggerEnd = end - 1;
    } else if (bytesAre(bytes, keyStart, keyEnd, keys.error)) return false;
    else if (!keyIn(bytes, keyStart, keyEnd, SKIPPED)) {
      const rank = carrierRankOfBytes(bytes, keyStart, keyEnd);
      const k = scan.restCount++;
      scan.restStarts[k] = i;
      scan.restEnds[k] = end;
      scan.restValues[k] = v;
      scan.restKinds[k] = rank >= 0 ? CARRIER + rank : indexIn(bytes, keyStart, keyEnd, STAMPS) + 1;
    }
    i = end;
    const c = bytes[i];
    if (c === COMMA) i++;
    else if (c === CLOSE && i === to - 1) break;
    else return false;
  }
  return true;
}

/**
 * The ids of a scanned line's carrier (the carrier-like key of highest rank, the last of equals),
 * read by `idsOf` from its value's bytes; without `idsOf` (the ids came beside the line, where no
 * carrier in it counts) or carrier, `given`. Then the carrier and the stamps of those ids are taken
 * out of the body's fields (other carrier-like keys and stamps that differ stay data).
 * False when the line is left to `JSON.parse` after all (a message that is not text and no fields).
 */
export function resolveIds(
  scan: PinoLineScan,
  given: CarriedIds | null,
  idsOf: ((b: Buffer, start: number, end: number) => CarriedIds | null) | undefined,
  stamps: StampBytes,
): boolean {
  const b = scan.bytes;
  let carrier = -1;
  if (idsOf)
    for (let k = 0; k < scan.restCount; k++)
      if (scan.restKinds[k]! >= CARRIER && (carrier < 0 || scan.restKinds[k]! >= scan.restKinds[carrier]!)) carrier = k;
  let ids: CarriedIds | null = null;
  if (carrier >= 0) {
    const v = scan.restValues[carrier]!;
    const end = scan.restEnds[carrier]!;
    // an empty carrier: the mixin's outside any span (it holds the strongest key, so none below counts)
    if (end - v !== 2 || b[v] !== QUOTE) {
      ids = idsOf!(b, v, end);
      if (ids === null) carrier = -1;
    }
  }
  if (carrier < 0) ids = given;
  scan.ids = ids;
  // OTel's flags are a stamp only beside OTel's ids
  let otel = false;
  if (ids !== null && ids.otelFlags !== undefined)
    for (let k = 0; k < scan.restCount && !otel; k++) {
      const kind = scan.restKinds[k]!;
      if (kind === TRACE_ID + 1 || kind === SPAN_ID + 1) {
        const index = kind === TRACE_ID + 1 ? OTEL_TRACE : OTEL_SPAN;
        otel = stamps.matches(ids, index, b, scan.restValues[k]!, scan.restEnds[k]!);
      }
    }
  let n = 0;
  for (let k = 0; k < scan.restCount; k++) {
    const kind = scan.restKinds[k]!;
    if (k === carrier) continue;
    // a stamp of the ids (a carrier-like key too, when the ids came beside the line) is left out
    const index = kind >= CARRIER ? CARRIER_STAMP : kind - 1;
    const stamp =
      kind > DATA &&
      ids !== null &&
      (index !== FLAGS || otel) &&
      stamps.matches(ids, index, b, scan.restValues[k]!, scan.restEnds[k]!);
    if (stamp) continue;
    scan.restStarts[n] = scan.restStarts[k]!;
    scan.restEnds[n] = scan.restEnds[k]!;
    scan.restValues[n] = scan.restValues[k]!;
    scan.restKinds[n++] = kind;
  }
  scan.restCount = n;
  // a message alone is the text body: it must be text
  return n > 0 || scan.msgStart < 0 || b[scan.msgStart] === QUOTE;
}

/** A carrier's ids from its JSON value's bytes (a string; escaped only when the ids hold `"`, `\\` or control characters). */
export function idsOfValue(b: Buffer, start: number, end: number): CarriedIds | null {
  if (b[start] !== QUOTE || end - start < 2) return null;
  let plain = true;
  for (let i = start + 1; i < end - 1; i++) if (b[i] === BACKSLASH) plain = false;
  if (plain) return unpackIds(b.toString('utf8', start + 1, end - 1));
  try {
    return unpackIds(JSON.parse(b.toString('utf8', start, end)));
  } catch {
    return null;
  }
}

/**
 * The stamps of the last ids seen, as the JSON bytes a line holds them in (`"trace id"`, a span id's
 * digits, …): a line's stamp is matched by a compare of bytes, made again only when the ids change.
 */
export class StampBytes {
  private of: CarriedIds | null = null;
  /** Per STAMP_KEYS index, the values that are stamps. */
  private values: Uint8Array[][] = [];

  matches(ids: CarriedIds, index: number, b: Uint8Array, start: number, end: number): boolean {
    if (ids !== this.of) this.build(ids);
    const values = this.values[index]!;
    for (let i = 0; i < values.length; i++) if (bytesAre(b, start, end, values[i]!)) return true;
    return false;
  }

  private build(ids: CarriedIds): void {
    this.of = ids;
    const json = (...xs: Array<string | number | undefined>): Uint8Array[] =>
      xs.filter((x) => x !== undefined).map((x) => utf8(JSON.stringify(x)));
    // the order of STAMP_KEYS
    this.values = [
      json(ids.traceId, ids.otelTraceId),
      json(ids.segmentId),
      json(ids.spanId, ids.otelSpanId),
      json(ids.service),
      json(ids.serviceInstance),
      json(ids.endpoint),
      json(ids.otelFlags),
      json(packIds(ids), packIds({ ...ids, otelTraceId: undefined, otelSpanId: undefined, otelFlags: undefined })),
      json(ids.otelTraceId),
      json(ids.otelSpanId),
    ];
  }
}

/** The body of a scanned line as JSON text (its fields but the message, after the message); undefined when it has no fields. */
export function bodyJsonOf(scan: PinoLineScan, messageKeyJson: string): string | undefined {
  if (scan.restCount === 0) return undefined;
  let rest = scan.text(scan.restStarts[0]!, scan.restEnds[0]!);
  for (let k = 1; k < scan.restCount; k++) rest += `,${scan.text(scan.restStarts[k]!, scan.restEnds[k]!)}`;
  return scan.msgStart < 0 ? `{${rest}}` : `{${messageKeyJson}:${scan.text(scan.msgStart, scan.msgEnd)},${rest}}`;
}

/** The text body of a scanned line with no other fields: its message, unescaped ('' without one). */
export function bodyTextOf(scan: PinoLineScan): string {
  if (scan.msgStart < 0) return '';
  return scan.msgEscaped
    ? (JSON.parse(scan.text(scan.msgStart, scan.msgEnd)) as string)
    : scan.text(scan.msgStart + 1, scan.msgEnd - 1);
}

/** The record `recordOfPino` would make of a scanned line (after `resolveIds`), with the body as JSON text. */
export function recordOfScan(scan: PinoLineScan, messageKeyJson: string): LogRecordInput {
  const record: LogRecordInput = {
    body: '',
    level: pinoLevelName(scan.level),
    logger: scan.loggerStart < 0 ? undefined : scan.text(scan.loggerStart, scan.loggerEnd),
    timestamp: scan.time,
    context: scan.ids,
    plainBody: true,
  };
  const bodyJson = bodyJsonOf(scan, messageKeyJson);
  if (bodyJson !== undefined) record.bodyJson = bodyJson;
  else record.body = bodyTextOf(scan);
  return record;
}

/**
 * A pino line read without `JSON.parse`: the record `recordOfPino` would make of it, with the body
 * as JSON text; undefined when the line holds what this reading leaves to `JSON.parse`
 * (`scanPinoLine`).
 */
export function recordOfPinoLine(
  json: string,
  keys: PinoKeys = new PinoKeys(),
  given: CarriedIds | null = null,
): LogRecordInput | undefined {
  const bytes = Buffer.from(json, 'utf8');
  const scan = new PinoLineScan();
  return scanPinoLine(bytes, 0, bytes.length, keys, scan) &&
    resolveIds(scan, given, given ? undefined : idsOfValue, new StampBytes())
    ? recordOfScan(scan, keys.messageJson)
    : undefined;
}
