import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
/** Written after a build from this setup: dist/ is as new as the sources it names. */
const MARK = join(ROOT, 'dist', '.test-built');
/** What the build reads besides src/. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time (ms) under `dir`: its files, and its folders (a file removed or renamed). */
function newestUnder(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when the mark is newer than every source and build input (a deleted dist/ has no mark). */
export function distIsCurrent(): boolean {
  const mark = mtimeOf(MARK);
  if (mark === 0) return false;
  const inputs = Math.max(newestUnder(join(ROOT, 'src')), ...BUILD_INPUTS.map((f) => mtimeOf(join(ROOT, f))));
  return mark > inputs;
}

/**
 * Vitest global setup: build dist/ once, before any test file runs. Test files never build
 * (several spawn processes that load dist/; a build inside one file raced the others). Both
 * projects name this setup; the first to start builds, the other finds the mark and skips.
 * The build is incremental (its state is kept in dist/, so deleting dist/ rebuilds in full), and
 * skipped when nothing under src/ (nor the tsconfig files, nor package.json) changed since the
 * last build from here: a no-op `tsc --incremental` still costs ~2.5 s of CPU.
 */
export default function buildOnce(): void {
  if (process.env.SWB_TEST_BUILT === '1') return;
  if (!distIsCurrent()) {
    execFileSync(
      process.execPath,
      [
        resolve(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--incremental',
        '--tsBuildInfoFile',
        'dist/.tsbuildinfo',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    writeFileSync(MARK, `${new Date().toISOString()}\n`);
  }
  process.env.SWB_TEST_BUILT = '1';
}
