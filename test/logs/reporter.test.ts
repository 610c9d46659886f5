/**
 * The log reporter over real gRPC: records from the OpenTracing tracer and the OTel span processor
 * reach a grpc-js LogReportService, every LogData field decoded with skywalking-backend-js's classes;
 * a Java-started trace logs under the Java trace id; the level, the bounds, and the faults (collector
 * down: never blocks or throws, memory bounded, every record in exactly one of sent/dropped/lost).
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { ConsoleReporter } from '../../src/reporter/console';
import { JAVA_TRACE, type RawCollector, javaSw8, startRawCollector } from './support';

/** This process's CPU time (user + system) since `from`, in µs per one of `count` operations. */
function cpuUsPer(from: NodeJS.CpuUsage, count: number): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / count;
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

let collector: RawCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

it('OpenTracing: reportLog sends LogData with the Java trace id, the segment, the int span id, the endpoint, body and tags', async () => {
  collector = await startRawCollector();
  const tracer = new SkyWalkingTracer({
    serviceName: 'payments',
    serviceInstance: 'pay-1',
    collectorAddress: collector.address,
    flushIntervalMs: 50,
  });
  try {
    const entry = tracer.startSpan('POST:/charge', {
      childOf: tracer.extract(FORMAT_HTTP_HEADERS, { sw8: javaSw8 })!,
      tags: { 'span.kind': 'server' },
    }) as SkyWalkingSpan;
    const exit = tracer.startSpan('bank', { childOf: entry }) as SkyWalkingSpan;
    const seg = entry.recorded.segment;
    tracer.reportLog({
      body: 'charging order 7',
      level: 'info',
      logger: 'payments.charge',
      span: exit,
      timestamp: 1_700_000_000_001,
      tags: { orderId: 7 },
    });
    const err = new TypeError('card declined');
    tracer.reportLog({
      body: { msg: 'failed', order: { id: 7 } },
      level: 50,
      logger: 'payments.charge',
      span: entry,
      error: err,
      timestamp: 1_700_000_000_002,
    });
    tracer.reportLog({ body: 'debug noise', level: 'debug', span: entry });
    tracer.reportLog({ body: 'outside any trace', level: 'warn', timestamp: 1_700_000_000_003 });
    exit.finish();
    entry.finish();
    await tracer.flush();
    const logs = await collector.waitForLogs(3);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toEqual({
      timestamp: 1_700_000_000_001,
      service: 'payments',
      serviceInstance: 'pay-1',
      endpoint: 'POST:/charge',
      bodyCase: 'text',
      content: 'charging order 7',
      traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg.segmentId, spanId: 1 },
      tags: { level: 'info', logger: 'payments.charge', orderId: '7' },
      tagKeys: ['level', 'logger', 'orderId'],
      layer: '',
    });
    expect(logs[1]).toEqual({
      timestamp: 1_700_000_000_002,
      service: 'payments',
      serviceInstance: 'pay-1',
      endpoint: 'POST:/charge',
      bodyCase: 'json',
      content: '{"msg":"failed","order":{"id":7}}',
      traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg.segmentId, spanId: 0 },
      tags: {
        level: 'error',
        logger: 'payments.charge',
        'error.kind': 'TypeError',
        'error.message': 'card declined',
        'error.stack': err.stack!.slice(0, 2048),
      },
      tagKeys: ['level', 'logger', 'error.kind', 'error.message', 'error.stack'],
      layer: '',
    });
    expect(logs[2]).toEqual({
      timestamp: 1_700_000_000_003,
      service: 'payments',
      serviceInstance: 'pay-1',
      endpoint: '',
      bodyCase: 'text',
      content: 'outside any trace',
      traceContext: undefined,
      tags: { level: 'warn' },
      tagKeys: ['level'],
      layer: '',
    });
    expect(tracer.stats().logs).toEqual({ queued: 0, sent: 3, dropped: 0, lost: 0, filtered: 1 });
  } finally {
    await tracer.shutdown();
  }
});

