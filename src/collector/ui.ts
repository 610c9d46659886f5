import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';

/** The web UI's files, shipped in `ui/` at the package root. */
export const UI_DIR = join(__dirname, '..', '..', 'ui');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/**
 * Everything the page shows came from agents that anyone on the port can be, so the page may run
 * only our own script and style, talk only to this collector, and be framed by nobody.
 */
export const UI_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const cache = new Map<string, Buffer>();

/** Whether `path` is one of the UI's files. */
export function isUiPath(path: string): boolean {
  return Object.prototype.hasOwnProperty.call(FILES, path);
}

/** Answers a UI path with its file (read once), or returns false for any other path. */
export function serveUi(path: string, res: ServerResponse): boolean {
  const entry = isUiPath(path) ? FILES[path] : undefined;
  if (!entry) return false;
  let body = cache.get(entry.file);
  if (!body) {
    body = readFileSync(join(UI_DIR, entry.file));
    cache.set(entry.file, body);
  }
  res.writeHead(200, { ...UI_SECURITY_HEADERS, 'content-type': entry.type, 'content-length': body.length });
  res.end(body);
  return true;
}
