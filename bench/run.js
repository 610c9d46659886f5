#!/usr/bin/env node
'use strict';
// `npm run bench`: every figure as a ratio against a peer measured on this machine in this run.
// Each case runs in its own child process (no shared JIT state, heap or module cache). Prints a
// table; exits non-zero only when a case fails to run, never because of a speed figure.
// Flags: --quick (smaller counts, ~1 min), --write (update bench/RESULTS.md with this run).
const { execFileSync } = require('node:child_process');
const { writeFileSync, readFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { runCase, startCounter, median, fmt, formatTable } = require('./support');

const HERE = __dirname;
const ROOT = join(HERE, '..');
const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const env = { ...process.env, BENCH_QUICK: quick ? '1' : '0', SW_AGENT_LOGGING_LEVEL: 'error' };

const run = (script, args) => runCase(script, args, env);

async function main() {
  const started = Date.now();
  const rows = [];
  const log = (m) => process.stderr.write(`› ${m}\n`);

  log('in-process cost per span (5-span traces: server root + local + 3 clients, tags, one log)');
  // each case in PROCESSES fresh processes, the median taken: a process can settle into a slower
  // state for its whole life (V8 decides early which allocation sites to pretenure), so one process
  // per case would let that chance decide a ratio; every process's figure is printed below the table
  const PROCESSES = quick ? 1 : 3;
  const inproc = {};
  const perProcess = [];
  for (const c of ['ours-ot', 'jaeger', 'otel-basic', 'otel-bsp-noop', 'otel-ours', 'backend-js']) {
    const each = [];
    for (let i = 0; i < PROCESSES; i++) each.push((await run('cases/inproc.js', [c])).nsPerSpan);
    inproc[c] = [...each].sort((a, b) => a - b)[Math.floor(each.length / 2)];
    perProcess.push(`${c} ${each.map((n) => fmt(n)).join(' / ')}`);
  }
  rows.push([
    'OpenTracing span, recorded into a segment',
    `${fmt(inproc['ours-ot'])} ns`,
    `OTel BasicTracerProvider ${fmt(inproc['otel-basic'])} ns`,
    inproc['ours-ot'] / inproc['otel-basic'],
    '<= 0.6',
    inproc['ours-ot'] / inproc['otel-basic'] <= 0.6,
  ]);
  rows.push([
    '  (same, against jaeger-client)',
    `${fmt(inproc['ours-ot'])} ns`,
    `jaeger-client ${fmt(inproc.jaeger)} ns`,
    inproc['ours-ot'] / inproc.jaeger,
    '-',
    undefined,
  ]);
  rows.push([
    '  (same, against skywalking-backend-js)',
    `${fmt(inproc['ours-ot'])} ns`,
    `backend-js ${fmt(inproc['backend-js'])} ns`,
    inproc['ours-ot'] / inproc['backend-js'],
    '-',
    undefined,
  ]);
  rows.push([
    'OTel SDK + our processor',
    `${fmt(inproc['otel-ours'])} ns`,
    `SDK + BatchSpanProcessor(no-op) ${fmt(inproc['otel-bsp-noop'])} ns`,
    inproc['otel-ours'] / inproc['otel-bsp-noop'],
    '<= 1.2',
    inproc['otel-ours'] / inproc['otel-bsp-noop'] <= 1.2,
  ]);

  log('sw8 inject + extract, against OTel W3CTraceContextPropagator');
  // alternating, PROCESSES processes per case, the median counted: the ratio is between two
  // sub-2 µs loops, and a background job on the machine moves either by 30%
  const sw8 = {};
  const sw8Each = {};
  const sw8Cases = ['ours-ot', 'otel-w3c', 'otel-w3c-ts', 'ours-codec', 'backend-js'];
  for (let i = 0; i < PROCESSES; i++)
    for (const c of sw8Cases) (sw8Each[c] ??= []).push((await run('cases/sw8.js', [c])).nsPerPair);
  for (const c of sw8Cases) {
    sw8[c] = median(sw8Each[c]);
    perProcess.push(`sw8 ${c} ${sw8Each[c].map((n) => fmt(n)).join(' / ')}`);
  }
  rows.push([
    'sw8 inject+extract (OpenTracing API)',
    `${fmt(sw8['ours-ot'])} ns`,
    `OTel W3CTraceContextPropagator ${fmt(sw8['otel-w3c'])} ns`,
    sw8['ours-ot'] / sw8['otel-w3c'],
    '<= 1.5',
    sw8['ours-ot'] / sw8['otel-w3c'] <= 1.5,
  ]);
  rows.push([
    '  (same, against W3C with a tracestate)',
    `${fmt(sw8['ours-ot'])} ns`,
    `W3C traceparent + tracestate ${fmt(sw8['otel-w3c-ts'])} ns`,
    sw8['ours-ot'] / sw8['otel-w3c-ts'],
    '-',
    undefined,
  ]);
  rows.push([
    '  (same, against skywalking-backend-js)',
    `${fmt(sw8['ours-ot'])} ns`,
    `backend-js ContextCarrier ${fmt(sw8['backend-js'])} ns`,
    sw8['ours-ot'] / sw8['backend-js'],
    '-',
    undefined,
  ]);
  rows.push([
    '  (codec alone: encodeSw8 + decodeSw8)',
    `${fmt(sw8['ours-codec'])} ns`,
    `OTel W3CTraceContextPropagator ${fmt(sw8['otel-w3c'])} ns`,
    sw8['ours-codec'] / sw8['otel-w3c'],
    '-',
    undefined,
  ]);

  log('end to end over gRPC to a counting collector in another process');
  const counter = await startCounter();
  const e2e = {};
  const unary = {};
  try {
    for (const c of ['ours-ot', 'otel-ours', 'otel-otlp', 'backend-js']) {
      e2e[c] = await run('cases/e2e.js', [c, counter.grpc, counter.count, 'max']);
      e2e[`${c}-rate`] = await run('cases/e2e.js', [c, counter.grpc, counter.count, 'rate']);
    }
    // issue #17 item 8: the same reporter, its batches sent by http2-unary or by grpc-js's unary
    // call, alternating, PROCESSES processes each, the median counted
    for (let i = 0; i < PROCESSES; i++)
      for (const c of ['ours-ot', 'ours-ot-grpcjs']) {
        const r = await run('cases/e2e.js', [c, counter.grpc, counter.count, 'max']);
        (e2e[`${c}-pair`] ??= []).push(r);
      }
    log('collectInSync alone: http2-unary against grpc-js unary, the same batches');
    for (const batch of ['500', '10'])
      for (let i = 0; i < PROCESSES; i++)
        for (const c of ['http2', 'grpc-js']) {
          const r = await run('cases/unary.js', [c, counter.grpc, counter.count, batch]);
          (unary[`${c}-${batch}`] ??= []).push(r);
        }
  } finally {
    counter.child.kill('SIGTERM');
  }
  const perDelivered = (r) => (r.cpuUsPerSpan * r.generated) / Math.max(1, r.delivered);
  for (const ours of ['ours-ot', 'otel-ours']) {
    const o = e2e[ours];
    const p = e2e['otel-otlp'];
    const label = ours === 'ours-ot' ? 'OpenTracing' : 'OTel + our processor';
    rows.push([
      `E2E throughput, ${label}`,
      `${fmt(o.spansPerSec)} spans/s`,
      `OTLP gRPC exporter ${fmt(p.spansPerSec)} spans/s`,
      o.spansPerSec / p.spansPerSec,
      '>= 2',
      o.spansPerSec / p.spansPerSec >= 2,
    ]);
    rows.push([
      `E2E app CPU per delivered span, ${label}`,
      `${fmt(perDelivered(o), 1)} µs`,
      `OTLP ${fmt(perDelivered(p), 1)} µs`,
      perDelivered(o) / perDelivered(p),
      '<= 0.5',
      perDelivered(o) / perDelivered(p) <= 0.5,
    ]);
    rows.push([
      `E2E peak RSS, ${fmt(o.generated)} spans, ${label}`,
      `${fmt(o.peakRssMb)} MB`,
      `OTLP ${fmt(p.peakRssMb)} MB`,
      o.peakRssMb / p.peakRssMb,
      '<= 0.5',
      o.peakRssMb / p.peakRssMb <= 0.5,
    ]);
  }
  const b = e2e['backend-js'];
  rows.push([
    'E2E throughput vs the official Node agent',
    `${fmt(e2e['ours-ot'].spansPerSec)} spans/s`,
    `backend-js ${fmt(b.spansPerSec)} spans/s`,
    e2e['ours-ot'].spansPerSec / b.spansPerSec,
    '-',
    undefined,
  ]);
  {
    // medians of the alternating processes, each figure on its own
    const pick = (runs, f) => median(runs.map(f));
    const h = e2e['ours-ot-pair'];
    const g = e2e['ours-ot-grpcjs-pair'];
    perProcess.push(
      `E2E app CPU µs per delivered span, http2-unary ${h.map((r) => fmt(perDelivered(r), 2)).join(' / ')}, grpc-js unary ${g.map((r) => fmt(perDelivered(r), 2)).join(' / ')}`,
    );
    rows.push([
      'E2E app CPU per delivered span, OpenTracing: http2-unary',
      `${fmt(pick(h, perDelivered), 2)} µs`,
      `same reporter, grpc-js unary ${fmt(pick(g, perDelivered), 2)} µs`,
      pick(h, perDelivered) / pick(g, perDelivered),
      '<= 0.9',
      pick(h, perDelivered) / pick(g, perDelivered) <= 0.9,
    ]);
    rows.push([
      '  (throughput)',
      `${fmt(pick(h, (r) => r.spansPerSec))} spans/s`,
      `grpc-js unary ${fmt(pick(g, (r) => r.spansPerSec))} spans/s`,
      pick(h, (r) => r.spansPerSec) / pick(g, (r) => r.spansPerSec),
      '-',
      undefined,
    ]);
    rows.push([
      '  (peak RSS)',
      `${fmt(pick(h, (r) => r.peakRssMb))} MB`,
      `grpc-js unary ${fmt(pick(g, (r) => r.peakRssMb))} MB`,
      pick(h, (r) => r.peakRssMb) / pick(g, (r) => r.peakRssMb),
      '-',
      undefined,
    ]);
    for (const batch of ['500', '10']) {
      const hu = unary[`http2-${batch}`];
      const gu = unary[`grpc-js-${batch}`];
      perProcess.push(
        `collectInSync ${batch}/batch CPU µs per segment, http2-unary ${hu.map((r) => fmt(r.cpuUsPerSegment, 2)).join(' / ')}, grpc-js ${gu.map((r) => fmt(r.cpuUsPerSegment, 2)).join(' / ')}`,
      );
      const hc = pick(hu, (r) => r.cpuUsPerSegment);
      const gc = pick(gu, (r) => r.cpuUsPerSegment);
      rows.push([
        `collectInSync alone, ${batch} segments a call: CPU per segment`,
        `${fmt(hc, 2)} µs (${fmt(pick(hu, (r) => r.cpuUsPerBatch))} µs a call)`,
        `grpc-js unary ${fmt(gc, 2)} µs (${fmt(pick(gu, (r) => r.cpuUsPerBatch))} µs a call)`,
        hc / gc,
        batch === '500' ? '<= 0.8' : '-',
        batch === '500' ? hc / gc <= 0.8 : undefined,
      ]);
      const hs = pick(hu, (r) => r.segmentsPerSec);
      const gs = pick(gu, (r) => r.segmentsPerSec);
      rows.push([
        `  (segments/s, one call in flight)`,
        `${fmt(hs)} segments/s`,
        `grpc-js unary ${fmt(gs)} segments/s`,
        hs / gs,
        '-',
        undefined,
      ]);
    }
  }
  for (const c of ['ours-ot', 'otel-ours', 'otel-otlp', 'backend-js']) {
    const r = e2e[`${c}-rate`];
    const frac = r.delivered / r.generated;
    rows.push([
      `20k spans/s, defaults: delivered (${c})`,
      `${fmt(100 * frac, 1)}%`,
      `${fmt(r.generated)} generated`,
      undefined,
      c.startsWith('ours') || c === 'otel-ours' ? '100%' : '-',
      c === 'ours-ot' || c === 'otel-ours' ? frac === 1 : undefined,
    ]);
  }

  // Kafka: through a real broker (compat-tests/kafka/broker.js), when Java and Maven are here
  const { missingTools } = require('../compat-tests/kafka/broker');
  // (OpenSSL is only for the tests' TLS listener)
  const kafkaMissing = missingTools()
    .split(' and ')
    .filter((t) => t !== '' && !t.startsWith('OpenSSL'))
    .join(' and ');
  if (kafkaMissing) {
    log(`Kafka reporter: skipped, the test broker needs ${kafkaMissing}`);
    rows.push(['Kafka reporter: skipped', `needs ${kafkaMissing}`, '-', undefined, '-', undefined]);
  } else {
    log('Kafka reporter through a real broker, against our gRPC reporter and the raw client (same bytes)');
    const kafka = await require('./kafka').kafkaBench({ quick, log });
    rows.push(...kafka.rows);
    log(kafka.summary);
  }

  log('collector API under load: 1,000 concurrent /api/search on 10,000 traces while an agent reports');
  const search = await run('cases/collector-search.js', []);
  rows.push([
    'collector: 1,000 concurrent /api/search, 10,000 traces',
    `p99 ${fmt(search.p99Ms)} ms (p50 ${fmt(search.p50Ms)}), ${search.ok} x 200`,
    `/healthz, same burst: p99 ${fmt(search.healthzP99Ms)} ms; ingestion: ${search.lost} of ${fmt(search.ingested)} lost`,
    search.p99Ms / search.healthzP99Ms,
    'p99 <= 2000 ms, all 200, 0 lost',
    search.p99Ms <= 2000 && search.ok === search.requests && search.lost === 0,
  ]);

  const logBench = await require('./logs').logsBench({ quick, log, run, startCounter, processes: PROCESSES });
  rows.push(...logBench.rows);
  perProcess.push(...logBench.perProcess);

  const text = [
    formatTable(rows),
    '',
    `each process (median used; in-process cases in ns/span): ${perProcess.join('; ')}`,
  ].join('\n');
  console.log(text);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `\n${quick ? 'quick ' : ''}run: ${seconds} s on ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, Node ${process.version}`,
  );

  if (write) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const versions = [
      '@opentelemetry/sdk-trace-base',
      '@opentelemetry/exporter-trace-otlp-grpc',
      '@opentelemetry/sdk-logs',
      '@opentelemetry/instrumentation-pino',
      'pino',
      'skywalking-backend-js',
      'jaeger-client',
      '@grpc/grpc-js',
    ]
      .map((n) => `${n} ${JSON.parse(readFileSync(join(ROOT, 'node_modules', n, 'package.json'), 'utf8')).version}`)
      .join(', ');
    const md = readFileSync(join(HERE, 'RESULTS.md'), 'utf8');
    const marker = '<!-- results -->';
    const body = [
      marker,
      `Run ${new Date().toISOString().slice(0, 10)}${quick ? ' (quick)' : ''}: ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; skywalking-bridge ${pkg.version}; ${versions}.`,
      '',
      '```text',
      text,
      '```',
      marker,
    ].join('\n');
    const parts = md.split(marker);
    writeFileSync(
      join(HERE, 'RESULTS.md'),
      parts.length >= 3 ? `${parts[0]}${body}${parts.slice(2).join(marker)}` : `${md}\n${body}\n`,
    );
    console.log('bench/RESULTS.md updated');
  }
}

try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
} catch (err) {
  console.error(String(err.stdout || err));
  process.exit(1);
}
main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
