/**
 * Newline-separated log lines taken in as chunks (thread-stream's reads, or batches posted by the
 * application thread) and handed one line at a time to `onLine` as UTF-8 bytes (a chunk is encoded
 * once, into a buffer reused for every chunk: a line's bytes are valid during its call only), in
 * slices of a few milliseconds so that taking in more is never held up by the work per line. At
 * most `maxChars` characters wait; past it lines are dropped and counted, each alone (a line over the
 * bound never takes the lines after it along). Never throws.
 */
export class LineSink {
  private readonly chunks: string[] = [];
  private head = 0;
  private queuedChars = 0;
  /** The start of a line whose end has not come yet (thread-stream cuts anywhere). */
  private tail = '';
  /** A line longer than `maxChars` is being skipped up to its newline (counted dropped once). */
  private skipping = false;
  private scheduled = false;
  private idle: Array<() => void> = [];
  /** Lines dropped because the queue was full. */
  dropped = 0;
  /** Lines handed to `onLine`. */
  taken = 0;
  private scratch = Buffer.alloc(0);

  constructor(
    private readonly maxChars: number,
    /** One line: `bytes[start, end)`, without its newline. */
    private readonly onLine: (bytes: Buffer, start: number, end: number) => void,
    /** Called with each chunk's length once all its lines are handed on or dropped. */
    private readonly onChunkDone: (chars: number) => void = () => undefined,
    private readonly sliceMs = 4,
  ) {}

  /** Characters waiting. */
  get queued(): number {
    return this.queuedChars;
  }

  /** Take a chunk: its whole lines are queued, or dropped and counted when `maxChars` would be passed. */
  push(chunk: string): void {
    if (typeof chunk !== 'string' || chunk.length === 0) return;
    let from = 0;
    if (this.skipping) {
      // the rest of a line too long to hold
      from = chunk.indexOf('\n') + 1;
      if (from === 0) return;
      this.skipping = false;
    }
    const last = chunk.lastIndexOf('\n');
    if (last < from) {
      this.tail += from === 0 ? chunk : chunk.slice(from);
      if (this.tail.length > this.maxChars) {
        this.tail = '';
        this.skipping = true;
        this.dropped++;
      }
      return;
    }
    const whole =
      this.tail === '' && from === 0 && last === chunk.length - 1 ? chunk : this.tail + chunk.slice(from, last + 1);
    this.tail = last === chunk.length - 1 ? '' : chunk.slice(last + 1);
    this.enqueue(whole);
  }

  /** Resolves once nothing waits. */
  drained(): Promise<void> {
    if (this.head === this.chunks.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Count what still waits as dropped and let it go (a close ran out of time). */
  discard(): void {
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) this.dropped++;
      this.onChunkDone(chunk.length);
    }
    this.chunks.length = 0;
    this.head = 0;
    this.queuedChars = 0;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** The input ended: a last line without its newline is taken too. */
  end(): void {
    if (this.tail !== '') this.enqueue(`${this.tail}\n`);
    this.tail = '';
    this.skipping = false;
  }

  private enqueue(whole: string): void {
    if (this.queuedChars + whole.length <= this.maxChars) {
      this.chunks.push(whole);
      this.queuedChars += whole.length;
      this.schedule();
      return;
    }
    // line by line: a line over the bound drops alone, the others are queued while there is room
    let kept = 0;
    let runStart = -1;
    let runEnd = -1;
    const flushRun = (): void => {
      if (runStart < 0) return;
      const piece = whole.slice(runStart, runEnd);
      this.chunks.push(piece);
      this.queuedChars += piece.length;
      kept += piece.length;
      runStart = -1;
    };
    let start = 0;
    for (let nl = whole.indexOf('\n'); nl >= 0; nl = whole.indexOf('\n', start)) {
      const end = nl + 1;
      if (this.queuedChars + (runStart < 0 ? 0 : runEnd - runStart) + (end - start) <= this.maxChars) {
        if (runStart < 0) runStart = start;
        runEnd = end;
      } else {
        flushRun();
        this.dropped++;
      }
      start = end;
    }
    flushRun();
    if (whole.length > kept) this.onChunkDone(whole.length - kept);
    if (kept > 0) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.work());
  }

  private work(): void {
    this.scheduled = false;
    const until = performance.now() + this.sliceMs;
    while (this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      this.chunks[this.head++] = '';
      this.queuedChars -= chunk.length;
      this.lines(chunk);
      this.onChunkDone(chunk.length);
      if (performance.now() >= until) break;
    }
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    } else {
      if (this.head > 1024) {
        this.chunks.splice(0, this.head);
        this.head = 0;
      }
      this.schedule();
    }
  }

  private lines(chunk: string): void {
    // one buffer, as large as the largest chunk taken (at most maxChars characters, in UTF-8)
    const size = Buffer.byteLength(chunk, 'utf8');
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, 65536));
    const bytes = this.scratch.subarray(0, this.scratch.write(chunk, 0, 'utf8'));
    let start = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
      if (nl > start) this.line(bytes, start, nl);
      start = nl + 1;
    }
  }

  private line(bytes: Buffer, start: number, end: number): void {
    this.taken++;
    try {
      this.onLine(bytes, start, end);
    } catch {
      // onLine guards itself; never stop the sink
    }
  }
}
