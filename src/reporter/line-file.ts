import { closeSync, fstatSync, openSync, renameSync, rmSync, write, writev } from 'node:fs';

/** Where the line reporter's lines go (UTF-8 bytes): one chunk at a time, `done` called once with the outcome. */
export interface LineDestination {
  write(chunk: Buffer, done: (error: Error | null) => void): void;
  /** The same for several parts, in order, when the destination takes them without joining them first. */
  writev?(parts: readonly Buffer[], done: (error: Error | null) => void): void;
  close(): void;
}

/** The process's stdout (or another stream): `done` once the stream took the chunk (its callback). */
export class StreamDestination implements LineDestination {
  constructor(private readonly out: NodeJS.WritableStream) {}

  write(chunk: Buffer, done: (error: Error | null) => void): void {
    try {
      this.out.write(chunk, (e?: Error | null) => done(e ?? null));
    } catch (e) {
      done(e as Error);
    }
  }

  close(): void {
    // stdout belongs to the process
  }
}

/**
 * A file rotated the way logging tools do it: when the next chunk would take it past `maxBytes`,
 * `<file>.<n-1>` becomes `<file>.<n>` (the last one deleted), …, `<file>` becomes `<file>.1`, and a
 * new `<file>` is opened. Appends (a file that exists is continued). Writes are asynchronous.
 */
export class RotatingFile implements LineDestination {
  private fd: number | undefined;
  private size = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {}

  write(chunk: Buffer | string, done: (error: Error | null) => void): void {
    let data: Buffer;
    let fd: number;
    try {
      data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (this.fd !== undefined && this.size > 0 && this.size + data.length > this.maxBytes) this.rotate();
      fd = this.open();
    } catch (e) {
      done(e as Error);
      return;
    }
    this.size += data.length;
    write(fd, data, 0, data.length, null, (e) => done(e));
  }

  /** The parts in one `writev` (rotating first when they would take the file past `maxBytes`). */
  writev(parts: readonly Buffer[], done: (error: Error | null) => void): void {
    let size = 0;
    for (const part of parts) size += part.length;
    let fd: number;
    try {
      if (this.fd !== undefined && this.size > 0 && this.size + size > this.maxBytes) this.rotate();
      fd = this.open();
    } catch (e) {
      done(e as Error);
      return;
    }
    this.size += size;
    writev(fd, parts as Buffer[], null, (e) => done(e));
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a', 0o644);
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    if (this.keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i--) {
        try {
          renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        } catch {
          // not there yet
        }
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.size = 0;
  }
}
