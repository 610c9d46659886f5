#!/usr/bin/env node
'use strict';
// `npm run bench:kafka`: the Kafka reporter end to end through a real broker (compat-tests/kafka/
// broker.js, so Java and Maven), against our gRPC reporter (to bench/count-collector.js) and
// against the Kafka client driven by the least reporter producing the same bytes in the same app
// loop (the floor; bench/kafka-case.js says what each case is). Each case runs in fresh processes
// (ROUNDS of them, alternating, the median taken). Prints a table; --quick for smaller counts.
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const { join } = require('node:path');
const { runCase, startCounter, median, fmt, formatTable } = require('./support');

const HERE = __dirname;
const ROOT = join(HERE, '..');
const quick = process.argv.includes('--quick');

const run = (args, env) => runCase('kafka-case.js', args, env);

/**
 * The Kafka cases against a broker started here (dist/ must be built). Returns the table's rows
 * ([case, ours, peer, ratio, target, met]) and a line saying what ran; `log` gets each process's result.
 */
async function kafkaBench({ quick = false, log = (m) => process.stderr.write(`› ${m}\n`) } = {}) {
  const ROUNDS = quick ? 1 : 5;
  const env = { ...process.env, BENCH_QUICK: quick ? '1' : '0', SW_AGENT_LOGGING_LEVEL: 'error' };
  const { startBroker } = require('../compat-tests/kafka/broker');
  const { Admin } = require('@platformatic/kafka');
  const started = Date.now();
  const broker = await startBroker({ heap: '512m' });
  const counter = await startCounter();
  const results = { none: [], encode: [], grpc: [], kafka: [], raw: [] };
  try {
    const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({
      topics: ['skywalking-segments', 'skywalking-managements', 'skywalking-logs'],
      partitions: 1,
      replicas: 1,
    });
    await admin.close();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of ['none', 'encode', 'grpc', 'kafka', 'raw']) {
        const args =
          c === 'grpc'
            ? [c, counter.grpc, counter.count]
            : c === 'none' || c === 'encode'
              ? [c]
              : [c, broker.bootstrap];
        const r = await run(args, env);
        if (r.delivered < r.generated) throw new Error(`${c}: ${r.delivered} of ${r.generated} spans delivered`);
        results[c].push(r);
        log(JSON.stringify(r));
      }
    }
  } finally {
    counter.child.kill('SIGTERM');
    await broker.destroy();
  }
  const m = Object.fromEntries(
    Object.entries(results).map(([k, rs]) => [
      k,
      {
        spansPerSec: median(rs.map((r) => r.spansPerSec)),
        cpu: median(rs.map((r) => r.cpuUsPerSpan)),
        rss: median(rs.map((r) => r.peakRssMb)),
      },
    ]),
  );
  // a transport's own CPU: the case's CPU per span less making and encoding the spans ('encode');
  // 'raw' (the floor): the same client with our producer options, sent the same records with the same
  // batching by the least reporter, in the same app loop as ours (bench/kafka-case.js, inlineReporter)
  const transport = (c) => m[c].cpu - m.encode.cpu;
  const rows = [
    [
      'E2E throughput, Kafka reporter',
      `${fmt(m.kafka.spansPerSec)} spans/s`,
      `gRPC reporter ${fmt(m.grpc.spansPerSec)} spans/s`,
      m.kafka.spansPerSec / m.grpc.spansPerSec,
      '>= 0.8',
      m.kafka.spansPerSec / m.grpc.spansPerSec >= 0.8,
    ],
    [
      'E2E app CPU per span, Kafka reporter',
      `${fmt(m.kafka.cpu, 2)} µs`,
      `gRPC reporter ${fmt(m.grpc.cpu, 2)} µs`,
      m.kafka.cpu / m.grpc.cpu,
      '<= 1.25',
      m.kafka.cpu / m.grpc.cpu <= 1.25,
    ],
    [
      '  Kafka reporter alone per span (less making+encoding)',
      `${fmt(transport('kafka'), 2)} µs`,
      `floor: raw client, same records/options ${fmt(transport('raw'), 2)} µs`,
      transport('kafka') / transport('raw'),
      '<= 1.2',
      transport('kafka') / transport('raw') <= 1.2,
    ],
    [
      '  (whole case, against the floor case)',
      `${fmt(m.kafka.cpu, 2)} µs`,
      `floor ${fmt(m.raw.cpu, 2)} µs`,
      m.kafka.cpu / m.raw.cpu,
      '-',
      undefined,
    ],
    ['  making the spans alone (reporter none)', `${fmt(m.none.cpu, 2)} µs`, '-', undefined, '-', undefined],
    ['  making + encoding the segments', `${fmt(m.encode.cpu, 2)} µs`, '-', undefined, '-', undefined],
    [
      'E2E peak RSS, Kafka reporter',
      `${fmt(m.kafka.rss)} MB`,
      `gRPC reporter ${fmt(m.grpc.rss)} MB`,
      m.kafka.rss / m.grpc.rss,
      '-',
      undefined,
    ],
  ];
  const summary = `${quick ? 'quick ' : ''}Kafka: ${Math.round((Date.now() - started) / 1000)} s with the broker, ${ROUNDS} process(es) per case (median), ${results.kafka[0].generated} spans each`;
  return { rows, summary };
}

async function main() {
  const missing = require('../compat-tests/kafka/broker')
    .missingTools()
    .split(' and ')
    .filter((t) => t !== '' && !t.startsWith('OpenSSL'))
    .join(' and ');
  if (missing) throw new Error(`bench:kafka: the test broker needs ${missing}`);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  const { rows, summary } = await kafkaBench({ quick });
  console.log(formatTable(rows));
  console.log(`\n${summary}, on ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, Node ${process.version}`);
}

module.exports = { kafkaBench };

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
