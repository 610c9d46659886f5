/**
 * A small protobuf (proto3) writer for the messages we send most. Messages are written one after
 * another into a shared chunk and handed out as views of it (no copy); a message that outgrows the
 * chunk moves to a new one. A chunk is freed when no message in it is referenced any more.
 * Defaults (0, '', false, empty repeated) are left out, as protobuf.js and the Java runtime do,
 * so the bytes are the canonical encoding.
 */

const MAX_SHORT_STRING = 64;
const TWO_32 = 4294967296;

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
    this.buf[this.pos++] = field << 3;
    this.int64(value);
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

  /** Open a length-delimited sub-message; returns the mark (relative to the message) to pass to `close`. */
  open(field: number): number {
    this.reserve(2);
    this.buf[this.pos++] = (field << 3) | 2;
    // one byte for the length; `close` moves the body when it needs more
    return this.pos++ - this.start;
  }

  close(relativeMark: number): void {
    const mark = this.start + relativeMark;
    const length = this.pos - mark - 1;
    if (length < 128) {
      this.buf[mark] = length;
      return;
    }
    let extra = 1;
    while (length >= 2 ** (7 * (extra + 1))) extra++;
    this.reserve(extra);
    const at = this.start + relativeMark; // the chunk may have changed
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    const end = this.pos + extra;
    this.pos = at;
    this.varint(length);
    this.pos = end;
  }
}
