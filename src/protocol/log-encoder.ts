import type { KeyStringValuePair } from '../base/model';
import { ProtoWriter } from './proto-writer';

/** `LogData` (logging/Logging.proto) as plain objects, field names as in the proto. */
export interface LogData {
  /** Epoch ms. */
  timestamp: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  /** Exactly one of `text` and `json`. */
  body: LogBody;
  /** The span the record was written in; absent outside a trace. */
  traceContext?: LogTraceContext;
  tags: KeyStringValuePair[];
  layer: string;
}

export interface LogBody {
  text?: { text: string };
  json?: { json: string };
}

export interface LogTraceContext {
  traceId: string;
  traceSegmentId: string;
  spanId: number;
}

/**
 * Field numbers: LogData timestamp 1, service 2, serviceInstance 3, endpoint 4, body 5,
 * traceContext 6, tags 7, layer 8. LogDataBody type 1, text 2 (TextLog text 1), json 3 (JSONLog
 * json 1). TraceContext traceId 1, traceSegmentId 2, spanId 3. LogTags data 1 (KeyStringValuePair
 * key 1, value 2). Defaults are left out (proto3 canonical form); the body's oneof case is always
 * written, also for an empty text.
 */
const writer = new ProtoWriter(64 * 1024);

/**
 * The records of one request repeat their service, instance, endpoint and trace context: their
 * fields' bytes are kept for the last values seen and copied, not encoded again (a string costs
 * ~3 ns a character here, these ~100 characters a record). Compared by value, so any LogData is
 * encoded exactly as without the memo (test/protocol/log-encoder.test.ts).
 */
class RepeatedFields {
  private readonly scratch = new ProtoWriter(4096);
  private service = '';
  private instance = '';
  private endpoint = '';
  private head: Uint8Array | undefined;
  private traceId = '';
  private segmentId = '';
  private spanId = 0;
  private context: Uint8Array | undefined;

  /** Fields 2, 3, 4. */
  headOf(service: string, instance: string, endpoint: string): Uint8Array {
    if (this.head && service === this.service && instance === this.instance && endpoint === this.endpoint)
      return this.head;
    const w = this.scratch;
    w.reset();
    w.stringField(2, service);
    w.stringField(3, instance);
    w.stringField(4, endpoint);
    this.head = Uint8Array.prototype.slice.call(w.finish());
    this.service = service;
    this.instance = instance;
    this.endpoint = endpoint;
    return this.head;
  }

  /** Field 6. */
  contextOf(tc: LogTraceContext): Uint8Array {
    if (
      this.context &&
      tc.traceId === this.traceId &&
      tc.traceSegmentId === this.segmentId &&
      tc.spanId === this.spanId
    )
      return this.context;
    const w = this.scratch;
    w.reset();
    const mark = w.open(6);
    w.stringField(1, tc.traceId);
    w.stringField(2, tc.traceSegmentId);
    w.int32Field(3, tc.spanId);
    w.close(mark);
    this.context = Uint8Array.prototype.slice.call(w.finish());
    this.traceId = tc.traceId;
    this.segmentId = tc.traceSegmentId;
    this.spanId = tc.spanId;
    return this.context;
  }
}

const repeated = new RepeatedFields();

/**
 * A record that writes its own `LogData` fields (a pino line read in place: no `LogData` object is
 * made). Valid only during the call it is passed to; `logData()` is the same record as an object.
 */
export interface LogDataWriter {
  /** Fields 1 to 8 of the record, in order, as `encodeLogData` would write its `logData()`. */
  writeLogData(w: ProtoWriter): void;
  logData(): LogData;
}

/** Field 1: the timestamp, epoch ms. */
export function writeLogTimestamp(w: ProtoWriter, ms: number): void {
  w.int64Field(1, ms);
}

/** Fields 2, 3, 4: service, instance, endpoint. */
export function writeLogHead(w: ProtoWriter, service: string, instance: string, endpoint: string): void {
  w.raw(repeated.headOf(service, instance, endpoint));
}

