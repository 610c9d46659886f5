import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Vitest global setup: build dist/ once, before any test file runs. Test files never build
 * (several spawn processes that load dist/; a build inside one file raced the others). Both
 * projects name this setup; the first to start builds, the other finds the mark and skips.
 * The build is incremental (its state is kept in dist/, so deleting dist/ rebuilds in full).
 */
export default function buildOnce(): void {
  if (process.env.SWB_TEST_BUILT === '1') return;
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
  process.env.SWB_TEST_BUILT = '1';
}
