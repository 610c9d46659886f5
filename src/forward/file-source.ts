import { type FileHandle, open, stat } from 'node:fs/promises';
import type { StateFile } from './file-state';
import { type InputLine, LineSplitter } from './line-splitter';
import type { LineBatch, LineSource } from './source';

export interface FileSourceOptions {
  follow: boolean;
  maxLineBytes: number;
  batchLines: number;
  /** How often an idle followed file is looked at, ms. */
  pollMs: number;
}

const CHUNK = 256 * 1024;

const inoOf = async (path: string): Promise<number | undefined> => {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
};

/**
 * Lines from a file, like `tail -F`: from the position the state file kept (when it still names
 * the same file, or the file it was rotated to as `<file>.1`), else from the start; at the end it
 * waits for more. Rotation (a new file under the name) is read on once the old one is finished;
 * a file truncated under the reader is read again from its start. Each batch's commit stores the
 * offset after its last line.
 */
export class FileSource implements LineSource {
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly counts = { bytes: 0, rotations: 0, truncations: 0, tooLong: 0 };

  constructor(
    readonly name: string,
    private readonly state: StateFile,
    private readonly options: FileSourceOptions,
  ) {}

  async *batches(): AsyncIterable<LineBatch> {
    const saved = this.state.get(this.name);
    const rotatedIno = await inoOf(`${this.name}.1`);
    // stopped while the file was being rotated: finish the old file (now <file>.1) first
    if (saved && rotatedIno === saved.ino && (await inoOf(this.name)) !== saved.ino)
      yield* this.read(`${this.name}.1`, saved.offset, false);
    else if (saved && (await inoOf(this.name)) === saved.ino) {
      yield* this.read(this.name, saved.offset, this.options.follow);
      return;
    }
    yield* this.read(this.name, 0, this.options.follow);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  stats(): Record<string, number> {
    return { ...this.counts };
  }

  /** Read `path` from `offset`; following, go on across rotations and truncations until stopped. */
  private async *read(path: string, offset: number, follow: boolean): AsyncIterable<LineBatch> {
    let handle: FileHandle | undefined;
    while (!handle) {
      if (this.stopped) return;
      try {
        handle = await open(path, 'r');
      } catch {
        if (!follow) return;
        await this.idle();
      }
    }
    let ino = (await handle.stat()).ino;
    let position = offset;
    if ((await handle.stat()).size < position) position = 0;
    const splitter = new LineSplitter(this.options.maxLineBytes, position);
    const buf = Buffer.allocUnsafe(CHUNK);
    try {
      while (!this.stopped) {
        const lines: InputLine[] = [];
        let n = 0;
        do {
          n = (await handle.read(buf, 0, CHUNK, position)).bytesRead;
          position += n;
          this.counts.bytes += n;
          for (const l of splitter.push(buf.subarray(0, n))) lines.push(l);
        } while (n === CHUNK && lines.length < this.options.batchLines);
        this.counts.tooLong = splitter.tooLong;
        if (lines.length > 0) {
          for (let i = 0; i < lines.length && !this.stopped; i += this.options.batchLines) {
            const part = lines.slice(i, i + this.options.batchLines);
            const at = { ino, offset: part[part.length - 1]!.end };
            yield { lines: part.map((l) => l.text), commit: async () => this.state.set(this.name, at) };
          }
          continue;
        }
        if (!follow) {
          // a last line without its newline
          const last = splitter.pending > 0 ? splitter.push(Buffer.from('\n')) : [];
          if (last.length > 0 && !this.stopped) {
            const at = { ino, offset: position };
            yield { lines: last.map((l) => l.text), commit: async () => this.state.set(this.name, at) };
          }
          break;
        }
        // at the end: replaced, truncated, or just nothing new yet
        const now = await inoOf(this.name);
        if (now !== undefined && now !== ino) {
          this.counts.rotations++;
          await handle.close();
          handle = await open(this.name, 'r');
          ino = (await handle.stat()).ino;
          position = 0;
          splitter.reset(0);
          continue;
        }
        if ((await handle.stat()).size < position) {
          this.counts.truncations++;
          position = 0;
          splitter.reset(0);
          continue;
        }
        await this.idle();
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, this.options.pollMs);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
