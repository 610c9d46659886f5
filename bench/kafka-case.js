'use strict';
// One case of bench/kafka.js, in its own process. The same 5-span OpenTracing traces as the other
// benches (cases/tracers.js), TRACES of them as fast as the app makes them (yielding every CHUNK
// traces), after WARMUP traces that are not counted; then until every span is delivered.
//   none   our tracer, reporter 'none': what making the spans costs (no transport)
//   encode our tracer, a reporter that only encodes each segment (what the raw case gets for free)
//   grpc   our tracer, gRPC reporter, to the counting collector (argv[3] = host:port, argv[4] = count url)
//   kafka  our tracer, Kafka reporter, to the broker (argv[3] = bootstrap)
//   raw    the floor: our tracer with the least reporter around the Kafka client (inlineReporter):
//          the same records (bytes, keys, topic, partition), the same batching and exactly our
//          producer options; it produces while the app makes spans, as ours does
// Prints one JSON line: spans/s delivered, app CPU per span, peak RSS.
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const [impl, target, countUrl] = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === '1';
const TRACES = quick ? 5_000 : 20_000;
const SPANS = 5;
const CHUNK = 200;
const WARMUP = 400;
const TOPIC = 'skywalking-segments';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function topicEnd(consumer) {
  const offsets = await consumer.listOffsets({ topics: [TOPIC], timestamp: -1n });
  return Number(offsets.get(TOPIC)[0]);
}

function openTracingTrace(tracer, Tags, i) {
  const root = tracer.startSpan('GET:/orders', {
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.COMPONENT]: 'http', [Tags.HTTP_METHOD]: 'GET' },
  });
  root.setTag(Tags.HTTP_URL, '/orders?id=' + i);
  root.log({ event: 'accepted', id: i });
  tracer.startSpan('orders.lookup', { childOf: root }).finish();
  for (let k = 0; k < 3; k++) {
    const c = tracer.startSpan('/backend', {
      childOf: root,
      tags: {
        [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT,
        [Tags.COMPONENT]: 'http',
        [Tags.PEER_HOSTNAME]: `10.0.0.${k + 1}`,
        [Tags.PEER_PORT]: 8080,
      },
    });
    c.setTag(Tags.HTTP_METHOD, 'GET');
    c.setTag(Tags.HTTP_STATUS_CODE, 200);
    c.finish();
  }
  root.setTag(Tags.HTTP_STATUS_CODE, 200);
  root.finish();
}

/**
 * The 'raw' case's reporter (the floor): @platformatic/kafka's Producer built with exactly our
 * reporter's options (producerOptions of the resolved config), sent the same records: each segment
 * encoded by our encoder, keyed by its id (segmentKeyOf), to the same topic and partition (one
 * partition per request: this topic has one), up to batchSize records and max.request.size bytes a
 * request, the next request when 500 are ready and the previous one answered. Nothing else: no
 * bound, no timers, no metadata checks, no accounting, no deadlines.
 */
function inlineReporter(bootstrap, Producer) {
  const { resolveConfig } = require(join(ROOT, 'dist/base/config'));
  const { producerOptions } = require(join(ROOT, 'dist/reporter/kafka'));
  const { segmentValueOf, segmentKeyOf } = require(join(ROOT, 'dist/reporter/kafka-records'));
  const config = resolveConfig({ reporter: 'kafka', kafkaBootstrapServers: bootstrap }, {});
  const producer = new Producer(producerOptions(config.kafka, config));
  const batchSize = config.batchSize;
  const maxBytes = config.kafka.producer.maxRequestBytes;
  // full batches wait in `full`, the one being filled in `filling`: O(1) a record
  let filling = [];
  let fillingBytes = 0;
  const full = [];
  let inFlight;
  const next = (all) => {
    if (inFlight) return;
    let messages = full.shift();
    if (!messages && all && filling.length > 0) [messages, filling, fillingBytes] = [filling, [], 0];
    if (!messages) return;
    inFlight = producer.send({ messages }).then(() => {
      inFlight = undefined;
      next(all);
    });
  };
  return {
    report(s) {
      const value = segmentValueOf(s.encode());
      if (filling.length > 0 && fillingBytes + value.length > maxBytes)
        [full[full.length], filling, fillingBytes] = [filling, [], 0];
      filling.push({ topic: TOPIC, key: segmentKeyOf(value), value, partition: 0 });
      fillingBytes += value.length;
      if (filling.length === batchSize) {
        full.push(filling);
        [filling, fillingBytes] = [[], 0];
        next(false);
      }
    },
    async flush() {
      while (full.length > 0 || filling.length > 0 || inFlight) {
        next(true);
        await inFlight;
      }
    },
    shutdown: () => producer.close(),
    stats: () => ({}),
  };
}

