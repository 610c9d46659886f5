'use strict';
// End to end, in the app's process: one tracer (argv[2]) reporting over gRPC to the counting
// collector (argv[3] = grpc host:port, argv[4] = its http url) in another process.
//   mode max  (argv[5]): TRACES traces as fast as the app can make them, yielding to the event
//             loop every CHUNK traces (so exporters get to run, as in a real app); then flush and
//             wait until the collector's count stops rising. Reports delivered spans/s over the
//             whole period, app CPU per generated span, peak RSS. Each pipeline first sends WARMUP
//             traces (loaded, connected, JIT-warm), not counted.
//   mode rate: 20,000 spans/s for SECONDS seconds, then flush; reports the fraction delivered.
const { make, SPANS_PER_TRACE } = require('./tracers');

const [impl, grpcAddr, countUrl, mode = 'max'] = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === '1';
const TRACES = quick ? 10_000 : 40_000; // 200k spans in the full run
const CHUNK = 200;
const WARMUP = 400;
const SECONDS = quick ? 4 : 10;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const key = impl === 'otel-otlp' ? 'otlp' : 'sw';
async function count() {
  const res = await fetch(countUrl);
  return (await res.json())[key];
}

async function startProfile() {
  const { Session } = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

let lastChange = Date.now();
/** Poll the collector until everything arrived or the count stopped rising for `quietMs`. */
async function settle(quietMs) {
  let delivered = await count();
  let last = delivered;
  lastChange = Date.now();
  while (delivered < generatedTotal && Date.now() - lastChange < quietMs) {
    await sleep(50);
    delivered = await count();
    if (delivered !== last) {
      last = delivered;
      lastChange = Date.now();
    }
  }
  return delivered;
}
let generatedTotal = Infinity;

async function main() {
  await fetch(countUrl.replace(/\/count$/, '/reset'));
  // max: queues big enough for the whole burst in every pipeline (so each delivers everything and
  // the costs compare); rate: every pipeline with its default settings
  const t = make(impl, {
    collector: grpcAddr,
    otlpUrl: `http://${grpcAddr}`,
    maxQueueSize: mode === 'max' ? TRACES * SPANS_PER_TRACE : undefined,
  });
  // warm-up: every pipeline loads its gRPC stack, connects and gets JIT-compiled before the clock
  // starts (our reporter loads grpc-js and the .proto files at its first send, the OTLP exporter at
  // construction)
  for (let i = 0; i < WARMUP; i++) t.trace(i);
  await Promise.race([Promise.resolve(t.flush()).catch(() => undefined), sleep(15_000)]);
  generatedTotal = WARMUP * SPANS_PER_TRACE;
  if ((await settle(3000)) < generatedTotal)
    throw new Error(`warm-up: ${await count()} of ${generatedTotal} spans arrived`);
  await fetch(countUrl.replace(/\/count$/, '/reset'));
  generatedTotal = Infinity;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  // BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the app thread over the measured window only
  const profiler = process.env.BENCH_CPU_PROFILE ? await startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let generated;
  if (mode === 'max') {
    for (let i = 0; i < TRACES; i++) {
      t.trace(i);
      if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    generated = TRACES * SPANS_PER_TRACE;
  } else {
    // paced by the clock, not by timer ticks (which run late): catch up every ~10 ms
    const end = t0 + SECONDS * 1000;
    let traces = 0;
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - t0) * 20) / SPANS_PER_TRACE); // 20 spans per ms
      while (traces < due) t.trace(traces++);
      await sleep(10);
    }
    generated = traces * SPANS_PER_TRACE;
  }
  generatedTotal = generated;
  const genMs = Date.now() - t0;
  // let the pipeline deliver on its own first, as in a running app; flush only what it leaves
  // (the BatchSpanProcessor's flush exports every batch at once, past the OTLP exporter's
  // concurrency limit, and drops what does not fit)
  let delivered = await settle(1000);
  if (delivered < generated) {
    await Promise.race([Promise.resolve(t.flush()).catch(() => undefined), sleep(15_000)]);
    delivered = await settle(3000);
  }
  const doneMs = (delivered >= generated ? Date.now() : lastChange) - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler) await profiler.stop(process.env.BENCH_CPU_PROFILE);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      case: impl,
      mode,
      generated,
      delivered,
      genMs,
      doneMs,
      spansPerSec: Math.round(delivered / (doneMs / 1000)),
      cpuUsPerSpan: (cpu.user + cpu.system) / generated,
      peakRssMb: Math.round(peakRss / 1048576),
      stats: t.stats ? t.stats() : undefined,
    }),
  );
  await Promise.race([t.shutdown(), sleep(3000)]);
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
