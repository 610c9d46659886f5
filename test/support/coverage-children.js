#!/usr/bin/env node
// Line coverage of dist/ in the processes the tests spawn (services, fixtures, the CLI), read from
// the raw V8 coverage that Node writes for every process when NODE_V8_COVERAGE names a directory
// (`npm run test:coverage` sets it: test/support/coverage-run.js). Vitest's own report counts only the test processes, and those
// load src/; spawned processes load dist/, which has no source maps, so this is a separate table
// per folder of dist/ (the same folders as src/), a line counted covered when any process ran it.
//
// Lines: every line of a dist/ file that is not blank or a comment; a line is covered when it lies
// in no range V8 counted 0 in some process that loaded the file (v8-to-istanbul's rule), and a file
// no spawned process loaded counts as not covered at all.
'use strict';
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join, relative, resolve, sep } = require('node:path');
const { fileURLToPath } = require('node:url');

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const dir = resolve(ROOT, process.argv[2] || '.tmp/v8-children');

function jsFiles(d) {
  const out = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

/** Start offsets of each line, and which lines are code (not blank, not only a comment). */
function linesOf(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const code = [];
  let inBlock = false;
  for (let n = 0; n < starts.length; n++) {
    const line = text.slice(starts[n], n + 1 < starts.length ? starts[n + 1] - 1 : text.length).trim();
    let isCode = line !== '' && !inBlock && !line.startsWith('//') && !line.startsWith('/*');
    if (line.startsWith('/*') && !line.includes('*/')) inBlock = true;
    else if (inBlock && line.includes('*/')) {
      inBlock = false;
      isCode = false;
    }
    code.push(isCode);
  }
  return { starts, code };
}

if (!existsSync(dir) || !existsSync(DIST)) {
  console.log(
    `\nNo raw V8 coverage of spawned processes in ${relative(ROOT, dir)} (set NODE_V8_COVERAGE=${relative(ROOT, dir)}).`,
  );
  process.exit(0);
}

const files = new Map(); // dist file -> { lines, covered: Set<line> }
for (const file of jsFiles(DIST)) {
  // only what src/ still builds (dist/ may hold files of a module since moved)
  if (!existsSync(join(ROOT, 'src', relative(DIST, file)).replace(/\.js$/, '.ts'))) continue;
  files.set(file, { ...linesOf(readFileSync(file, 'utf8')), covered: new Set(), loaded: false });
}

let processes = 0;
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.json')) continue;
  let data;
  try {
    data = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch {
    continue; // a process killed while writing
  }
  let counted = false;
  for (const script of data.result || []) {
    if (!script.url.startsWith('file:')) continue;
    const f = files.get(fileURLToPath(script.url));
    if (!f) continue;
    counted = true;
    f.loaded = true;
    const n = f.starts.length;
    const zero = new Uint8Array(n);
    for (const fn of script.functions) {
      for (const r of fn.ranges) {
        if (r.count !== 0) continue;
        // lines wholly inside a range that never ran
        for (let line = 0; line < n; line++) {
          const start = f.starts[line];
          const end = line + 1 < n ? f.starts[line + 1] - 1 : Infinity;
          if (start >= r.startOffset && end <= r.endOffset) zero[line] = 1;
        }
      }
    }
    for (let line = 0; line < n; line++) if (f.code[line] && !zero[line]) f.covered.add(line);
  }
  if (counted) processes++;
}

const folders = new Map();
for (const [file, f] of files) {
  const parts = relative(DIST, file).split(sep);
  const folder = parts.length > 1 ? `dist/${parts[0]}/` : 'dist/*.js';
  const agg = folders.get(folder) || { files: 0, loaded: 0, covered: 0, total: 0 };
  agg.files++;
  if (f.loaded) agg.loaded++;
  agg.covered += f.covered.size;
  agg.total += f.code.filter(Boolean).length;
  folders.set(folder, agg);
}
const rows = [...folders.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const pct = (c, t) => (t === 0 ? '100.0' : ((100 * c) / t).toFixed(1)).padStart(6);
const width = Math.max(...rows.map(([n]) => n.length), 'all of dist/'.length);
const out = [`${'folder'.padEnd(width)}  loaded  lines`];
let covered = 0;
let total = 0;
for (const [name, a] of rows) {
  covered += a.covered;
  total += a.total;
  out.push(
    `${name.padEnd(width)}  ${`${a.loaded}/${a.files}`.padStart(6)}  ${pct(a.covered, a.total)}% ${String(a.covered).padStart(5)}/${a.total}`,
  );
}
out.push(
  `${'all of dist/'.padEnd(width)}  ${''.padStart(6)}  ${pct(covered, total)}% ${String(covered).padStart(5)}/${total}`,
);
console.log(
  `\nCoverage per folder of dist/ in the ${processes} spawned processes that loaded it (raw V8 line coverage, union)\n${out.join('\n')}`,
);