it('OTel span processor: reportLog reads the active context; the Java trace id, not the OTel hash', async () => {
  collector = await startRawCollector();
  const processor = new SkyWalkingSpanProcessor({
    collectorAddress: collector.address,
    flushIntervalMs: 50,
    logLevel: 'warn',
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'co-1' }),
    spanProcessors: [processor],
  });
  try {
    const tracer = provider.getTracer('test');
    const parent = new SkyWalkingPropagator().extract(ROOT_CONTEXT, { sw8: javaSw8 }, defaultTextMapGetter);
    const server = tracer.startSpan(
      'POST',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/checkout' } },
      parent,
    );
    await context.with(trace.setSpan(parent, server), async () => {
      await new Promise((r) => setImmediate(r));
      processor.reportLog({ body: 'stock low', level: 'warning', logger: 'stock', timestamp: 1_700_000_000_010 });
      processor.reportLog({ body: 'filtered', level: 'info' });
    });
    const segmentId = (await import('../../src/entry/index')).traceContext(server)!.segmentId;
    server.end();
    await processor.forceFlush();
    const [log] = await collector.waitForLogs(1);
    expect(log).toEqual({
      timestamp: 1_700_000_000_010,
      service: 'checkout',
      serviceInstance: 'co-1',
      endpoint: 'POST:/checkout',
      bodyCase: 'text',
      content: 'stock low',
      traceContext: { traceId: JAVA_TRACE, traceSegmentId: segmentId, spanId: 0 },
      tags: { level: 'warning', logger: 'stock' },
      tagKeys: ['level', 'logger'],
      layer: '',
    });
    expect(processor.stats().logs).toEqual({ queued: 0, sent: 1, dropped: 0, lost: 0, filtered: 1 });
  } finally {
    await processor.shutdown();
  }
});

