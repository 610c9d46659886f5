#!/usr/bin/env node
// Prints the coverage of src/ per folder (and the top-level files together) from the json-summary
// that `vitest run --coverage` writes (coverage/coverage-summary.json): lines and branches, covered
// of total. Used by `npm run test:coverage`, so the table is in the CI output.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { relative, resolve, sep } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const file = resolve(ROOT, process.argv[2] || 'coverage/coverage-summary.json');
if (!existsSync(file)) {
  // vitest writes no report when a test failed: its own output says why
  console.log(`\nNo coverage summary at ${relative(ROOT, file)} (vitest writes none when a test fails).`);
  process.exit(0);
}
const summary = JSON.parse(readFileSync(file, 'utf8'));

/** Folder of a source file under src/: its first directory, or "(top-level files)". */
function folderOf(path) {
  const parts = relative(resolve(ROOT, 'src'), path).split(sep);
  return parts.length > 1 ? `src/${parts[0]}/` : 'src/*.ts';
}

const folders = new Map();
for (const [path, metrics] of Object.entries(summary)) {
  if (path === 'total') continue;
  const name = folderOf(path);
  const f = folders.get(name) || { files: 0, lines: [0, 0], branches: [0, 0] };
  f.files++;
  f.lines[0] += metrics.lines.covered;
  f.lines[1] += metrics.lines.total;
  f.branches[0] += metrics.branches.covered;
  f.branches[1] += metrics.branches.total;
  folders.set(name, f);
}

const pct = ([covered, total]) => (total === 0 ? '100.0' : ((100 * covered) / total).toFixed(1)).padStart(6);
const cell = (pair) => `${pct(pair)}% ${String(pair[0]).padStart(5)}/${String(pair[1]).padEnd(5)}`;
const rows = [...folders.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const width = Math.max(...rows.map(([name]) => name.length), 'folder'.length, 'all of src/'.length);
const out = [];
out.push(`${'folder'.padEnd(width)}  files  ${'lines'.padEnd(19)}  branches`);
for (const [name, f] of rows)
  out.push(`${name.padEnd(width)}  ${String(f.files).padStart(5)}  ${cell(f.lines)}  ${cell(f.branches)}`);
const t = summary.total;
out.push(
  `${'all of src/'.padEnd(width)}  ${String(rows.reduce((n, [, f]) => n + f.files, 0)).padStart(5)}  ${cell([t.lines.covered, t.lines.total])}  ${cell([t.branches.covered, t.branches.total])}`,
);
console.log(`\nCoverage per folder of src/ (in the test processes; spawned processes not counted)\n${out.join('\n')}`);
