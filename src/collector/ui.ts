import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The web UI's files, shipped in `ui/` at the package root. */
export const UI_DIR = join(__dirname, '..', '..', 'ui');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** Whether `path` (raw) is one of the UI's files. */
export function isUiPath(path: string): boolean {
  return Object.prototype.hasOwnProperty.call(FILES, path);
}

/** A UI file's bytes (read once) and content type, or undefined for any other path. */
export function uiFile(path: string): { body: Buffer; type: string } | undefined {
  const entry = isUiPath(path) ? FILES[path] : undefined;
  if (!entry) return undefined;
  let body = cache.get(entry.file);
  if (!body) {
    body = readFileSync(join(UI_DIR, entry.file));
    cache.set(entry.file, body);
  }
  return { body, type: entry.type };
}
