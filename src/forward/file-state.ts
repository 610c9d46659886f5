import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where reading a file stopped: the file (by inode, so a rotation is seen) and the byte after the last delivered line. */
export interface FilePosition {
  ino: number;
  offset: number;
}

/**
 * The state file `--state` names: one JSON object, file path → position, replaced atomically
 * (written aside, renamed over) after each delivered batch. Unreadable or absent: start afresh.
 */
export class StateFile {
  private positions: Record<string, FilePosition> = {};

  constructor(private readonly path: string | undefined) {
    if (!path) return;
    try {
      const o = JSON.parse(readFileSync(path, 'utf8')) as { files?: Record<string, FilePosition> };
      for (const [file, p] of Object.entries(o.files ?? {}))
        if (Number.isSafeInteger(p?.ino) && Number.isSafeInteger(p?.offset) && p.offset >= 0)
          this.positions[file] = { ino: p.ino, offset: p.offset };
    } catch {
      // no state yet
    }
  }

  get(file: string): FilePosition | undefined {
    return this.positions[file];
  }

  set(file: string, position: FilePosition): void {
    this.positions[file] = position;
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const aside = `${this.path}.${process.pid}.tmp`;
    writeFileSync(aside, `${JSON.stringify({ files: this.positions })}\n`);
    renameSync(aside, this.path);
  }
}