/** The inspector's CPU profiler, started now; `stop(file)` writes the profile. */
async function startProfile() {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post('Profiler.stop');
      require('node:fs').writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main() {
  const { Tags } = require('opentracing');
  const { SkyWalkingTracer } = require(ROOT);
  const { Consumer, Producer } = require('@platformatic/kafka');
  const common = {
    serviceName: 'bench',
    serviceInstance: 'bench-1',
    maxBufferSize: TRACES + WARMUP,
    heartbeatPeriod: 3600,
  };
  let delivered;
  let deliveredBefore = 0;
  const consumer =
    impl === 'kafka' || impl === 'raw'
      ? new Consumer({ groupId: `bench-${process.pid}`, clientId: 'bench-count', bootstrapBrokers: [target] })
      : undefined;

  const options =
    impl === 'grpc'
      ? { ...common, reporter: 'grpc', collectorAddress: target }
      : impl === 'kafka'
        ? { ...common, reporter: 'kafka', kafkaBootstrapServers: target }
        : impl === 'raw'
          ? { ...common, reporter: inlineReporter(target, Producer) }
          : impl === 'encode'
            ? {
                ...common,
                reporter: {
                  report: (s) => void s.encode(),
                  flush: async () => undefined,
                  shutdown: async () => undefined,
                  stats: () => ({}),
                },
              }
            : { ...common, reporter: 'none' };
  const tracer = new SkyWalkingTracer(options);
  const flush = () => tracer.bridge.flush(15_000);
  const close = () => tracer.bridge.shutdown(3000);
  if (impl === 'grpc') {
    delivered = async () => (await (await fetch(countUrl)).json()).sw;
  } else if (impl === 'kafka' || impl === 'raw') {
    delivered = async () => ((await topicEnd(consumer)) - deliveredBefore) * SPANS;
  } else {
    delivered = async () => (tracer.bridge.stats().recorder.segmentsClosed - WARMUP) * SPANS;
  }
  for (let i = 0; i < WARMUP; i++) openTracingTrace(tracer, Tags, i);
  await flush();
  const run = async () => {
    for (let i = 0; i < TRACES; i++) {
      openTracingTrace(tracer, Tags, WARMUP + i);
      if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
  };
  // the warm-up must have arrived before the clock starts
  if (impl === 'grpc') {
    while ((await delivered()) < WARMUP * SPANS) await sleep(50);
    await fetch(countUrl.replace(/\/count$/, '/reset'));
  } else if (consumer) {
    for (;;) {
      const end = await topicEnd(consumer);
      if (end >= WARMUP) {
        deliveredBefore = end;
        break;
      }
      await sleep(50);
    }
  }

  // BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the measured window only (not of loading or warm-up)
  const profiler = process.env.BENCH_CPU_PROFILE ? await startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await run();
  // the app asks for delivery, as the raw case awaits its sends: no polling while batches wait for a timer
  await flush();
  const generated = TRACES * SPANS;
  let got = await delivered();
  let lastChange = Date.now();
  while (got < generated && Date.now() - lastChange < 5000) {
    await sleep(20);
    const n = await delivered();
    if (n !== got) lastChange = Date.now();
    got = n;
    if (Date.now() - lastChange > 1000) await flush();
  }
  const doneMs = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler) await profiler.stop(process.env.BENCH_CPU_PROFILE);
  console.log(
    JSON.stringify({
      case: impl,
      generated,
      delivered: got,
      doneMs,
      spansPerSec: Math.round(got / (doneMs / 1000)),
      cpuUsPerSpan: +((cpu.user + cpu.system) / generated).toFixed(2),
      // the kernel's high-water mark: a sampler reading /proc every 20 ms cost ~0.4 ms a read,
      // charged to the case in proportion to its wall time
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await Promise.race([close(), sleep(3000)]);
  if (consumer) await Promise.race([consumer.close(true), sleep(2000)]);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
