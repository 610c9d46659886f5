/**
 * winston: skywalkingFormat adds the ids (OTel active context: the Java trace id; an OpenTracing span
 * passed in the call); SkyWalkingTransport reports over real gRPC, every LogData field decoded with
 * skywalking-backend-js's classes; a transport through a tracer shares its reporter and stats.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import winston from 'winston';
import { traceContext } from '../../src/entry/index';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { MemoryReporter } from '../../src/reporter/memory';
import { SkyWalkingTransport, skywalkingFormat } from '../../src/entry/winston';
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

it('the format adds the ids and the transport reports every record (own reporter): Java trace id, endpoint, level, logger, JSON/text body, error tags, level filter', async () => {
  collector = await startRawCollector();
  const printed: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk, _e, cb) {
      printed.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const transport = new SkyWalkingTransport({
    collectorAddress: collector.address,
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    flushIntervalMs: 50,
    logLevel: 'info',
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(
      winston.format.label({ label: 'orders-log' }),
      skywalkingFormat(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream: out }), transport],
  });
  const processor = new SkyWalkingSpanProcessor({ reporter: new MemoryReporter() });
  const tracer = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' }),
    spanProcessors: [processor],
  }).getTracer('t');
  const ot = new SkyWalkingTracer({ serviceName: 'ot-svc', serviceInstance: 'ot-1', reporter: new MemoryReporter() });
  try {
    const parent = new SkyWalkingPropagator().extract(ROOT_CONTEXT, { sw8: javaSw8 }, defaultTextMapGetter);
    const server = tracer.startSpan(
      'GET',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
      parent,
    );
    const ctx = trace.setSpan(parent, server);
    const err = new TypeError('no stock');
    context.with(ctx, () => {
      logger.info('order created', { orderId: 7 });
      logger.debug('filtered');
      logger.error('reserve failed', { error: err });
    });
    const otSpan = ot.startSpan('consume') as SkyWalkingSpan;
    logger.warn('ot record', { span: otSpan });
    logger.info('no trace');
    const seg = traceContext(server)!.segmentId;
    const logs = await collector.waitForLogs(4);
    const strip = ({ timestamp: _t, ...rest }: (typeof logs)[number]) => rest;
    expect(logs.map(strip)).toEqual([
      {
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: 'GET:/orders',
        bodyCase: 'json',
        content: '{"message":"order created","orderId":7}',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg, spanId: 0 },
        tags: { level: 'info', logger: 'orders-log' },
        tagKeys: ['level', 'logger'],
        layer: '',
      },
      {
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: 'GET:/orders',
        bodyCase: 'text',
        content: 'reserve failed',
        traceContext: { traceId: JAVA_TRACE, traceSegmentId: seg, spanId: 0 },
        tags: {
          level: 'error',
          logger: 'orders-log',
          'error.kind': 'TypeError',
          'error.message': 'no stock',
          'error.stack': err.stack!.slice(0, 2048),
        },
        tagKeys: ['level', 'logger', 'error.kind', 'error.message', 'error.stack'],
        layer: '',
      },
      {
        service: 'ot-svc',
        serviceInstance: 'ot-1',
        endpoint: 'consume',
        bodyCase: 'text',
        content: 'ot record',
        traceContext: {
          traceId: otSpan.recorded.segment.traceId,
          traceSegmentId: otSpan.recorded.segment.segmentId,
          spanId: 0,
        },
        tags: { level: 'warn', logger: 'orders-log' },
        tagKeys: ['level', 'logger'],
        layer: '',
      },
      {
        service: 'orders',
        serviceInstance: 'orders-1',
        endpoint: '',
        bodyCase: 'text',
        content: 'no trace',
        traceContext: undefined,
        tags: { level: 'info', logger: 'orders-log' },
        tagKeys: ['level', 'logger'],
        layer: '',
      },
    ]);
    expect(printed[0]).toMatchObject({
      message: 'order created',
      trace_id: JAVA_TRACE,
      segment_id: seg,
      span_id: 0,
      sw_endpoint: 'GET:/orders',
    });
    expect(printed[2]).not.toHaveProperty('span');
    await transport.flush(); // the last answer counted
    expect(transport.bridge.stats().logs).toMatchObject({ sent: 4, dropped: 0, lost: 0, filtered: 1 });
    server.end();
  } finally {
    await transport.shutdown();
    logger.close();
  }
});

it("via: a tracer's reporter takes the records (its stats count them); a non-owner is a configuration error", async () => {
  const reporter = new MemoryReporter();
  const ot = new SkyWalkingTracer({ serviceName: 'ot-svc', serviceInstance: 'ot-1', reporter });
  const logger = winston.createLogger({
    format: skywalkingFormat(),
    transports: [new SkyWalkingTransport({ via: ot })],
  });
  const span = ot.startSpan('GET:/x') as SkyWalkingSpan;
  logger.info('hello', { span });
  expect(reporter.logs).toEqual([
    expect.objectContaining({
      service: 'ot-svc',
      endpoint: 'GET:/x',
      body: { text: { text: 'hello' } },
      traceContext: {
        traceId: span.recorded.segment.traceId,
        traceSegmentId: span.recorded.segment.segmentId,
        spanId: 0,
      },
    }),
  ]);
  expect(ot.stats().logs).toMatchObject({ sent: 1 });
  expect(() => new SkyWalkingTransport({ via: {} as never })).toThrow(/option `via`/);
  logger.close();
});
