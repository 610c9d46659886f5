'use strict';
// What the bench entry points share (bench/run.js, bench/kafka.js, bench/logs.js): running a case
// in its own process and reading its JSON line, the counting collector, number formatting, the
// median (with min and max beside it), running cases in turns, the load, and the results table.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const HERE = __dirname;

/** Run bench/<script> with `args` in a fresh process; resolves its last `{...}` line, parsed. */
function runCase(script, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (code !== 0 || !line) return reject(new Error(`${script} ${args.join(' ')} failed (${code}):\n${err || out}`));
      resolve(JSON.parse(line));
    });
  });
}

/** The counting collector (bench/count-collector.js) in its own process: its gRPC address and count URL. */
function startCounter() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'count-collector.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /grpc (\d+) http (\d+)/.exec(out);
      if (m) resolve({ child, grpc: `127.0.0.1:${m[1]}`, count: `http://127.0.0.1:${m[2]}/count` });
    });
    child.on('exit', (code) => reject(new Error(`count collector exited ${code}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A figure of several processes: `median` (what counts), and `min`, `max` printed beside it. */
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

/** `908 ns (576–916)`: the median with the processes' min and max; the median alone for one process. */
const cell = (xs, unit, d = 0) => {
  const s = stat(xs);
  const spread = s.n > 1 ? ` (${fmt(s.min, d)}–${fmt(s.max, d)})` : '';
  return `${fmt(s.median, d)}${unit ? ` ${unit}` : ''}${spread}`;
};

/**
 * Run `cases` in turns, `processes` rounds (a drift in the machine's load reaches every case
 * alike): `runOne(name)` resolves one process's result; returns { name: [result per round] }.
 */
async function inTurns(processes, cases, runOne) {
  const out = {};
  for (let i = 0; i < processes; i++) for (const c of cases) (out[c] ??= []).push(await runOne(c));
  return out;
}

/** The machine's load average (1, 5, 15 min) as printed under the table. */
const loadNow = () =>
  require('node:os')
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

const fmt = (n, d = 0) =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Rows `[case, ours, peer, ratio, target, met]` as the aligned text table RESULTS.md shows. */
function formatTable(rows) {
  const header = ['case', 'ours', 'peer (same run)', 'ratio', 'target', 'met'];
  const table = [
    header,
    ...rows.map((r) => [
      r[0],
      r[1],
      r[2],
      r[3] === undefined ? '-' : `${fmt(r[3], 2)}x`,
      r[4],
      r[5] === undefined ? '' : r[5] ? 'yes' : 'NO',
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  return table
    .map((r) =>
      r
        .map((c, i) => String(c).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

module.exports = { runCase, startCounter, median, stat, cell, inTurns, loadNow, fmt, formatTable };
