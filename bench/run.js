#!/usr/bin/env node
'use strict';
// `npm run bench`: every figure as a ratio against a peer measured on this machine in this run.
// Each case runs in its own child process (no shared JIT state, heap or module cache). Prints a
// table; exits non-zero only when a case fails to run, never because of a speed figure.
// Every case runs in PROCESSES processes (3; 1 with --quick), the cases of a group in turns; the
// median counts (a target is "met" only on it) and the min and max are printed beside it.
// Flags: --quick (smaller counts, one process each), --write (update bench/RESULTS.md with this
// run; the full run only), --case <group>[,<group>...] (run only these groups of rows: inproc,
// encode, sw8, e2e, rate, unary, kafka, logs, collector, forward).
const { execFileSync } = require('node:child_process');
const { writeFileSync, readFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { runCase, startCounter, median, cell, inTurns, loadNow, fmt, formatTable } = require('./support');

const HERE = __dirname;
const ROOT = join(HERE, '..');
const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const GROUPS = ['inproc', 'encode', 'sw8', 'e2e', 'rate', 'unary', 'kafka', 'logs', 'collector', 'forward'];
const caseArg = process.argv.find((a, i) => a.startsWith('--case=') || process.argv[i - 1] === '--case');
const only =
  caseArg === undefined
    ? undefined
    : caseArg
        .replace(/^--case=/, '')
        .split(',')
        .filter(Boolean);
for (const g of only ?? [])
  if (!GROUPS.includes(g)) {
    console.error(`--case ${g}: not a group of rows; one of ${GROUPS.join(', ')}`);
    process.exit(2);
  }
if (only && write) {
  console.error('--write takes the full run: leave out --case');
  process.exit(2);
}
const selected = (group) => only === undefined || only.includes(group);
const env = { ...process.env, BENCH_QUICK: quick ? '1' : '0', SW_AGENT_LOGGING_LEVEL: 'error' };

const run = (script, args) => runCase(script, args, env);
// each case in PROCESSES fresh processes, the median taken: a process can settle into a slower
// state for its whole life (V8 decides early which allocation sites to pretenure), so one process
// per case would let that chance decide a ratio; every process's figure is printed below the table
const PROCESSES = quick ? 1 : 3;

/** The row of a ratio whose target is `op limit` (met only on the medians). */
function ratioRow(label, ours, peer, ratio, op, limit) {
  const met = op === '<=' ? ratio <= limit : ratio >= limit;
  return [
    label,
    ours,
    peer,
    ratio,
    limit === undefined ? '-' : `${op} ${limit}`,
    limit === undefined ? undefined : met,
  ];
}

/** In-process cost per span: every tracer PROCESSES times, in turns. */
async function inprocRows(rows, perProcess) {
  const cases = ['ours-ot', 'jaeger', 'otel-basic', 'otel-bsp-noop', 'otel-ours', 'backend-js'];
  const each = await inTurns(PROCESSES, cases, async (c) => (await run('cases/inproc.js', [c])).nsPerSpan);
  for (const c of cases) perProcess.push(`${c} ${each[c].map((n) => fmt(n)).join(' / ')}`);
  const m = Object.fromEntries(cases.map((c) => [c, median(each[c])]));
  const ours = cell(each['ours-ot'], 'ns');
  rows.push(
    ratioRow(
      'OpenTracing span, recorded into a segment',
      ours,
      `jaeger-client ${cell(each.jaeger, 'ns')}`,
      m['ours-ot'] / m.jaeger,
      '<=',
      1.0,
    ),
    ratioRow(
      '  (same, against OTel BasicTracerProvider)',
      ours,
      `OTel ${cell(each['otel-basic'], 'ns')}`,
      m['ours-ot'] / m['otel-basic'],
      '<=',
      0.6,
    ),
    ratioRow(
      '  (same, against skywalking-backend-js)',
      ours,
      `backend-js ${cell(each['backend-js'], 'ns')}`,
      m['ours-ot'] / m['backend-js'],
    ),
    ratioRow(
      'OTel SDK + our processor',
      cell(each['otel-ours'], 'ns'),
      `SDK + BatchSpanProcessor(no-op) ${cell(each['otel-bsp-noop'], 'ns')}`,
      m['otel-ours'] / m['otel-bsp-noop'],
      '<=',
      1.05,
    ),
  );
}

/** A 5-span segment's encoding per span against its making (bench/cases/encode.js), in one process. */
async function encodeRows(rows, perProcess) {
  const cases = ['encode', 'protobufjs', 'making'];
  const each = await inTurns(PROCESSES, cases, (c) => run('cases/encode.js', [c]));
  const ours = each.encode.map((r) => r.encodeNsPerSpan);
  const making = each.encode.map((r) => r.makingNsPerSpan);
  const pbjs = each.protobufjs.map((r) => r.encodeNsPerSpan);
  const ratios = each.encode.map((r) => r.encodeNsPerSpan / r.makingNsPerSpan);
  perProcess.push(
    `encode: encoding / making ns per span ${each.encode.map((r) => `${fmt(r.encodeNsPerSpan)} / ${fmt(r.makingNsPerSpan)}`).join(', ')}; protobuf.js ${pbjs.map((n) => fmt(n)).join(' / ')}; making alone ${each.making.map((r) => fmt(r.nsPerSpan)).join(' / ')}`,
  );
  rows.push(
    ratioRow(
      '5-span segment encoded, per span (its making in the same process)',
      cell(ours, 'ns'),
      `making the span ${cell(making, 'ns')}`,
      median(ratios),
      '<=',
      0.5,
    ),
    ratioRow(
      '  (same, against protobuf.js encoding the SegmentObject)',
      cell(ours, 'ns'),
      `protobuf.js ${cell(pbjs, 'ns')}`,
      median(ours) / median(pbjs),
    ),
  );
}

/** sw8 inject + extract, against OTel's W3CTraceContextPropagator: in turns. */
async function sw8Rows(rows, perProcess) {
  const cases = ['ours-ot', 'otel-w3c', 'otel-w3c-ts', 'ours-codec', 'backend-js'];
  const each = await inTurns(PROCESSES, cases, async (c) => (await run('cases/sw8.js', [c])).nsPerPair);
  for (const c of cases) perProcess.push(`sw8 ${c} ${each[c].map((n) => fmt(n)).join(' / ')}`);
  const m = Object.fromEntries(cases.map((c) => [c, median(each[c])]));
  const ours = cell(each['ours-ot'], 'ns');
  const w3c = `OTel W3CTraceContextPropagator ${cell(each['otel-w3c'], 'ns')}`;
  rows.push(
    ratioRow('sw8 inject+extract (OpenTracing API)', ours, w3c, m['ours-ot'] / m['otel-w3c'], '<=', 1.0),
    ratioRow(
      '  (same, against W3C with a tracestate)',
      ours,
      `W3C traceparent + tracestate ${cell(each['otel-w3c-ts'], 'ns')}`,
      m['ours-ot'] / m['otel-w3c-ts'],
    ),
    ratioRow(
      '  (same, against skywalking-backend-js)',
      ours,
      `backend-js ContextCarrier ${cell(each['backend-js'], 'ns')}`,
      m['ours-ot'] / m['backend-js'],
    ),
    ratioRow(
      '  (codec alone: encodeSw8 + decodeSw8)',
      cell(each['ours-codec'], 'ns'),
      w3c,
      m['ours-codec'] / m['otel-w3c'],
    ),
  );
}

const perDelivered = (r) => (r.cpuUsPerSpan * r.generated) / Math.max(1, r.delivered);

/** End to end, max throughput: every pipeline PROCESSES times, in turns; each figure's median. */
async function e2eRows(rows, perProcess, counter) {
  const cases = ['ours-ot', 'otel-ours', 'otel-otlp', 'backend-js'];
  const runs = await inTurns(PROCESSES, cases, (c) => run('cases/e2e.js', [c, counter.grpc, counter.count, 'max']));
  const fig = {
    rate: (c) => runs[c].map((r) => r.spansPerSec),
    cpu: (c) => runs[c].map(perDelivered),
    rss: (c) => runs[c].map((r) => r.peakRssMb),
  };
  for (const c of cases)
    perProcess.push(
      `E2E ${c} ${runs[c].map((r) => `${fmt(r.spansPerSec)}/s ${fmt(perDelivered(r), 1)} µs ${r.peakRssMb} MB`).join(' / ')}`,
    );
  const m = (f, c) => median(f(c));
  for (const [ours, label, cpuTarget] of [
    ['ours-ot', 'OpenTracing', 0.5],
    ['otel-ours', 'OTel + our processor', 0.4],
  ]) {
    rows.push(
      ratioRow(
        `E2E throughput, ${label}`,
        cell(fig.rate(ours), 'spans/s'),
        `OTLP gRPC exporter ${cell(fig.rate('otel-otlp'), 'spans/s')}`,
        m(fig.rate, ours) / m(fig.rate, 'otel-otlp'),
        '>=',
        2,
      ),
      ratioRow(
        `E2E app CPU per delivered span, ${label}`,
        cell(fig.cpu(ours), 'µs', 1),
        `OTLP ${cell(fig.cpu('otel-otlp'), 'µs', 1)}`,
        m(fig.cpu, ours) / m(fig.cpu, 'otel-otlp'),
        '<=',
        cpuTarget,
      ),
      ratioRow(
        `E2E peak RSS, ${fmt(runs[ours][0].generated)} spans, ${label}`,
        cell(fig.rss(ours), 'MB'),
        `OTLP ${cell(fig.rss('otel-otlp'), 'MB')}`,
        m(fig.rss, ours) / m(fig.rss, 'otel-otlp'),
        '<=',
        0.5,
      ),
    );
  }
  rows.push(
    ratioRow(
      'E2E throughput vs the official Node agent',
      cell(fig.rate('ours-ot'), 'spans/s'),
      `backend-js ${cell(fig.rate('backend-js'), 'spans/s')}`,
      m(fig.rate, 'ours-ot') / m(fig.rate, 'backend-js'),
    ),
  );
}

/** 20k spans/s with every pipeline's defaults: the share delivered, in turns, the median share. */
async function rateRows(rows, perProcess, counter) {
  const cases = ['ours-ot', 'otel-ours', 'otel-otlp', 'backend-js'];
  const runs = await inTurns(PROCESSES, cases, (c) => run('cases/e2e.js', [c, counter.grpc, counter.count, 'rate']));
  for (const c of cases) {
    const shares = runs[c].map((r) => (100 * r.delivered) / r.generated);
    perProcess.push(`20k/s ${c} ${shares.map((x) => `${fmt(x, 1)}%`).join(' / ')}`);
    const target = c === 'ours-ot' || c === 'otel-ours';
    const spread = shares.length > 1 ? ` (${fmt(Math.min(...shares), 1)}–${fmt(Math.max(...shares), 1)})` : '';
    rows.push([
      `20k spans/s, defaults: delivered (${c})`,
      `${fmt(median(shares), 1)}%${spread}`,
      `${fmt(median(runs[c].map((r) => r.generated)))} generated`,
      undefined,
      target ? '100%' : '-',
      target ? median(shares) === 100 : undefined,
    ]);
  }
}

/** issue #17 item 8: the same reporter, its batches by http2-unary or by grpc-js's unary call. */
async function unaryRows(rows, perProcess, counter) {
  const pick = (runs, f) => median(runs.map(f));
  const pair = await inTurns(PROCESSES, ['ours-ot', 'ours-ot-grpcjs'], (c) =>
    run('cases/e2e.js', [c, counter.grpc, counter.count, 'max']),
  );
  const h = pair['ours-ot'];
  const g = pair['ours-ot-grpcjs'];
  perProcess.push(
    `E2E app CPU µs per delivered span, http2-unary ${h.map((r) => fmt(perDelivered(r), 2)).join(' / ')}, grpc-js unary ${g.map((r) => fmt(perDelivered(r), 2)).join(' / ')}`,
  );
  rows.push(
    ratioRow(
      'E2E app CPU per delivered span, OpenTracing: http2-unary',
      cell(h.map(perDelivered), 'µs', 2),
      `same reporter, grpc-js unary ${cell(g.map(perDelivered), 'µs', 2)}`,
      pick(h, perDelivered) / pick(g, perDelivered),
      '<=',
      0.9,
    ),
    ratioRow(
      '  (throughput)',
      cell(
        h.map((r) => r.spansPerSec),
        'spans/s',
      ),
      `grpc-js unary ${cell(
        g.map((r) => r.spansPerSec),
        'spans/s',
      )}`,
      pick(h, (r) => r.spansPerSec) / pick(g, (r) => r.spansPerSec),
    ),
    ratioRow(
      '  (peak RSS)',
      cell(
        h.map((r) => r.peakRssMb),
        'MB',
      ),
      `grpc-js unary ${cell(
        g.map((r) => r.peakRssMb),
        'MB',
      )}`,
      pick(h, (r) => r.peakRssMb) / pick(g, (r) => r.peakRssMb),
    ),
  );
  log('collectInSync alone: http2-unary against grpc-js unary, the same batches');
  for (const batch of ['500', '10']) {
    const u = await inTurns(PROCESSES, ['http2', 'grpc-js'], (c) =>
      run('cases/unary.js', [c, counter.grpc, counter.count, batch]),
    );
    const hu = u.http2;
    const gu = u['grpc-js'];
    perProcess.push(
      `collectInSync ${batch}/batch CPU µs per segment, http2-unary ${hu.map((r) => fmt(r.cpuUsPerSegment, 2)).join(' / ')}, grpc-js ${gu.map((r) => fmt(r.cpuUsPerSegment, 2)).join(' / ')}`,
    );
    const hc = pick(hu, (r) => r.cpuUsPerSegment);
    const gc = pick(gu, (r) => r.cpuUsPerSegment);
    rows.push(
      ratioRow(
        `collectInSync alone, ${batch} segments a call: CPU per segment`,
        `${cell(
          hu.map((r) => r.cpuUsPerSegment),
          'µs',
          2,
        )}, ${fmt(pick(hu, (r) => r.cpuUsPerBatch))} µs a call`,
        `grpc-js unary ${cell(
          gu.map((r) => r.cpuUsPerSegment),
          'µs',
          2,
        )}, ${fmt(pick(gu, (r) => r.cpuUsPerBatch))} µs a call`,
        hc / gc,
        '<=',
        batch === '500' ? 0.8 : undefined,
      ),
      ratioRow(
        '  (segments/s, one call in flight)',
        cell(
          hu.map((r) => r.segmentsPerSec),
          'segments/s',
        ),
        `grpc-js unary ${cell(
          gu.map((r) => r.segmentsPerSec),
          'segments/s',
        )}`,
        pick(hu, (r) => r.segmentsPerSec) / pick(gu, (r) => r.segmentsPerSec),
      ),
    );
  }
}

const log = (m) => process.stderr.write(`› ${m}\n`);

async function main() {
  const started = Date.now();
  const loadBefore = loadNow();
  const rows = [];
  const perProcess = [];
  if (selected('inproc')) {
    log('in-process cost per span (5-span traces: server root + local + 3 clients, tags, one log)');
    await inprocRows(rows, perProcess);
  }
  if (selected('encode')) {
    log("a 5-span segment's encoding per span, against making it and against protobuf.js");
    await encodeRows(rows, perProcess);
  }
  if (selected('sw8')) {
    log('sw8 inject + extract, against OTel W3CTraceContextPropagator');
    await sw8Rows(rows, perProcess);
  }
  if (selected('e2e') || selected('rate') || selected('unary')) {
    log('end to end over gRPC to a counting collector in another process');
    const counter = await startCounter();
    try {
      if (selected('e2e')) await e2eRows(rows, perProcess, counter);
      if (selected('unary')) await unaryRows(rows, perProcess, counter);
      if (selected('rate')) await rateRows(rows, perProcess, counter);
    } finally {
      counter.child.kill('SIGTERM');
    }
  }

  // Kafka: through a real broker (compat-tests/kafka/broker.js), when Java and Maven are here
  if (selected('kafka')) await kafkaRows(rows);
  if (selected('logs')) {
    const logBench = await require('./logs').logsBench({ quick, log, run, startCounter, processes: PROCESSES });
    rows.push(...logBench.rows);
    perProcess.push(...logBench.perProcess);
  }
  if (selected('collector')) await collectorRows(rows);
  if (selected('forward')) {
    const fwd = await require('./forward').forwardBench({ log, run, startCounter, processes: PROCESSES });
    rows.push(...fwd.rows);
    perProcess.push(...fwd.perProcess);
  }
  report(rows, perProcess, started, loadBefore);
}

/** The collector's API under load: one process (its figure is a burst's p99, not a per-span cost). */
async function collectorRows(rows) {
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
}

/** Kafka: through a real broker (compat-tests/kafka/broker.js), when Java and Maven are here. */
async function kafkaRows(rows) {
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
}

/** Print the table (and with --write put it into bench/RESULTS.md, the table before it kept under "Earlier runs"). */
function report(rows, perProcess, started, loadBefore) {
  const text = [
    formatTable(rows),
    '',
    `each cell: the median of ${PROCESSES} process(es) (min–max); "met" on the medians. Load average (1 / 5 / 15 min) before ${loadBefore}, after ${loadNow()}.`,
    '',
    `each process (in-process cases in ns/span): ${perProcess.join('; ')}`,
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
    let out = `${md}\n${body}\n`;
    if (parts.length >= 3) {
      // the table this run replaces goes first under "Earlier runs": the rows' history is kept
      const history = '<!-- history -->';
      let rest = parts.slice(2).join(marker);
      if (!rest.includes(history))
        rest += `\n## Earlier runs\n\nThe tables \`--write\` replaced, newest first.\n\n${history}\n`;
      rest = rest.replace(history, () => `${history}\n\n${parts[1].trim()}\n`);
      out = `${parts[0]}${body}${rest}`;
    }
    writeFileSync(join(HERE, 'RESULTS.md'), out);
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
