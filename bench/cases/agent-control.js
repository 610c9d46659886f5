'use strict';
// The cost of the agent's sampling and ignore checks on the OpenTracing span (issue #31): two
// tracers in one process, measured in interleaved rounds (A, B, A, B, ...) on the same trace shape
// (5 spans, one new segment per trace), so machine load hits both alike:
//   A  every check off: no ignore suffix, no ignore path, sampling off
//   B  every check on: the agents' default suffix list, three ignore paths, sampling on with a
//      rate no trace reaches (so both record the same spans and only the checks differ)
// Prints { case, offNsPerSpan, onNsPerSpan, ratio, rounds } as one JSON line.
// `--only off|on [traces]`: no timing, just that many traces through one of them (for an
// instruction count, e.g. valgrind --tool=callgrind, where timings are too noisy to decide).
const { join } = require('node:path');
const { openTracingTrace, SPANS_PER_TRACE } = require('./tracers');

const ROOT = join(__dirname, '..', '..');
const quick = process.env.BENCH_QUICK === '1';
const TRACES = quick ? 2_000 : 10_000;
const ROUNDS = quick ? 7 : 15;

function tracer(checks) {
  const { SkyWalkingTracer } = require(ROOT);
  return new SkyWalkingTracer({
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    reporter: 'none',
    dynamicConfigInterval: 0,
    ...(checks
      ? { sampleNPer3Secs: 100_000_000, traceIgnorePath: '/health/**,/metrics,/static/*/x' }
      : { sampleNPer3Secs: -1, ignoreSuffix: ',', traceIgnorePath: '' }),
  });
}

async function only(which, traces) {
  const { Tags } = require('opentracing');
  const t = tracer(which === 'on');
  for (let i = 0; i < traces; i++) openTracingTrace(t, Tags, i);
  await t.shutdown();
  console.log(JSON.stringify({ case: `agent-control-${which}`, traces }));
  process.exit(0);
}

async function main() {
  const at = process.argv.indexOf('--only');
  if (at > 0) return only(process.argv[at + 1], Number(process.argv[at + 2] ?? 20_000));
  const { Tags } = require('opentracing');
  const a = tracer(false);
  const b = tracer(true);
  const round = async (t) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < TRACES; i++) openTracingTrace(t, Tags, i);
    const ns = Number(process.hrtime.bigint() - start) / (TRACES * SPANS_PER_TRACE);
    await new Promise((r) => setImmediate(r));
    await t.flush();
    return ns;
  };
  for (let i = 0; i < 3; i++) {
    await round(a);
    await round(b);
  }
  const off = [];
  const on = [];
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which goes first, so neither always follows the other's garbage
    if (r % 2 === 0) {
      off.push(await round(a));
      on.push(await round(b));
    } else {
      on.push(await round(b));
      off.push(await round(a));
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ratios = off.map((o, i) => on[i] / o);
  const recorded = [a, b].map((t) => t.stats().recorder.segmentsStarted);
  if (recorded[0] !== recorded[1]) throw new Error(`A and B recorded different segments: ${recorded}`);
  console.log(
    JSON.stringify({
      case: 'agent-control',
      offNsPerSpan: median(off),
      onNsPerSpan: median(on),
      ratio: median(ratios),
      rounds: { off, on },
    }),
  );
  await Promise.all([a.shutdown(), b.shutdown()]);
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