it('hostile values are bounded and never thrown: huge strings, circular objects, throwing getters, a throwing Proxy', async () => {
  collector = await startRawCollector();
  const tracer = new SkyWalkingTracer({
    serviceName: 'h',
    serviceInstance: 'h-1',
    collectorAddress: collector.address,
    logBodyMaxLength: 1000,
    tagValueMaxLength: 50,
  });
  try {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    Object.defineProperty(circular, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const badError = {
      get message() {
        throw new Error('no');
      },
      stack: 's'.repeat(10_000),
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
        ownKeys() {
          throw new Error('proxy');
        },
      },
    );
    expect(() => {
      tracer.reportLog({ body: 'x'.repeat(5_000_000) });
      tracer.reportLog({ body: circular, tags: proxy as Record<string, unknown>, error: badError });
      tracer.reportLog({ body: { big: 'y'.repeat(10_000) } });
      tracer.reportLog({ body: Buffer.from('bytes') });
      tracer.reportLog({ body: new Date(0) });
      tracer.reportLog(proxy as never);
      tracer.reportLog(null as never);
    }).not.toThrow();
    await tracer.flush();
    const logs = await collector.waitForLogs(5);
    expect(logs[0]!.content).toBe('x'.repeat(1000));
    expect(logs[1]).toMatchObject({
      bodyCase: 'json',
      content: '{"a":1,"self":"[Circular]","bad":"[Throws]"}',
      tags: { level: 'info', 'error.kind': 'Object', 'error.stack': 's'.repeat(50) },
    });
    expect(logs[2]).toMatchObject({ bodyCase: 'text', content: `{"big":"${'y'.repeat(992)}` });
    expect(logs[3]).toMatchObject({ bodyCase: 'text', content: Buffer.from('bytes').toString('hex') });
    expect(logs[4]).toMatchObject({ bodyCase: 'text', content: '1970-01-01T00:00:00.000Z' });
    expect(logs).toHaveLength(5);
    expect(tracer.stats().logs).toEqual({ queued: 0, sent: 5, dropped: 2, lost: 0, filtered: 0 });
  } finally {
    await tracer.shutdown();
  }
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

it('collector down: logging never blocks or throws, the queue stays at its bound, every record in exactly one of sent/dropped/lost; then it comes back', async () => {
  const port = await freePort();
  const tracer = new SkyWalkingTracer({
    serviceName: 'down',
    serviceInstance: 'd-1',
    collectorAddress: `127.0.0.1:${port}`,
    logMaxBufferSize: 1000,
    flushIntervalMs: 20,
    // long enough for a loaded machine: at 500 ms a CI run (with coverage, other files beside)
    // counted a delivered batch lost when its answer came late
    reportTimeoutMs: 5000,
  });
  try {
    const span = tracer.startSpan('work');
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) tracer.reportLog({ body: `record ${i}`, span });
    // a few µs of this process's CPU a record (CPU time, which a busy machine does not stretch as
    // it does the wall clock; nothing is waited for: the loop is synchronous)
    expect(cpuUsPer(cpu0, 20_000)).toBeLessThan(250);
    span.finish();
    await new Promise((r) => setTimeout(r, 100)); // drains try against the closed port
    let logs = tracer.stats().logs!;
    expect(logs.queued).toBe(1000);
    expect(logs.dropped).toBe(19_000);
    expect(logs.sent + logs.lost).toBe(0);

    collector = await startRawCollector(port);
    const received = await collector.waitForLogs(1000); // the reporter retries by itself
    await tracer.flush(); // the last answer counted
    logs = tracer.stats().logs!;
    expect(logs).toMatchObject({ queued: 0, sent: 1000, dropped: 19_000, lost: 0 });
    expect(received.map((l) => l.content)).toEqual(Array.from({ length: 1000 }, (_, i) => `record ${19_000 + i}`));
  } finally {
    await tracer.bridge.shutdown(200);
  }
  const end = tracer.stats().logs!;
  expect(end.queued + end.sent + end.dropped + end.lost).toBe(20_000);
});

it('shut down with the collector away: what is queued is counted dropped, later records too; nothing thrown', async () => {
  const port = await freePort();
  const tracer = new SkyWalkingTracer({
    serviceName: 'down',
    collectorAddress: `127.0.0.1:${port}`,
    logMaxBufferSize: 100,
    reportTimeoutMs: 200,
  });
  for (let i = 0; i < 150; i++) tracer.reportLog({ body: i });
  await tracer.bridge.shutdown(300);
  tracer.reportLog({ body: 'after' });
  const logs = tracer.stats().logs!;
  expect(logs.queued).toBe(0);
  expect(logs.sent).toBe(0);
  expect(logs.dropped + logs.lost).toBe(151);
});

it('the console reporter prints a log record as a JSON line', async () => {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
  const tracer = new SkyWalkingTracer({ serviceName: 'c', serviceInstance: 'c-1', reporter: new ConsoleReporter(out) });
  tracer.reportLog({ body: 'hello', logger: 'app', timestamp: 5 });
  expect(JSON.parse(lines[0]!)).toEqual({
    timestamp: 5,
    service: 'c',
    serviceInstance: 'c-1',
    endpoint: '',
    body: { text: { text: 'hello' } },
    tags: [
      { key: 'level', value: 'info' },
      { key: 'logger', value: 'app' },
    ],
    layer: '',
  });
  await tracer.shutdown();
});

it('collector that never answers: a batch past its deadline is counted lost (not retried), logging stays fast, the sum holds', async () => {
  const server = new grpc.Server();
  const raw = (b: Buffer): Buffer => b;
  const calls: grpc.ServerReadableStream<Buffer, Buffer>[] = [];
  let received = 0;
  server.addService(
    {
      collect: {
        path: '/skywalking.v3.LogReportService/collect',
        requestStream: true,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      collect: (call: grpc.ServerReadableStream<Buffer, Buffer>) => {
        calls.push(call);
        call.on('data', () => received++);
        call.on('error', () => undefined);
      },
    },
  );
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  const tracer = new SkyWalkingTracer({
    serviceName: 'slow',
    collectorAddress: `127.0.0.1:${port}`,
    logMaxBufferSize: 500,
    batchSize: 100,
    flushIntervalMs: 20,
    reportTimeoutMs: 300,
  });
  try {
    for (let i = 0; i < 100; i++) tracer.reportLog({ body: `first ${i}` });
    // the first batch goes out and hangs until its deadline
    while (tracer.stats().logs!.lost === 0) await new Promise((r) => setTimeout(r, 20));
    expect(tracer.stats().logs).toMatchObject({ lost: 100, sent: 0 });
    expect(received).toBe(100);
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < 5000; i++) tracer.reportLog({ body: `more ${i}` });
    expect(cpuUsPer(cpu0, 5000)).toBeLessThan(250);
    expect(tracer.stats().logs!.queued).toBeLessThanOrEqual(500);
  } finally {
    await tracer.bridge.shutdown(400);
    for (const c of calls) c.destroy();
    server.forceShutdown();
  }
  const s = tracer.stats().logs!;
  expect(s.queued).toBe(0);
  expect(s.sent + s.dropped + s.lost).toBe(5100);
});
