/**
 * A small protobuf (proto3) writer for the messages we send most. Messages are written one after
 * another into a shared chunk and handed out as views of it (no copy); a message that outgrows the
 * chunk moves to a new one. A chunk is freed when no message in it is referenced any more.
 * Defaults (0, '', false, empty repeated) are left out, as protobuf.js and the Java runtime do,
 * so the bytes are the canonical encoding.
 */

const MAX_SHORT_STRING = 64;
const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
/** Wire type 2 (length-delimited) in a tag byte. */
const LENGTH_DELIMITED = 2;
/** The tag bytes of fields 1 and 2 as strings: a `KeyStringValuePair`'s key and value. */
const KEY_TAG = (1 << 3) | LENGTH_DELIMITED;
const VALUE_TAG = (2 << 3) | LENGTH_DELIMITED;

/** `s` copied into `buf` from `p` when it is all ASCII: the position after it; -1 at the first other character. */
function copyAscii(buf: Buffer, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 127) return -1;
    buf[p++] = c;
  }
  return p;
}

export class ProtoWriter {
  private buf: Buffer;
  /** Where the current message starts in `buf`. */
  private start = 0;
  pos = 0;

  constructor(private readonly chunkSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** Start a new message (after the last one handed out; an unfinished one is discarded). */
  reset(): void {
    this.pos = this.start;
  }

  /** The bytes of the message written since `reset`, as a view that stays valid. */
  finish(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** Room for `n` more bytes, so that the writes after it (`byte`, `varint`, `asciiBytes`) need no check. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // a fresh chunk for the rest of this message (and the next ones); the message so far moves with it
    const used = this.pos - this.start;
    let size = this.chunkSize;
    while (size < (used + n) * 2) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  /** An unsigned varint (a length) of at most 32 bits; on its own, after `reserve`. */
  varint(value: number): void {
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 127) {
      buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint of a 64-bit integer given as a JS number (two's complement when negative). */
  private int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.varint(value);
      return;
    }
    let v = Math.trunc(value);
    if (!Number.isFinite(v)) v = 0;
    const negative = v < 0;
    if (negative) v = -v;
    let lo = (v % TWO_32) >>> 0;
    let hi = Math.floor(v / TWO_32) >>> 0;
    if (negative) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      if (++lo > 0xffffffff) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      }
    }
    const buf = this.buf;
    while (hi > 0 || lo > 127) {
      buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  /** int32 / enum field: negative values take ten bytes, as the proto3 rules say. */
  int32Field(field: number, value: number): void {
    if (value === 0) return;
    this.reserve(16);
    this.buf[this.pos++] = field << 3;
    if (value > 0) this.varint(value);
    else this.int64(value);
  }

  int64Field(field: number, value: number): void {
    if (value === 0) return;
    this.reserve(16);
    const buf = this.buf;
    buf[this.pos++] = field << 3;
    if (value < TWO_32 || !(value < TWO_53)) {
      this.int64(value);
      return;
    }
    // 2^32 <= value < 2^53 (epoch ms): the low 28 bits from the low word, then the rest in 32 bits
    let p = this.pos;
    const lo = value >>> 0;
    const hi = (value - lo) / TWO_32;
    buf[p++] = (lo & 127) | 128;
    buf[p++] = ((lo >>> 7) & 127) | 128;
    buf[p++] = ((lo >>> 14) & 127) | 128;
    buf[p++] = ((lo >>> 21) & 127) | 128;
    let rest = ((lo >>> 28) | (hi << 4)) >>> 0;
    while (rest > 127) {
      buf[p++] = (rest & 127) | 128;
      rest >>>= 7;
    }
    buf[p++] = rest;
    this.pos = p;
  }

  boolField(field: number, value: boolean): void {
    if (!value) return;
    this.reserve(2);
    this.buf[this.pos++] = field << 3;
    this.buf[this.pos++] = 1;
  }

  /** A string field (UTF-8); left out when empty. Field numbers below 16 only (one tag byte). */
  stringField(field: number, value: string): void {
    const n = value.length;
    if (n === 0) return;
    this.reserve(n * 3 + 6);
    const buf = this.buf;
    buf[this.pos++] = (field << 3) | 2;
    if (n <= MAX_SHORT_STRING) {
      // short strings are nearly always ASCII: copy the char codes, no native call
      let p = this.pos + 1;
      let k = 0;
      for (; k < n; k++) {
        const c = value.charCodeAt(k);
        if (c > 127) break;
        buf[p++] = c;
      }
      if (k === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.pos += buf.write(value, this.pos, bytes, 'utf8');
  }

  /** One byte (a tag of a field below 16: `(field << 3) | wireType`). After `reserve`. */
  byte(value: number): void {
    this.buf[this.pos++] = value;
  }

  /**
   * The bytes `src[from, to)` when they are all ASCII (then they are text as it is in UTF-8 and in
   * characters alike): true. False at the first other byte, and `pos` is left where it was. After
   * `reserve`.
   */
  asciiBytes(src: Uint8Array, from: number, to: number): boolean {
    const buf = this.buf;
    let p = this.pos;
    for (let k = from; k < to; k++) {
      const c = src[k]!;
      if (c > 127) return false;
      buf[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /** Begin a gRPC message frame: 5 bytes (not compressed, the length) that `endFrame(mark)` fills. */
  beginFrame(): number {
    this.reserve(5);
    const mark = this.pos - this.start;
    this.pos += 5;
    return mark;
  }

  /** End the frame begun at `mark`: its length is what was written after its 5 bytes. */
  endFrame(mark: number): void {
    const at = this.start + mark;
    this.buf[at] = 0;
    this.buf.writeUInt32BE(this.pos - at - 5, at + 1);
  }

  /** Bytes already encoded (whole fields, e.g. a memo of fields that repeat), as they are. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * A `KeyStringValuePair` (key field 1, value field 2) as field `field`: written in one pass
   * when both are short ASCII (nearly always), else as `open`, two `stringField`s, `close`.
   */
  pairField(field: number, key: string, value: string): void {
    const kn = key.length;
    const vn = value.length;
    const body = (kn === 0 ? 0 : kn + 2) + (vn === 0 ? 0 : vn + 2);
    if (body < 128) {
      this.reserve(body + 2);
      const buf = this.buf;
      let p = this.pos;
      buf[p++] = (field << 3) | LENGTH_DELIMITED;
      buf[p++] = body;
      if (kn !== 0) {
        buf[p++] = KEY_TAG;
        buf[p++] = kn;
        p = copyAscii(buf, p, key);
      }
      if (vn !== 0 && p >= 0) {
        buf[p++] = VALUE_TAG;
        buf[p++] = vn;
        p = copyAscii(buf, p, value);
      }
      if (p >= 0) {
        this.pos = p;
        return;
      }
    }
    const mark = this.open(field);
    this.stringField(1, key);
    this.stringField(2, value);
    this.close(mark);
  }

  /**
   * Open a length-delimited sub-message with one byte for its length; returns the mark to pass to
   * `close` (where the length goes, relative to the message, and how many bytes it has).
   */
  open(field: number): number {
    this.reserve(2);
    this.buf[this.pos++] = (field << 3) | LENGTH_DELIMITED;
    // one byte for the length; `close` moves the body when it needs more
    return (this.pos++ - this.start) * 2;
  }

  /**
   * `open` with two bytes for the length when the sub-message is expected to take 128 bytes or
   * more (`sizeHint`, a guess): then `close` moves nothing (it moves the body when the guess was wrong).
   */
  openSized(field: number, sizeHint: number): number {
    if (sizeHint < 128) return this.open(field);
    this.reserve(3);
    this.buf[this.pos++] = (field << 3) | LENGTH_DELIMITED;
    const mark = this.pos - this.start;
    this.pos += 2;
    return mark * 2 + 1;
  }

  close(mark: number): void {
    const reserved = (mark & 1) + 1;
    const relative = (mark - reserved + 1) / 2;
    const at = this.start + relative;
    const length = this.pos - at - reserved;
    if (reserved === 1 && length < 128) {
      this.buf[at] = length;
      return;
    }
    if (reserved === 2 && length >= 128 && length < 16384) {
      this.buf[at] = (length & 127) | 128;
      this.buf[at + 1] = length >>> 7;
      return;
    }
    let needed = 1;
    while (length >= 2 ** (7 * needed)) needed++;
    const shift = needed - reserved;
    if (shift > 0) this.reserve(shift);
    const from = this.start + relative; // the chunk may have changed
    this.buf.copyWithin(from + needed, from + reserved, this.pos);
    const end = this.pos + shift;
    this.pos = from;
    this.varint(length);
    this.pos = end;
  }
}
