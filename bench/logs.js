#!/usr/bin/env node
'use strict';
// The logs part of `npm run bench` (issue #19); `node bench/logs.js [--quick]` runs it alone and
// prints its table. Cases (bench/cases/logs.js): pino alone to a no-op destination; ours, the
// fastest documented path (pino + skywalkingDestination, the ids read at the write, no mixin); ours
// with the mixin (ids printed in the line too); pino + mixin + our transport (thread-stream); the
// OTel pino pipeline (instrumentation-pino + sdk-logs + OTLP gRPC). Both pipelines run with every
// auto-instrumentation loaded (getNodeAutoInstrumentations; ours configured by
// autoInstrumentationsConfig(), as the register does), as users run them; pino alone has none.
// Ratios are of this run only.
const os = require('node:os');
const { runCase, startCounter, median, cell, fmt, formatTable } = require('./support');

/** CPU µs per delivered record, all threads, of one `max` run. */
const cpuPerDelivered = (r) => (r.cpuUsPerRecord * r.generated) / Math.max(1, r.delivered);

/** The log cases: `run(script, args)` runs a case process, `startCounter()` the counting collector. */
async function logsBench({ log, run, startCounter, processes }) {
  log(
    'logs: pino + skywalkingDestination / + our transport, against pino alone and the OTel pino pipeline (both with the auto-instrumentations)',
  );
  const logCounter = await startCounter();
  const logs = {};
  const perProcess = [];
  try {
    for (const c of ['pino-noop', 'pino-ours', 'pino-ours-mixin', 'pino-transport', 'pino-otel']) {
      const each = [];
      const busy = [];
      for (let i = 0; i < processes; i++) {
        const r = await run('cases/logs.js', [c, 'inproc', logCounter.grpc, logCounter.count]);
        each.push(r.nsPerRecord);
        busy.push(r.busyNsPerRecord);
      }
      logs[c] = median(each);
      logs[`${c}-busy`] = median(busy);
      logs[`${c}-each`] = each;
      perProcess.push(`${c} ${each.map((n) => fmt(n)).join(' / ')} (busy ${busy.map((n) => fmt(n)).join(' / ')})`);
    }
    // end to end: each pipeline `processes` times, in turns (a drift in the machine's load reaches
    // all of them alike); the median of each figure
    const maxRuns = { 'pino-ours': [], 'pino-transport': [], 'pino-otel': [] };
    for (let i = 0; i < processes; i++)
      for (const c of Object.keys(maxRuns))
        maxRuns[c].push(await run('cases/logs.js', [c, 'max', logCounter.grpc, logCounter.count]));
    for (const [c, runs] of Object.entries(maxRuns)) {
      logs[`${c}-max`] = {
        each: {
          recordsPerSec: runs.map((r) => r.recordsPerSec),
          cpuPerDelivered: runs.map(cpuPerDelivered),
          peakRssMb: runs.map((r) => r.peakRssMb),
        },
        generated: runs[0].generated,
        recordsPerSec: median(runs.map((r) => r.recordsPerSec)),
        cpuPerDelivered: median(runs.map(cpuPerDelivered)),
        peakRssMb: median(runs.map((r) => r.peakRssMb)),
      };
      perProcess.push(
        `${c} max ${runs.map((r) => `${fmt(r.recordsPerSec)}/s ${fmt(cpuPerDelivered(r), 1)} µs ${r.peakRssMb} MB`).join(' / ')}`,
      );
    }
    logs['pino-ours-rate'] = await run('cases/logs.js', ['pino-ours', 'rate', logCounter.grpc, logCounter.count]);
  } finally {
    logCounter.child.kill('SIGTERM');
  }
  const rows = [];
  const noop = logs['pino-noop'];
  rows.push([
    'Log record on the app thread, pino + skywalkingDestination',
    cell(logs['pino-ours-each'], 'ns'),
    `pino alone, no-op destination ${cell(logs['pino-noop-each'], 'ns')}`,
    logs['pino-ours'] / noop,
    '<= 1.5',
    logs['pino-ours'] / noop <= 1.5,
  ]);
  rows.push([
    '  (same, + skywalkingMixin: ids printed in the line)',
    `${fmt(logs['pino-ours-mixin'])} ns`,
    `pino alone ${fmt(noop)} ns`,
    logs['pino-ours-mixin'] / noop,
    '-',
    undefined,
  ]);
  rows.push([
    '  (pino + mixin + our transport, thread-stream)',
    `${fmt(logs['pino-transport'])} ns`,
    `pino alone ${fmt(noop)} ns`,
    logs['pino-transport'] / noop,
    '-',
    undefined,
  ]);
  rows.push([
    '  (pino + skywalkingDestination, against the OTel pino pipeline)',
    `${fmt(logs['pino-ours'])} ns`,
    `pino + instrumentation-pino + sdk-logs + OTLP gRPC ${fmt(logs['pino-otel'])} ns`,
    logs['pino-ours'] / logs['pino-otel'],
    '-',
    undefined,
  ]);
  rows.push([
    '  (app thread busy incl. the work left after the call)',
    `${fmt(logs['pino-ours-busy'])} ns`,
    `pino alone ${fmt(logs['pino-noop-busy'])} ns, OTel pino pipeline ${fmt(logs['pino-otel-busy'])} ns`,
    logs['pino-ours-busy'] / logs['pino-noop-busy'],
    '-',
    undefined,
  ]);
  const lo = logs['pino-ours-max'];
  const lt = logs['pino-transport-max'];
  const lp = logs['pino-otel-max'];
  const logCpu = (r) => r.cpuPerDelivered;
  rows.push([
    'E2E log records/s, pino + skywalkingDestination',
    cell(lo.each.recordsPerSec, 'records/s'),
    `OTel pino pipeline ${cell(lp.each.recordsPerSec, 'records/s')}`,
    lo.recordsPerSec / lp.recordsPerSec,
    '>= 2',
    lo.recordsPerSec / lp.recordsPerSec >= 2,
  ]);
  rows.push([
    'E2E CPU per delivered log record (all threads)',
    cell(lo.each.cpuPerDelivered, 'µs', 1),
    `OTel ${cell(lp.each.cpuPerDelivered, 'µs', 1)}`,
    logCpu(lo) / logCpu(lp),
    '<= 0.5',
    logCpu(lo) / logCpu(lp) <= 0.5,
  ]);
  rows.push([
    '  (pino + mixin + our transport: records/s, CPU per record)',
    `${fmt(lt.recordsPerSec)} records/s, ${fmt(logCpu(lt), 1)} µs`,
    `OTel ${fmt(lp.recordsPerSec)} records/s, ${fmt(logCpu(lp), 1)} µs`,
    lt.recordsPerSec / lp.recordsPerSec,
    '-',
    undefined,
  ]);
  rows.push([
    `E2E peak RSS, ${fmt(lo.generated)} records`,
    `${cell(lo.each.peakRssMb, 'MB')} (transport ${fmt(lt.peakRssMb)} MB)`,
    `OTel ${cell(lp.each.peakRssMb, 'MB')}`,
    lo.peakRssMb / lp.peakRssMb,
    '<= 0.8',
    lo.peakRssMb / lp.peakRssMb <= 0.8,
  ]);
  const lr = logs['pino-ours-rate'];
  rows.push([
    '20k log records/s, defaults: delivered (pino-ours)',
    `${fmt((100 * lr.delivered) / lr.generated, 1)}%`,
    `${fmt(lr.generated)} generated`,
    undefined,
    '100%',
    lr.delivered === lr.generated,
  ]);
  return { rows, perProcess: perProcess.map((p) => p) };
}

module.exports = { logsBench };

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const env = { ...process.env, BENCH_QUICK: quick ? '1' : '0', SW_AGENT_LOGGING_LEVEL: 'error' };
  const run = (script, args) => runCase(script, args, env);
  const started = Date.now();
  logsBench({ quick, log: (m) => process.stderr.write(`› ${m}\n`), run, startCounter, processes: quick ? 1 : 3 })
    .then(({ rows, perProcess }) => {
      console.log(formatTable(rows));
      console.log(
        `\neach process (median used): in-process ns/record; max: records/s, CPU per record, peak RSS: ${perProcess.join('; ')}`,
      );
      console.log(
        `\n${quick ? 'quick ' : ''}run: ${Math.round((Date.now() - started) / 1000)} s on ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, Node ${process.version}`,
      );
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
