import { REF_TYPE_NAMES, SPAN_LAYER_NAMES, SPAN_TYPE_NAMES } from '../base/model';
import { LINE_MARKER } from './line-json';
import type { ProtoWriter } from './proto-writer';

/**
 * A segment line straight to protobuf, for `forward`: the line is read once, left to right, and
 * written as a `SegmentCollection` entry (the bytes `encodeSegmentObject` gives for
 * `parseLine(line).segment`) without `JSON.parse` and without building the segment's objects.
 *
 * It takes only the shape the line reporter writes (`line-json.ts`: its keys in its order, no
 * spaces, strings without escapes, whole numbers of at most 15 digits, enums by name). Anything
 * else — another writer's spacing or key order, an escape, a broken line — returns undefined, and
 * the caller reads the line the general way (`parseLine`), which decides whether it is valid. So a
 * line read here gives the same bytes it would have given there, and no line is judged here.
 *
 * Field numbers (Tracing.proto, Common.proto) as `segment/encode.ts` writes them.
 */

const SEGMENT_HEAD = `${LINE_MARKER}segment","traceId":`;

/** Thrown inside to give the line to the general reader; never leaves this module. */
const NOT_OURS = new Error('not the line writer shape');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class Reader {
  i: number;
  constructor(
    readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  /** The literal `text` next (else not our shape). */
  lit(text: string): void {
    if (!this.opt(text)) throw NOT_OURS;
  }

  /** Whether `text` is next (consumed when it is): compared in place, no native call. */
  opt(text: string): boolean {
    const s = this.s;
    const i = this.i;
    const n = text.length;
    for (let k = 0; k < n; k++) if (s.charCodeAt(i + k) !== text.charCodeAt(k)) return false;
    this.i = i + n;
    return true;
  }

  /** A JSON string without escapes or control characters: its text. */
  str(): string {
    const s = this.s;
    if (s.charCodeAt(this.i) !== QUOTE) throw NOT_OURS;
    const from = this.i + 1;
    let k = from;
    for (;;) {
      const c = s.charCodeAt(k);
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) throw NOT_OURS;
      k++;
    }
    this.i = k + 1;
    return s.slice(from, k);
  }

  /** A whole JSON number of at most 15 digits (always a safe integer). */
  int(): number {
    const s = this.s;
    let k = this.i;
    const negative = s.charCodeAt(k) === 0x2d;
    if (negative) k++;
    const first = k;
    let v = 0;
    for (;;) {
      const d = s.charCodeAt(k) - 0x30;
      if (!(d >= 0 && d <= 9)) break;
      v = v * 10 + d;
      k++;
    }
    const n = k - first;
    if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(first) === 0x30)) throw NOT_OURS;
    this.i = k;
    return negative ? -v : v;
  }

  /** `"<one of names>"`: its index. */
  enumOf(names: readonly string[]): number {
    const v = this.str();
    const i = names.indexOf(v);
    if (i < 0) throw NOT_OURS;
    return i;
  }
}

/** `[{"key":…,"value":…},…]` as repeated `KeyStringValuePair` field `field`. */
function pairs(r: Reader, w: ProtoWriter, field: number): void {
  r.lit('[');
  if (r.opt(']')) return;
  do {
    r.lit('{"key":');
    const key = r.str();
    r.lit(',"value":');
    const value = r.str();
    r.lit('}');
    w.pairField(field, key, value);
  } while (r.opt(','));
  r.lit(']');
}

function refs(r: Reader, w: ProtoWriter): void {
  r.lit('[');
  do {
    r.lit('{"refType":');
    const mark = w.open(5);
    w.int32Field(1, r.enumOf(REF_TYPE_NAMES));
    r.lit(',"traceId":');
    w.stringField(2, r.str());
    r.lit(',"parentTraceSegmentId":');
    w.stringField(3, r.str());
    r.lit(',"parentSpanId":');
    w.int32Field(4, r.int());
    r.lit(',"parentService":');
    w.stringField(5, r.str());
    r.lit(',"parentServiceInstance":');
    w.stringField(6, r.str());
    r.lit(',"parentEndpoint":');
    w.stringField(7, r.str());
    r.lit(',"networkAddressUsedAtPeer":');
    w.stringField(8, r.str());
    r.lit('}');
    w.close(mark);
  } while (r.opt(','));
  r.lit(']');
}

function logs(r: Reader, w: ProtoWriter): void {
  r.lit('[');
  do {
    r.lit('{"time":');
    const mark = w.open(13);
    w.int64Field(1, r.int());
    r.lit(',"data":');
    pairs(r, w, 2);
    r.lit('}');
    w.close(mark);
  } while (r.opt(','));
  r.lit(']');
}

/** One span object as field 3 of the segment. */
function span(r: Reader, w: ProtoWriter): void {
  r.lit('{"spanId":');
  const mark = w.openSized(3, 128);
  w.int32Field(1, r.int());
  r.lit(',"parentSpanId":');
  w.int32Field(2, r.int());
  r.lit(',"startTime":');
  w.int64Field(3, r.int());
  r.lit(',"endTime":');
  w.int64Field(4, r.int());
  if (r.opt(',"refs":')) refs(r, w);
  r.lit(',"operationName":');
  w.stringField(6, r.str());
  if (r.opt(',"peer":')) w.stringField(7, r.str());
  r.lit(',"spanType":');
  w.int32Field(8, r.enumOf(SPAN_TYPE_NAMES));
  r.lit(',"spanLayer":');
  w.int32Field(9, r.enumOf(SPAN_LAYER_NAMES));
  r.lit(',"componentId":');
  w.int32Field(10, r.int());
  w.boolField(11, r.opt(',"isError":true'));
  if (r.opt(',"tags":')) pairs(r, w, 12);
  if (r.opt(',"logs":')) logs(r, w);
  w.boolField(14, r.opt(',"skipAnalysis":true'));
  r.lit('}');
  w.close(mark);
}

function segment(r: Reader, w: ProtoWriter): void {
  const entry = w.openSized(1, 128);
  const traceId = r.str();
  r.lit(',"traceSegmentId":');
  const segmentId = r.str();
  // a segment needs these (and a service): the general reader says so
  if (traceId === '' || segmentId === '') throw NOT_OURS;
  w.stringField(1, traceId);
  w.stringField(2, segmentId);
  r.lit(',"spans":[');
  if (!r.opt(']')) {
    do span(r, w);
    while (r.opt(','));
    r.lit(']');
  }
  r.lit(',"service":');
  const service = r.str();
  if (service === '') throw NOT_OURS;
  w.stringField(4, service);
  r.lit(',"serviceInstance":');
  w.stringField(5, r.str());
  w.boolField(6, r.opt(',"isSizeLimited":true'));
  r.lit('}');
  if (r.i !== r.s.length) throw NOT_OURS;
  w.close(entry);
}

/**
 * The `SegmentCollection` entry of a segment line whose marker is at `at`, written with `w` (a view
 * of its chunk, as `encodeSegmentObject` returns); undefined when the line is not in the line
 * writer's own shape (then nothing is written: read it with `parseLine`). Never throws.
 */
export function transcodeSegmentLine(line: string, at: number, w: ProtoWriter): Buffer | undefined {
  if (!line.startsWith(SEGMENT_HEAD, at)) return undefined;
  w.reset();
  try {
    segment(new Reader(line, at + SEGMENT_HEAD.length), w);
  } catch {
    // not our shape (or a bug here): the general reader takes the line
    w.reset();
    return undefined;
  }
  return w.finish();
}
