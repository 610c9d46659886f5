'use strict';
// In-process cost per span of one tracer (argv[2]): warm up, then ROUNDS rounds of TRACES traces;
// prints { case, nsPerSpan (median of rounds), rounds } as one JSON line.
const { make, SPANS_PER_TRACE } = require('./tracers');

const impl = process.argv[2];
const quick = process.env.BENCH_QUICK === '1';
const TRACES = quick ? 2_000 : 10_000;
const ROUNDS = quick ? 5 : 9;

async function main() {
  const t = make(impl);
  for (let i = 0; i < TRACES; i++) t.trace(i);
  await t.flush();
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < TRACES; i++) t.trace(i);
    const ns = Number(process.hrtime.bigint() - start);
    rounds.push(ns / (TRACES * SPANS_PER_TRACE));
    // let batch processors and reporters run between rounds, outside the timed part
    await new Promise((r) => setImmediate(r));
    await t.flush();
  }
  rounds.sort((a, b) => a - b);
  console.log(JSON.stringify({ case: impl, nsPerSpan: rounds[Math.floor(rounds.length / 2)], rounds }));
  await t.shutdown();
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
