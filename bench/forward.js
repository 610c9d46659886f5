'use strict';
// The log-pipeline rows of `npm run bench` (issue #30; `--case forward`), from bench/cases/forward.js
// against the counting collector: the line reporter's app-thread CPU per segment against the gRPC
// reporter's; `forward`'s CPU per segment (a file of lines read, parsed, re-encoded and sent) against
// the library's gRPC reporter sending the same segments; a 20k segments/s stream followed and
// delivered. Each case in `processes` processes, the cases of a pair in turns; the median counts.
const { median, cell, inTurns, fmt } = require('./support');

/** Rows and per-process figures; `run(script, args)` runs a case process, `startCounter()` the counting collector. */
async function forwardBench({ log, run, startCounter, processes }) {
  log('log pipeline: reporter line against reporter grpc (app thread), forward against the gRPC reporter (CPU)');
  const counter = await startCounter();
  const one = (c) => run('cases/forward.js', [c, counter.grpc, counter.count]);
  let app;
  let fwd;
  let stream;
  try {
    app = await inTurns(processes, ['app-line', 'app-grpc'], one);
    fwd = await inTurns(processes, ['forward', 'direct'], one);
    stream = await inTurns(processes, ['stream'], one);
  } finally {
    counter.child.kill('SIGTERM');
  }
  const pick = (runs, f) => runs.map(f);
  const appCpu = (c) => pick(app[c], (r) => r.cpuUsPerSegment);
  const appNs = (c) => pick(app[c], (r) => r.nsPerSegment);
  const fwdCpu = (c) => pick(fwd[c], (r) => r.cpuUsPerSegment);
  const shares = pick(stream.stream, (r) => 100 * r.share);
  const perProcess = [
    `app CPU µs per segment, line ${appCpu('app-line')
      .map((n) => fmt(n, 1))
      .join(' / ')}, grpc ${appCpu('app-grpc')
      .map((n) => fmt(n, 1))
      .join(' / ')}`,
    `forward CPU µs per segment ${fwdCpu('forward')
      .map((n) => fmt(n, 1))
      .join(' / ')}, direct ${fwdCpu('direct')
      .map((n) => fmt(n, 1))
      .join(' / ')}`,
    `20k segments/s stream ${shares.map((x) => `${fmt(x, 1)}%`).join(' / ')}`,
  ];
  const appRatio = median(appCpu('app-line')) / median(appCpu('app-grpc'));
  const fwdRatio = median(fwdCpu('forward')) / median(fwdCpu('direct'));
  const spread = shares.length > 1 ? ` (${fmt(Math.min(...shares), 1)}–${fmt(Math.max(...shares), 1)})` : '';
  const rows = [
    [
      'Segment on the app thread, reporter line (to a file): CPU',
      cell(appCpu('app-line'), 'µs', 1),
      `reporter grpc ${cell(appCpu('app-grpc'), 'µs', 1)}`,
      appRatio,
      '<= 1.5',
      appRatio <= 1.5,
    ],
    [
      '  (the request path alone: recorded and handed over)',
      cell(appNs('app-line'), 'ns'),
      `reporter grpc ${cell(appNs('app-grpc'), 'ns')}`,
      median(appNs('app-line')) / median(appNs('app-grpc')),
      '-',
      undefined,
    ],
    [
      'forward: CPU per segment, file -> gRPC',
      cell(fwdCpu('forward'), 'µs', 1),
      `the gRPC reporter, same segments ${cell(fwdCpu('direct'), 'µs', 1)}`,
      fwdRatio,
      '<= 1.5',
      fwdRatio <= 1.5,
    ],
    [
      '20k segments/s followed by forward: delivered',
      `${fmt(median(shares), 1)}%${spread}`,
      `${fmt(median(pick(stream.stream, (r) => r.written)))} written`,
      undefined,
      '100%',
      median(shares) === 100,
    ],
  ];
  return { rows, perProcess };
}

module.exports = { forwardBench };
