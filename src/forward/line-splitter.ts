/** One complete line of input and the byte offset just past its newline (where reading resumes after it). */
export interface InputLine {
  text: string;
  end: number;
}

/**
 * Cuts a byte stream into lines. A line longer than `maxLineBytes` is skipped whole (counted in
 * `tooLong`), held only up to the bound, never grown; a `\r` before the newline is dropped. Bytes
 * that are not UTF-8 become U+FFFD (the parser then calls the line foreign or invalid).
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private skipping = false;
  /** Byte offset of the next byte `push` receives. */
  private offset: number;
  tooLong = 0;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
  ) {
    this.offset = startOffset;
  }

  /** The lines the chunk completes, in order. */
  push(chunk: Buffer): InputLine[] {
    const out: InputLine[] = [];
    let from = 0;
    const base = this.offset;
    this.offset += chunk.length;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      this.complete(chunk.subarray(from, nl), base + nl + 1, out);
      from = nl + 1;
    }
    if (from < chunk.length) this.hold(chunk.subarray(from));
    return out;
  }

  /** Bytes of an unfinished line held now. */
  get pending(): number {
    return this.held;
  }

  /** Forget a partial line (the file under it was truncated or replaced); resume counting at `offset`. */
  reset(offset: number): void {
    this.parts = [];
    this.held = 0;
    this.skipping = false;
    this.offset = offset;
  }

  private hold(piece: Buffer): void {
    if (this.skipping) return;
    if (this.held + piece.length > this.maxLineBytes) {
      this.skipping = true;
      this.parts = [];
      this.held = 0;
      return;
    }
    // copied: the chunk's memory is reused by some readers
    this.parts.push(Buffer.from(piece));
    this.held += piece.length;
  }

  private complete(tail: Buffer, end: number, out: InputLine[]): void {
    if (this.skipping || this.held + tail.length > this.maxLineBytes) {
      this.tooLong++;
      this.skipping = false;
      this.parts = [];
      this.held = 0;
      return;
    }
    let line = this.held === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.held = 0;
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    out.push({ text: line.toString('utf8'), end });
  }
}
