/**
 * traceContext / formatTraceContext / traceIdText: the SkyWalking ids of OpenTracing spans and span
 * contexts, OTel spans and contexts (recorded by the span processor), the active OTel context, and
 * the original trace id of a trace that came in from a Java agent.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { formatTraceContext, traceContext, traceIdText } from '../../src/entry/index';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const JAVA_TRACE = '2a1b3c4d5e6f47a8b9c0d1e2f3a4b5c6.123.17000000000010001';
const javaSw8 = encodeSw8({
  sample: 1,
  traceId: JAVA_TRACE,
  segmentId: '2a1b3c4d5e6f47a8b9c0d1e2f3a4b5c6.123.17000000000010002',
  spanId: 3,
  service: 'java-gateway',
  instance: 'gw-1@host',
  endpoint: '/api/checkout',
  address: 'orders:8080',
})!;

it('OpenTracing: a span and its context give the segment ids; a dropped span gives its anchor; an extracted context alone gives undefined', async () => {
  const tracer = new SkyWalkingTracer({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    reporter: new MemoryReporter(),
    spanLimit: 2,
  });
  const root = tracer.startSpan('GET:/orders') as SkyWalkingSpan;
  const child = tracer.startSpan('db', { childOf: root }) as SkyWalkingSpan;
  const dropped = tracer.startSpan('over the limit', { childOf: child }) as SkyWalkingSpan;
  const seg = root.recorded.segment;
  expect(traceContext(root)).toEqual({
    traceId: seg.traceId,
    segmentId: seg.segmentId,
    spanId: 0,
    service: 'orders',
    serviceInstance: 'orders-1',
  });
  expect(traceContext(child.context())).toEqual({
    traceId: seg.traceId,
    segmentId: seg.segmentId,
    spanId: 1,
    service: 'orders',
    serviceInstance: 'orders-1',
  });
  expect(traceContext(dropped)!.spanId).toBe(1);
  expect(formatTraceContext(child)).toBe(`[orders,orders-1,${seg.traceId},${seg.segmentId},1]`);
  expect(traceIdText(child)).toBe(seg.traceId);

  const extracted = tracer.extract(FORMAT_HTTP_HEADERS, { sw8: javaSw8 })!;
  expect(traceContext(extracted)).toBeUndefined();
  const entry = tracer.startSpan('GET:/checkout', { childOf: extracted });
  expect(traceContext(entry)).toMatchObject({ traceId: JAVA_TRACE, spanId: 0 });
  expect(traceContext(undefined)).toBeUndefined(); // no active OTel span
  expect(formatTraceContext()).toBe('[N/A,N/A,N/A,N/A,-1]');
  expect(traceIdText({})).toBe('N/A');
  await tracer.shutdown();
});

it('OTel: a span, a Context and the active context give the SkyWalking ids; a Java sw8 gives the Java trace id, not the OTel hash', async () => {
  const processor = new SkyWalkingSpanProcessor({ reporter: new MemoryReporter() });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'co-1' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('test');
  const propagator = new SkyWalkingPropagator();
  const parent = propagator.extract(ROOT_CONTEXT, { sw8: javaSw8 }, defaultTextMapGetter);
  const server = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' } },
    parent,
  );
  expect(server.spanContext().traceId).not.toBe(JAVA_TRACE);
  const ctx = trace.setSpan(parent, server);
  const expected = { traceId: JAVA_TRACE, spanId: 0, service: 'checkout', serviceInstance: 'co-1' };
  expect(traceContext(server)).toMatchObject(expected);
  expect(traceContext(ctx)).toMatchObject(expected);
  await context.with(ctx, async () => {
    const child = tracer.startSpan('work');
    await context.with(trace.setSpan(context.active(), child), async () => {
      await new Promise((r) => setImmediate(r));
      expect(traceContext()).toMatchObject({ ...expected, spanId: 1, segmentId: traceContext(server)!.segmentId });
    });
    child.end();
  });
  expect(traceContext()).toBeUndefined();
  expect(traceContext(ROOT_CONTEXT)).toBeUndefined();
  expect(
    traceContext(trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 })),
  ).toBeUndefined();
  server.end();
  await processor.shutdown();
});

it('never throws on hostile input', () => {
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
      getPrototypeOf() {
        throw new Error('boom');
      },
    },
  );
  expect(traceContext(hostile)).toBeUndefined();
  expect(traceContext(42)).toBeUndefined();
  expect(formatTraceContext('x')).toBe('[N/A,N/A,N/A,N/A,-1]');
});