/** Field 5: the body, JSON when `json` is a string, else text. */
export function writeLogBody(w: ProtoWriter, json: string | undefined, text: string): void {
  const body = w.open(5);
  if (json !== undefined) {
    const mark = w.open(3);
    w.stringField(1, json);
    w.close(mark);
  } else {
    const mark = w.open(2);
    w.stringField(1, text);
    w.close(mark);
  }
  w.close(body);
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

/**
 * A body handed pre-scanned (a pino line read in place): byte ranges of `bytes`. The message's
 * value as written (`msgStart` -1: none; `msgEscaped`: a string with an escape), and the body's
 * other fields as written (`"key":value`).
 */
export interface ScannedLogBody {
  readonly bytes: Uint8Array;
  readonly msgStart: number;
  readonly msgEnd: number;
  readonly msgEscaped: boolean;
  readonly restStarts: readonly number[];
  readonly restEnds: readonly number[];
  readonly restCount: number;
}

/**
 * Field 5 of a pre-scanned body, exactly as `writeLogBody` writes the body `buildLogData` makes of
 * it: its fields as JSON (`{<messageKey>:<message>,<field>,…}`), or the message alone as text; cut
 * to text past `max` characters. ASCII (nearly every line) is copied from the ranges; anything else
 * is written from the strings `json()` / `text()` give.
 */
export function writeScannedLogBody(
  w: ProtoWriter,
  s: ScannedLogBody,
  messageKeyJson: Uint8Array,
  max: number,
  json: () => string,
  text: () => string,
): void {
  const b = s.bytes;
  if (s.restCount > 0) {
    let n = 1 + s.restCount; // the braces, the commas between the fields
    for (let k = 0; k < s.restCount; k++) n += s.restEnds[k]! - s.restStarts[k]!;
    if (s.msgStart >= 0) n += messageKeyJson.length + 2 + (s.msgEnd - s.msgStart);
    if (n <= max) {
      w.reserve(n + 16);
      const at = w.pos;
      bodyHeader(w, JSON_BODY, n);
      w.byte(123);
      let ascii = true;
      if (s.msgStart >= 0) {
        ascii = w.asciiBytes(messageKeyJson, 0, messageKeyJson.length);
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
    const body = json();
    if (body.length <= max) writeLogBody(w, body, '');
    else writeLogBody(w, undefined, body.slice(0, max));
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
  const t = text();
  writeLogBody(w, undefined, t.length > max ? t.slice(0, max) : t);
}

/** Field 6: the trace context. */
export function writeLogTraceContext(w: ProtoWriter, tc: LogTraceContext): void {
  w.raw(repeated.contextOf(tc));
}

/** Field 7: the tags (none: nothing). */
export function writeLogTags(w: ProtoWriter, tags: readonly KeyStringValuePair[]): void {
  if (tags.length === 0) return;
  const mark = w.open(7);
  for (let i = 0; i < tags.length; i++) {
    const pair = tags[i]!;
    const tag = w.open(1);
    w.stringField(1, pair.key);
    w.stringField(2, pair.value);
    w.close(tag);
  }
  w.close(mark);
}

/**
 * One `LogData` message's bytes: a view into a chunk of `w` (by default one shared by everyone),
 * valid for good. A queue that holds records for long passes its own writer, so its views pin only
 * its own chunks, never another reporter's. `framed`: with the 5 bytes that make it a gRPC message
 * of a request body (records encoded one after another are then sent as they lie, uncopied).
 */
export function encodeLogData(log: LogData | LogDataWriter, w: ProtoWriter = writer, framed = false): Buffer {
  w.reset();
  const frame = framed ? w.beginFrame() : -1;
  if ('writeLogData' in log) log.writeLogData(w);
  else {
    writeLogTimestamp(w, log.timestamp);
    writeLogHead(w, log.service, log.serviceInstance, log.endpoint);
    const json = log.body.json;
    writeLogBody(w, json ? json.json : undefined, log.body.text?.text ?? '');
    if (log.traceContext) writeLogTraceContext(w, log.traceContext);
    writeLogTags(w, log.tags);
    w.stringField(8, log.layer);
  }
  if (framed) w.endFrame(frame);
  return w.finish();
}
