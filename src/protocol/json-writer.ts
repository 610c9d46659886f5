/**
 * A writer of JSON text as UTF-8 bytes, for the line format (`line-json.ts`): values are written one
 * after another into a shared chunk and each finished line is handed out as a view of it (no copy),
 * like `ProtoWriter`; a line that outgrows the chunk moves to a new one, and a chunk is freed when no
 * line in it is referenced any more. Strings and numbers come out exactly as `JSON.stringify` writes
 * them: printable ASCII is copied byte by byte, and only a string with something to escape or a
 * non-ASCII character goes through `JSON.stringify` itself.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
/** The largest integer written digit by digit (2^53); others through `JSON.stringify`. */
const MAX_EXACT = 9007199254740992;

const EIGHT_DIGITS = 100_000_000;

/** `v` (0 <= v < 10^8, an integer) in decimal at `p`, at least `width` digits: the position after it. */
function digits(buf: Buffer, p: number, v: number, width: number): number {
  let n = 1;
  for (let limit = 10; v >= limit && n < 8; limit *= 10) n++;
  if (n < width) n = width;
  let x = v | 0;
  for (let i = p + n - 1; i >= p; i--) {
    const q = (x / 10) | 0;
    buf[i] = 0x30 + x - q * 10;
    x = q;
  }
  return p + n;
}

/** `s` copied to `buf` at `p` when it needs no escaping in a JSON string (printable ASCII): the position after it; -1 otherwise. */
function plain(buf: Buffer, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return -1;
    buf[p++] = c;
  }
  return p;
}

/** ASCII `s` copied to `buf` at `p`: the position after it. */
function ascii(buf: Buffer, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) buf[p++] = s.charCodeAt(k);
  return p;
}

const PAIR_KEY = '{"key":"';
const PAIR_VALUE = '","value":"';

export class JsonWriter {
  private buf: Buffer;
  /** Where the current line starts in `buf`. */
  private start = 0;
  pos = 0;

  constructor(private readonly chunkSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** Start a new line (after the last one handed out; an unfinished one is discarded). */
  reset(): void {
    this.pos = this.start;
  }

  /** The bytes written since `reset`, as a view that stays valid. */
  finish(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** Room for `n` more bytes. */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // a fresh chunk for the rest of this line (and the next ones); the line so far moves with it
    const used = this.pos - this.start;
    let size = this.chunkSize;
    while (size < (used + n) * 2) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  /** ASCII text that needs no escaping (names, punctuation, enum names), as it is. */
  raw(s: string): void {
    const n = s.length;
    this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) buf[p++] = s.charCodeAt(k);
    this.pos = p;
  }

  /** Text of any kind as it is, in UTF-8 (a whole JSON text made elsewhere). */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** The end of a line. */
  newline(): void {
    this.reserve(1);
    this.buf[this.pos++] = NEWLINE;
  }

  /**
   * A `KeyStringValuePair` object, `{"key":…,"value":…}`, after a comma unless it is the first: in
   * one pass when both need no escaping (nearly always).
   */
  pair(key: string, value: string, first: boolean): void {
    this.reserve(key.length + value.length + 24);
    const buf = this.buf;
    let p = this.pos;
    if (!first) buf[p++] = 0x2c;
    p = plain(buf, ascii(buf, p, PAIR_KEY), key);
    if (p >= 0) p = plain(buf, ascii(buf, p, PAIR_VALUE), value);
    if (p >= 0) {
      buf[p++] = QUOTE;
      buf[p++] = 0x7d;
      this.pos = p;
      return;
    }
    this.raw(first ? '{"key":' : ',{"key":');
    this.string(key);
    this.raw(',"value":');
    this.string(value);
    this.raw('}');
  }

  /** ASCII `name` (a key with its punctuation, `,"key":`) and then the string `s`: one pass when `s` needs no escaping. */
  member(name: string, s: string): void {
    this.reserve(name.length + s.length + 2);
    const buf = this.buf;
    const start = ascii(buf, this.pos, name);
    buf[start] = QUOTE;
    const p = plain(buf, start + 1, s);
    if (p >= 0) {
      buf[p] = QUOTE;
      this.pos = p + 1;
      return;
    }
    this.pos = start;
    this.string(s);
  }

  /** ASCII `name` (a key with its punctuation) and then the number `value`. */
  numberMember(name: string, value: number): void {
    this.reserve(name.length);
    this.pos = ascii(this.buf, this.pos, name);
    this.number(value);
  }

  /** A JSON string, quoted and escaped as `JSON.stringify` does it. */
  string(s: string): void {
    const n = s.length;
    this.reserve(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = QUOTE;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
    this.pos = p;
  }

  /** A JSON number as `JSON.stringify` writes it (integers digit by digit; NaN and infinities as null). */
  number(value: number): void {
    let v = value;
    if (!(v > -MAX_EXACT && v < MAX_EXACT) || Math.floor(v) !== v) {
      this.raw(JSON.stringify(v));
      return;
    }
    this.reserve(17);
    if (v < 0) {
      this.buf[this.pos++] = 0x2d;
      v = -v;
    }
    if (v < EIGHT_DIGITS) {
      this.pos = digits(this.buf, this.pos, v, 0);
      return;
    }
    // past eight digits (epoch ms): the high part, then the low eight digits with their zeros
    const high = Math.floor(v / EIGHT_DIGITS);
    const p = digits(this.buf, this.pos, high, 0);
    this.pos = digits(this.buf, p, v - high * EIGHT_DIGITS, 8);
  }
}
