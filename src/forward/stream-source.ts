import { LineSplitter } from './line-splitter';
import { type LineBatch, type LineSource, noCommit } from './source';

/**
 * Lines from a byte stream (stdin): read while the previous batch is handled only up to the
 * stream's own buffer, so a slow OAP slows the producer (the pipe fills) instead of growing memory.
 * A last line without a newline counts at the end of the stream.
 */
export class StreamSource implements LineSource {
  readonly name = 'stdin';
  private readonly splitter: LineSplitter;
  private stopped = false;
  private read = 0;

  constructor(
    private readonly stream: NodeJS.ReadableStream & { readableLength?: number },
    maxLineBytes: number,
    private readonly batchLines: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes);
  }

  async *batches(): AsyncIterable<LineBatch> {
    try {
      yield* this.chunks();
    } catch (e) {
      // destroyed by stop(): the end of the input, not a failure
      if (!this.stopped) throw e;
    }
  }

  private async *chunks(): AsyncIterable<LineBatch> {
    let lines: string[] = [];
    for await (const chunk of this.stream) {
      if (this.stopped) break;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      for (const l of this.splitter.push(buf)) lines.push(l.text);
      this.read += buf.length;
      if (lines.length >= this.batchLines || (this.stream.readableLength ?? 0) === 0) {
        while (lines.length > 0) {
          yield { lines: lines.splice(0, this.batchLines), commit: noCommit };
          if (this.stopped) return;
        }
        lines = [];
      }
    }
    if (this.stopped) return;
    // a last line without its newline
    if (this.splitter.pending > 0) for (const l of this.splitter.push(Buffer.from('\n'))) lines.push(l.text);
    if (lines.length > 0) yield { lines, commit: noCommit };
  }

  stop(): void {
    this.stopped = true;
    // an idle stdin would keep the reader waiting for its next chunk
    (this.stream as { destroy?: () => void }).destroy?.();
  }

  stats(): Record<string, number> {
    return { bytes: this.read, tooLong: this.splitter.tooLong };
  }
}
