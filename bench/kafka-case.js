'use strict';
// One case of bench/kafka.js, in its own process. The same 5-span OpenTracing traces as the other
// benches (cases/tracers.js), TRACES of them as fast as the app makes them (yielding every CHUNK
// traces), after WARMUP traces that are not counted; then until every span is delivered.
//   none   our tracer, reporter 'none': what making the spans costs (no transport)
//   encode our tracer, a reporter that only encodes each segment (what the raw case gets for free)
//   grpc   our tracer, gRPC reporter, to the counting collector (argv[3] = host:port, argv[4] = count url)
//   kafka  our tracer, Kafka reporter, to the broker (argv[3] = bootstrap)
//   raw    the floor: our tracer with the least reporter that can use the Kafka client — each
//          segment encoded and keyed by its id as ours does, kept in an array, sent 500 a request,
//          one request at a time, the same client settings (acks all, no retries); no bound, no
//          timers, no metadata checks, no accounting. It produces while the app makes spans, as ours.
//   raw-pre the Kafka client alone producing the same bytes made beforehand (encoded before the
//          clock starts), back to back while nothing else runs: what the client alone costs
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

/** The 'raw' case's reporter: the Kafka client used directly, with nothing of ours around it. */
function inlineReporter(bootstrap, Producer) {
  const { segmentValueOf, segmentKeyOf } = require(join(ROOT, 'dist/reporter/kafka-records'));
  const producer = new Producer({
    clientId: 'bench-raw',
    bootstrapBrokers: [bootstrap],
    acks: -1,
    autocreateTopics: false,
    retries: 0,
  });
  // full batches of 500 wait in `full`, the one being filled in `filling`: O(1) a record
  let filling = [];
  const full = [];
  let inFlight;
  const next = (all) => {
    if (inFlight) return;
    let messages = full.shift();
    if (!messages && all && filling.length > 0) [messages, filling] = [filling, []];
    if (!messages) return;
    inFlight = producer.send({ messages }).then(() => {
      inFlight = undefined;
      next(all);
    });
  };
  return {
    report(s) {
      const value = segmentValueOf(s.encode());
      filling.push({ topic: TOPIC, key: segmentKeyOf(value), value });
      if (filling.length === 500) {
        full.push(filling);
        filling = [];
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
  let run;
  let flush = async () => undefined;
  let close; // set by either branch below
  const consumer =
    impl === 'kafka' || impl === 'raw' || impl === 'raw-pre'
      ? new Consumer({ groupId: `bench-${process.pid}`, clientId: 'bench-count', bootstrapBrokers: [target] })
      : undefined;

  if (impl === 'raw-pre') {
    // the bytes: our tracer's encoded segments, captured before the clock starts
    const { segmentValueOf, segmentKeyOf } = require(join(ROOT, 'dist/reporter/kafka-records'));
    const captured = [];
    const capture = {
      report: (s) => {
        const value = Buffer.from(segmentValueOf(s.encode()));
        captured.push({ topic: TOPIC, key: segmentKeyOf(value), value });
      },
      flush: async () => undefined,
      shutdown: async () => undefined,
      stats: () => ({}),
    };
    const tracer = new SkyWalkingTracer({ ...common, reporter: capture });
    for (let i = 0; i < WARMUP + TRACES; i++) openTracingTrace(tracer, Tags, i);
    const producer = new Producer({
      clientId: 'bench-raw',
      bootstrapBrokers: [target],
      acks: -1,
      autocreateTopics: false,
      retries: 0,
    });
    const send = async (from, to) => {
      for (let i = from; i < to; i += 500) await producer.send({ messages: captured.slice(i, Math.min(to, i + 500)) });
    };
    await send(0, WARMUP);
    run = async () => {
      // the same pacing as the tracer cases: a batch goes when 500 are ready (here: at once)
      await send(WARMUP, WARMUP + TRACES);
    };
    close = () => producer.close();
    delivered = async () => ((await topicEnd(consumer)) - deliveredBefore) * SPANS;
  } else {
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
    flush = () => tracer.bridge.flush(15_000);
    close = () => tracer.bridge.shutdown(3000);
    if (impl === 'grpc') {
      delivered = async () => (await (await fetch(countUrl)).json()).sw;
    } else if (impl === 'kafka' || impl === 'raw') {
      delivered = async () => ((await topicEnd(consumer)) - deliveredBefore) * SPANS;
    } else {
      delivered = async () => (tracer.bridge.stats().recorder.segmentsClosed - WARMUP) * SPANS;
    }
    for (let i = 0; i < WARMUP; i++) openTracingTrace(tracer, Tags, i);
    await flush();
    run = async () => {
      for (let i = 0; i < TRACES; i++) {
        openTracingTrace(tracer, Tags, WARMUP + i);
        if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
      }
    };
  }
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
