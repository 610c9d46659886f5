/**
 * The OTel Logs SDK (@opentelemetry/sdk-logs LoggerProvider) with SkyWalkingLogRecordProcessor: records
 * emitted inside a span carry its SkyWalking ids read at emit (the Java trace id for a Java-started
 * trace), severity, scope, attributes, exception attributes; over real gRPC, decoded with Logging_pb.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MemoryReporter } from '../../src/reporter/memory';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  SkyWalkingLogRecordProcessor,
  SkyWalkingPropagator,
  SkyWalkingSpanProcessor,
  traceContext,
} from '../../src/entry/index';
import { JAVA_TRACE, type RawCollector, javaSw8, startRawCollector } from './support';

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

const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'co-1' });

it('via the span processor: ids read at emit (Java trace id, int span id), severity, scope, attributes, exception tags, the level filter', async () => {
  collector = await startRawCollector();
  const spans = new SkyWalkingSpanProcessor({
    collectorAddress: collector.address,
    flushIntervalMs: 50,
    logLevel: 'info',
  });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [spans] }).getTracer('t');
  const logs = new SkyWalkingLogRecordProcessor({ via: spans });
  const provider = new LoggerProvider({ resource, processors: [logs] });
  const logger = provider.getLogger('checkout.cart', '1.0.0');
  try {
    const parent = new SkyWalkingPropagator().extract(ROOT_CONTEXT, { sw8: javaSw8 }, defaultTextMapGetter);
    const server = tracer.startSpan(
      'POST',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/cart' } },
      parent,
    );
    const ctx = trace.setSpan(parent, server);
    const child = tracer.startSpan('price', {}, ctx);
    context.with(ctx, () => {
      logger.emit({
        body: 'cart loaded',
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        timestamp: 1_700_000_000_100,
        attributes: { items: 3, user: 'u-9' },
      });
      logger.emit({ body: 'ignored', severityNumber: SeverityNumber.DEBUG });
    });
    logger.emit({
      body: { msg: 'price failed', sku: 'A-1' },
      severityNumber: SeverityNumber.ERROR,
      timestamp: 1_700_000_000_101,
      context: trace.setSpan(ctx, child),
      attributes: {
        'exception.type': 'RangeError',
        'exception.message': 'negative',
        'exception.stacktrace': 'RangeError: negative\n    at price',
      },
    });
    logger.emit({
      body: 'outside',
      severityNumber: SeverityNumber.WARN,
      timestamp: 1_700_000_000_102,
      eventName: 'cart.idle',
    });
    const seg = traceContext(server)!.segmentId;
    child.end();
    server.end();
    const got = await collector.waitForLogs(3);
    expect(got).toEqual([
      {
        timestamp: 1_700_000_000_100,
        service: 'checkout',
        serviceInstance: 'co-1',
        endpoint: 'POST:/cart',
        bodyCase: 'text',
        content: 'cart loaded',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg, spanId: 0 },
        tags: { level: 'info', logger: 'checkout.cart', items: '3', user: 'u-9' },
        tagKeys: ['level', 'logger', 'items', 'user'],
        layer: '',
      },
      {
        timestamp: 1_700_000_000_101,
        service: 'checkout',
        serviceInstance: 'co-1',
        endpoint: 'POST:/cart',
        bodyCase: 'json',
        content: '{"msg":"price failed","sku":"A-1"}',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg, spanId: 1 },
        tags: {
          level: 'error',
          logger: 'checkout.cart',
          'error.kind': 'RangeError',
          'error.message': 'negative',
          'error.stack': 'RangeError: negative\n    at price',
        },
        tagKeys: ['level', 'logger', 'error.kind', 'error.message', 'error.stack'],
        layer: '',
      },
      {
        timestamp: 1_700_000_000_102,
        service: 'checkout',
        serviceInstance: 'co-1',
        endpoint: '',
        bodyCase: 'text',
        content: 'outside',
        traceContext: undefined,
        tags: { level: 'warn', logger: 'checkout.cart', event: 'cart.idle' },
        tagKeys: ['level', 'logger', 'event'],
        layer: '',
      },
    ]);
    await logs.forceFlush();
    expect(spans.stats().logs).toEqual({ queued: 0, sent: 3, dropped: 0, lost: 0, filtered: 1 });
  } finally {
    await provider.shutdown();
    await spans.shutdown();
  }
});

it('with a reporter of its own: the service and instance come from the LoggerProvider resource', async () => {
  collector = await startRawCollector();
  const logs = new SkyWalkingLogRecordProcessor({ collectorAddress: collector.address, flushIntervalMs: 50 });
  const provider = new LoggerProvider({ resource, processors: [logs] });
  try {
    provider.getLogger('solo').emit({ body: 'alone', severityText: 'WARN', timestamp: 1_700_000_000_200 });
    const [got] = await collector.waitForLogs(1);
    expect(got).toEqual({
      timestamp: 1_700_000_000_200,
      service: 'checkout',
      serviceInstance: 'co-1',
      endpoint: '',
      bodyCase: 'text',
      content: 'alone',
      traceContext: undefined,
      tags: { level: 'warn', logger: 'solo' },
      tagKeys: ['level', 'logger'],
      layer: '',
    });
  } finally {
    await provider.shutdown();
  }
  expect(logs.stats().logs).toMatchObject({ sent: 1, queued: 0 });
});

it("NodeSDK logRecordProcessors: the global Logs API lands in SkyWalking with the span's ids", async () => {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { logs: logsApi } = await import('@opentelemetry/api-logs');
  collector = await startRawCollector();
  const spans = new SkyWalkingSpanProcessor({ collectorAddress: collector.address, flushIntervalMs: 50 });
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    instrumentations: [],
    traceExporter: undefined,
    spanProcessors: [spans],
    textMapPropagator: new SkyWalkingPropagator(),
    logRecordProcessors: [new SkyWalkingLogRecordProcessor({ via: spans })],
  });
  sdk.start();
  try {
    const tracer = trace.getTracer('app');
    let ids: ReturnType<typeof traceContext>;
    tracer.startActiveSpan(
      'GET',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/sdk' } },
      (span) => {
        ids = traceContext();
        logsApi
          .getLogger('sdk-logger')
          .emit({ body: 'through the SDK', severityNumber: SeverityNumber.WARN, timestamp: 1_700_000_000_300 });
        span.end();
      },
    );
    const [got] = await collector.waitForLogs(1);
    expect(got).toEqual({
      timestamp: 1_700_000_000_300,
      service: 'checkout',
      serviceInstance: 'co-1',
      endpoint: 'GET:/sdk',
      bodyCase: 'text',
      content: 'through the SDK',
      traceContext: { traceId: ids!.traceId, traceSegmentId: ids!.segmentId, spanId: 0 },
      tags: { level: 'warn', logger: 'sdk-logger' },
      tagKeys: ['level', 'logger'],
      layer: '',
    });
  } finally {
    await sdk.shutdown();
  }
});

it('exception attributes of a plain Error (or with no type) are tagged error.kind Error, not the class of a plain object', async () => {
  const memory = new MemoryReporter();
  const logs = new SkyWalkingLogRecordProcessor({ reporter: memory as unknown as 'none', serviceName: 'checkout' });
  const logger = new LoggerProvider({ resource, processors: [logs] }).getLogger('checkout');
  logger.emit({ body: 'a', attributes: { 'exception.type': 'Error', 'exception.message': 'boom' } });
  logger.emit({ body: 'b', attributes: { 'exception.message': 'no type' } });
  expect(memory.logs.map((d) => d.tags.find((t) => t.key === 'error.kind')?.value)).toEqual(['Error', 'Error']);
  await logs.shutdown();
});
