#!/usr/bin/env node
// `npm run test:coverage [-- vitest args]`: the suite with coverage, then the tables. Vitest's v8
// coverage counts src/ in the test processes; NODE_V8_COVERAGE makes every process the tests spawn
// write its raw V8 coverage too, which coverage-children.js reads for dist/. Exits with vitest's code.
'use strict';
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const CHILDREN = resolve(ROOT, '.tmp', 'v8-children');
rmSync(CHILDREN, { recursive: true, force: true });
const vitest = resolve(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--coverage', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NODE_V8_COVERAGE: CHILDREN },
});
spawnSync(process.execPath, [resolve(__dirname, 'coverage-by-folder.js')], { cwd: ROOT, stdio: 'inherit' });
spawnSync(process.execPath, [resolve(__dirname, 'coverage-children.js'), CHILDREN], { cwd: ROOT, stdio: 'inherit' });
// the raw files are large (every script of every process): keep only the tables
rmSync(CHILDREN, { recursive: true, force: true });
process.exit(run.status ?? 1);
