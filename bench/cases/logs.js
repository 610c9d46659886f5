'use strict';
// Log pipelines, one per process (argv[2]), inside an active OTel span (the ids are read per record):
//   pino-noop  pino alone, to a destination that drops the line (the floor)
//   pino-ours  pino + skywalkingDestination (lines batched to its own worker, the ids of the active
//              span read at the write and sent beside the line, LogData over gRPC from the worker):
//              the fastest documented path
//   pino-ours-mixin  the same + skywalkingMixin (the ids printed in the line, one packed field)
//   pino-transport  pino + our mixin + our pino transport (`transport: { target: 'skywalking-bridge/pino' }`,
//              thread-stream)
//   pino-otel  pino + @opentelemetry/instrumentation-pino (ids + log sending) + sdk-logs'
//              BatchLogRecordProcessor + the OTLP gRPC log exporter
// Both pipelines (not pino-noop, the floor) run with every auto-instrumentation loaded, as users run
// them (getNodeAutoInstrumentations; ours with autoInstrumentationsConfig(), as the register does).
// Modes (argv[3]):
//   inproc  app-thread cost per record: wall time of bursts of BURST logger.info calls, with a pause
//           after each for the transport's worker / the exporter to catch up (an app logs in bursts;
//           a tight loop of 300k records would measure the worker's throughput instead, as
//           thread-stream blocks the app when its buffer is full); also the app thread's event-loop
//           busy time per record, which adds the work left for after the burst
//   max     RECORDS as fast as the app makes them (yielding every CHUNK), then wait until the
//           counting collector (argv[4] grpc, argv[5] count url) stops rising: delivered/s, process
//           CPU per record (all threads: pino's worker included), peak RSS
//   rate    20,000 records/s for SECONDS with default settings: the fraction delivered
const { context, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');

const [impl, mode, grpcAddr, countUrl] = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === '1';
const RECORDS = quick ? 50_000 : 200_000;
const INPROC = quick ? 40_000 : 100_000;
const BURST = 1_000;
const CHUNK = 500;
const WARMUP = 2_000;
const SECONDS = quick ? 4 : 10;
const RATE = 20_000;
const resource = resourceFromAttributes({ 'service.name': 'bench-logs', 'service.instance.id': 'bench-1' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const noop = { write() {} };

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function setup() {
  const big = mode === 'max' ? RECORDS + WARMUP : undefined;
  if (impl === 'pino-otel') {
    const { logs } = require('@opentelemetry/api-logs');
    const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
    const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-grpc');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
    const exporter = new OTLPLogExporter({ url: `http://${grpcAddr || '127.0.0.1:1'}` });
    const processor = new BatchLogRecordProcessor(
      big ? { exporter, maxQueueSize: big, maxExportBatchSize: 512 } : { exporter },
    );
    const provider = new LoggerProvider({ resource, processors: [processor] });
    logs.setGlobalLoggerProvider(provider);
    // as users run it: every auto-instrumentation (instrumentation-pino: ids + log sending)
    registerInstrumentations({ instrumentations: [getNodeAutoInstrumentations()] });
    const pino = require('pino');
    const tracer = new BasicTracerProvider({ resource }).getTracer('bench');
    return { logger: pino({}, noop), tracer, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
  }
  if (impl === 'pino-noop') {
    const pino = require('pino');
    const tracer = new BasicTracerProvider({ resource }).getTracer('bench');
    return { logger: pino({}, noop), tracer, flush: async () => undefined, shutdown: async () => undefined };
  }
  const { SkyWalkingSpanProcessor } = require('skywalking-bridge');
  const { autoInstrumentationsConfig, skywalkingMixin, skywalkingDestination } = require('skywalking-bridge/pino');
  // as users run it: every auto-instrumentation, the log ones configured as the register does
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
  registerInstrumentations({ instrumentations: [getNodeAutoInstrumentations(autoInstrumentationsConfig())] });
  const pino = require('pino');
  const processor = new SkyWalkingSpanProcessor({ reporter: 'none' });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [processor] }).getTracer('bench');
  const options = {
    collectorAddress: grpcAddr || '127.0.0.1:1',
    serviceName: 'bench-logs',
    serviceInstance: 'bench-1',
    // max mode: room for every record (no drops), as the OTel pipeline's queue is sized
    ...(big ? { logMaxBufferSize: big, logBufferBytes: 1 << 30 } : {}),
  };
  if (impl === 'pino-ours' || impl === 'pino-ours-mixin') {
    const dest = skywalkingDestination(options);
    const logger = pino(impl === 'pino-ours' ? {} : { mixin: skywalkingMixin() }, dest);
    return {
      logger,
      tracer,
      flush: () => new Promise((r) => dest.flush(r)),
      shutdown: () => dest.close(),
    };
  }
  // pino-transport
  const stream = pino.transport({ target: 'skywalking-bridge/pino', options });
  const logger = pino({ mixin: skywalkingMixin() }, stream);
  return {
    logger,
    tracer,
    flush: async () => undefined,
    shutdown: () =>
      new Promise((r) => {
        stream.on('close', r);
        stream.end();
        setTimeout(r, 5000).unref();
      }),
  };
}

async function count() {
  const res = await fetch(countUrl);
  return (await res.json())[impl === 'pino-otel' ? 'otlpLogs' : 'swLogs'];
}

async function settle(total, quietMs) {
  let delivered = await count();
  let last = delivered;
  let lastChange = Date.now();
  while (delivered < total && Date.now() - lastChange < quietMs) {
    await sleep(50);
    delivered = await count();
    if (delivered !== last) {
      last = delivered;
      lastChange = Date.now();
    }
  }
  return { delivered, lastChange };
}

async function main() {
  const p = setup();
  const span = p.tracer.startSpan('GET:/orders');
  const ctx = trace.setSpan(context.active(), span);
  const log = (i) => context.with(ctx, () => p.logger.info({ orderId: i, user: 'ada' }, 'order created'));

  if (mode === 'inproc') {
    for (let i = 0; i < 20_000; i++) {
      log(i);
      if (i % BURST === BURST - 1) await sleep(100);
    }
    await sleep(300);
    let total = 0n;
    const elu0 = performance.eventLoopUtilization();
    for (let done = 0; done < INPROC; done += BURST) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BURST; i++) log(done + i);
      total += process.hrtime.bigint() - t0;
      await sleep(100);
    }
    // the app thread's busy time, the burst and what it left for later (thread-stream's copy into the
    // worker's buffer; the batch processor's export): event-loop active time over the same bursts
    const busyMs = performance.eventLoopUtilization(elu0).active;
    const ns = Number(total) / INPROC;
    console.log(JSON.stringify({ case: impl, mode, nsPerRecord: ns, busyNsPerRecord: (busyMs * 1e6) / INPROC }));
    span.end();
    await Promise.race([p.shutdown(), sleep(5000)]);
    process.exit(0);
  }

  await fetch(countUrl.replace(/\/count$/, '/reset'));
  for (let i = 0; i < WARMUP; i++) log(i);
  await p.flush();
  const warm = await settle(WARMUP, 5000);
  if (warm.delivered < WARMUP) throw new Error(`warm-up: ${warm.delivered} of ${WARMUP} records arrived`);
  await fetch(countUrl.replace(/\/count$/, '/reset'));

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let generated = 0;
  if (mode === 'max') {
    for (let i = 0; i < RECORDS; i++) {
      log(i);
      if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    generated = RECORDS;
  } else {
    const end = t0 + SECONDS * 1000;
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - t0) * RATE) / 1000);
      while (generated < due) log(generated++);
      await sleep(10);
    }
  }
  let { delivered, lastChange } = await settle(generated, 1500);
  if (delivered < generated) {
    await Promise.race([Promise.resolve(p.flush()).catch(() => undefined), sleep(15_000)]);
    ({ delivered, lastChange } = await settle(generated, 3000));
  }
  const doneMs = (delivered >= generated ? Date.now() : lastChange) - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      case: impl,
      mode,
      generated,
      delivered,
      recordsPerSec: Math.round(delivered / (doneMs / 1000)),
      cpuUsPerRecord: (cpu.user + cpu.system) / generated,
      peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576),
    }),
  );
  span.end();
  await Promise.race([p.shutdown(), sleep(5000)]);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
