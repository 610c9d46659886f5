/**
 * The OpenTelemetry front-end with the real SDK (BasicTracerProvider 2.x, AsyncLocalStorage context):
 * identity at span start, sw8 written from the in-flight span, extracted parents, baggage, late
 * children, the exporter-only mode, and the attribute mapping tables.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  ExportResultCode as CoreExportResultCode,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { hexTraceIdOf } from '../../src/base/ids';
import { RefType, SpanLayer, SpanType } from '../../src/base/model';
import { ExportResultCode } from '../../src/opentelemetry/api';
import { SkyWalkingTraceExporter } from '../../src/opentelemetry/exporter';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import { decodeCorrelation, encodeCorrelation } from '../../src/propagation/correlation';
import { decodeSw8, encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

function setup(resource: Record<string, string> = { 'service.name': 'orders', 'service.instance.id': 'orders-1' }) {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [processor] });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http');
  return { reporter, processor, provider, tracer, propagator: new SkyWalkingPropagator() };
}

const JAVA_TRACE = '0af7651916cd43dd8448eb211c80319c.52.16999999990000';
const javaHeader = encodeSw8({
  sample: 1,
  traceId: JAVA_TRACE,
  segmentId: 'b7ad6b7169203331.53.17000000000001',
  spanId: 4,
  service: 'java-gateway',
  instance: 'gw-1@host',
  endpoint: '/api/checkout',
  address: 'orders:8080',
})!;

it('uses the same result codes as @opentelemetry/core', () => {
  expect(ExportResultCode.SUCCESS).toBe(CoreExportResultCode.SUCCESS);
  expect(ExportResultCode.FAILED).toBe(CoreExportResultCode.FAILED);
});

it('names an HTTP client child from its attributes when it injects (no peer: the path is the sw8 address) and when reported', () => {
  const { tracer, propagator, reporter } = setup();
  const headers: Record<string, string> = {};
  const server = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
  });
  const serverCtx = trace.setSpan(ROOT_CONTEXT, server);
  const client = tracer.startSpan(
    'GET',
    { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.path': '/inventory' } },
    serverCtx,
  );
  propagator.inject(trace.setSpan(serverCtx, client), headers, defaultTextMapSetter);
  client.end();
  server.end();

  const sw8 = decodeSw8(headers.sw8!)!;
  expect(sw8).toMatchObject({ spanId: 1, endpoint: 'GET:/orders', address: '/inventory' });
  const [exit, entry] = reporter.segments[0]!.spans;
  expect(exit).toMatchObject({ spanId: 1, operationName: '/inventory', peer: '/inventory', spanType: SpanType.Exit });
  expect(entry).toMatchObject({ spanId: 0, operationName: 'GET:/orders', spanType: SpanType.Entry });
});

it('records a server span and a client child as one segment; inject writes the exit span exactly', () => {
  const { tracer, propagator, reporter } = setup();
  const headers: Record<string, string> = {};
  const server = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/orders/7',
      'http.route': '/orders/:id',
      'url.scheme': 'http',
      'server.address': 'orders',
    },
  });
  const serverCtx = trace.setSpan(ROOT_CONTEXT, server);
  const client = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'http://users:9090/users/7?x=1',
        'server.address': 'users',
        'server.port': 9090,
      },
    },
    serverCtx,
  );
  propagator.inject(trace.setSpan(serverCtx, client), headers, defaultTextMapSetter);
  client.setAttribute('http.response.status_code', 200);
  client.end();
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();

  expect(reporter.segments).toHaveLength(1);
  const seg = reporter.segments[0]!;
  expect(seg.traceId).toBe(server.spanContext().traceId);
  expect(seg.service).toBe('orders');
  expect(seg.serviceInstance).toBe('orders-1');
  const [exit, entry] = seg.spans;
  expect(entry).toMatchObject({
    spanId: 0,
    parentSpanId: -1,
    operationName: 'GET:/orders/:id',
    spanType: SpanType.Entry,
    spanLayer: SpanLayer.Http,
    componentId: 49,
    isError: true,
    peer: '',
  });
  expect(entry!.tags).toEqual(
    expect.arrayContaining([
      { key: 'http.method', value: 'GET' },
      { key: 'url', value: 'http://orders/orders/7' },
    ]),
  );
  expect(exit).toMatchObject({
    spanId: 1,
    parentSpanId: 0,
    operationName: '/users/7',
    spanType: SpanType.Exit,
    spanLayer: SpanLayer.Http,
    componentId: 2,
    peer: 'users:9090',
    isError: false,
  });
  expect(exit!.tags).toEqual(
    expect.arrayContaining([
      { key: 'url', value: 'http://users:9090/users/7?x=1' },
      { key: 'http.status_code', value: '200' },
    ]),
  );
  expect(decodeSw8(headers.sw8)).toEqual({
    sample: 1,
    traceId: seg.traceId,
    segmentId: seg.traceSegmentId,
    spanId: 1,
    service: 'orders',
    instance: 'orders-1',
    endpoint: 'GET:/orders/:id',
    address: 'users:9090',
  });
  expect(headers['sw8-x']).toBe('0- ');
});

it('continues an extracted Java trace: original trace id in segments and downstream headers', () => {
  const { tracer, propagator, reporter } = setup();
  const extracted = propagator.extract(ROOT_CONTEXT, { sw8: javaHeader }, defaultTextMapGetter);
  const sc = trace.getSpanContext(extracted)!;
  expect(sc).toMatchObject({ traceId: hexTraceIdOf(JAVA_TRACE), isRemote: true, traceFlags: 1 });
  const server = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.target': '/checkout?a=1' } },
    extracted,
  );
  const ctx = trace.setSpan(extracted, server);
  const client = tracer.startSpan(
    'POST',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.method': 'POST',
        'http.url': 'http://pay:80/charge',
        'net.peer.name': 'pay',
        'net.peer.port': 80,
      },
    },
    ctx,
  );
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, client), headers, defaultTextMapSetter);
  client.end();
  server.end();
  const seg = reporter.segments[0]!;
  expect(seg.traceId).toBe(JAVA_TRACE);
  // no route known: the span name (low cardinality), not the path
  expect(seg.spans.find((s) => s.spanId === 0)).toMatchObject({ operationName: 'GET' });
  expect(seg.spans.find((s) => s.spanId === 0)!.refs).toEqual([
    {
      refType: RefType.CrossProcess,
      traceId: JAVA_TRACE,
      parentTraceSegmentId: 'b7ad6b7169203331.53.17000000000001',
      parentSpanId: 4,
      parentService: 'java-gateway',
      parentServiceInstance: 'gw-1@host',
      parentEndpoint: '/api/checkout',
      networkAddressUsedAtPeer: 'orders:8080',
    },
  ]);
  expect(decodeSw8(headers.sw8)).toMatchObject({
    traceId: JAVA_TRACE,
    segmentId: seg.traceSegmentId,
    spanId: 1,
    address: 'pay:80',
    endpoint: 'GET',
  });
});

it('propagates sw8-x skip analysis and the producer timestamp; consumers tag transmission.latency', () => {
  const { tracer, propagator, reporter } = setup();
  const extracted = propagator.extract(
    ROOT_CONTEXT,
    { sw8: javaHeader, 'sw8-x': '1-1700000000000' },
    defaultTextMapGetter,
  );
  const consumer = tracer.startSpan(
    'orders process',
    { kind: SpanKind.CONSUMER, startTime: 1_700_000_000_250 },
    extracted,
  );
  const producer = tracer.startSpan(
    'orders publish',
    { kind: SpanKind.PRODUCER, attributes: { 'server.address': 'kafka', 'server.port': 9092 } },
    trace.setSpan(extracted, consumer),
  );
  const out: Record<string, string> = {};
  const before = Date.now();
  propagator.inject(trace.setSpan(extracted, producer), out, defaultTextMapSetter);
  producer.end();
  consumer.end();
  const [flag, ts] = out['sw8-x']!.split('-');
  expect(flag).toBe('1');
  expect(Number(ts)).toBeGreaterThanOrEqual(before);
  const seg = reporter.segments[0]!;
  expect(seg.spans.every((s) => s.skipAnalysis)).toBe(true);
  expect(seg.spans.find((s) => s.spanId === 0)!.tags).toContainEqual({ key: 'transmission.latency', value: '250' });
});

it('carries baggage as sw8-correlation both ways, within the limits', () => {
  const { tracer, propagator } = setup();
  const corr = encodeCorrelation([
    ['tenant', 'acme'],
    ['user', 'ada'],
  ])!;
  const extracted = propagator.extract(
    ROOT_CONTEXT,
    { sw8: javaHeader, 'sw8-correlation': corr },
    defaultTextMapGetter,
  );
  expect(
    propagation
      .getBaggage(extracted)
      ?.getAllEntries()
      .map(([k, v]) => [k, v.value]),
  ).toEqual([
    ['tenant', 'acme'],
    ['user', 'ada'],
  ]);
  const span = tracer.startSpan(
    'call',
    { kind: SpanKind.CLIENT, attributes: { 'server.address': 'x', 'server.port': 1 } },
    extracted,
  );
  const withMore = propagation.setBaggage(
    trace.setSpan(extracted, span),
    propagation.getBaggage(extracted)!.setEntry('a', { value: '1' }).setEntry('b', { value: '2' }),
  );
  const out: Record<string, string> = {};
  propagator.inject(withMore, out, defaultTextMapSetter);
  span.end();
  expect([...decodeCorrelation(out['sw8-correlation'])]).toEqual([
    ['tenant', 'acme'],
    ['user', 'ada'],
    ['a', '1'],
  ]);
});

it('a child that ends after its parent segment closed gets a CrossThread segment', () => {
  const { tracer, reporter } = setup();
  const root = tracer.startSpan('job', { kind: SpanKind.SERVER });
  const child = tracer.startSpan('late', {}, trace.setSpan(ROOT_CONTEXT, root));
  child.end();
  root.end();
  const grandchild = tracer.startSpan('later', {}, trace.setSpan(ROOT_CONTEXT, child));
  grandchild.end();
  expect(reporter.segments).toHaveLength(2);
  const [first, second] = reporter.segments;
  expect(second!.traceId).toBe(first!.traceId);
  expect(second!.spans[0]).toMatchObject({ spanId: 0, operationName: 'later', spanType: SpanType.Local });
  expect(second!.spans[0]!.refs).toEqual([
    {
      refType: RefType.CrossThread,
      traceId: first!.traceId,
      parentTraceSegmentId: first!.traceSegmentId,
      parentSpanId: 1,
      parentService: 'orders',
      parentServiceInstance: 'orders-1',
      parentEndpoint: 'job',
      networkAddressUsedAtPeer: '',
    },
  ]);
});

it('works inside a CompositePropagator with W3C: both headers out, sw8 wins on the way in', () => {
  const { tracer, reporter } = setup();
  const composite = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new SkyWalkingPropagator()],
  });
  expect(composite.fields()).toEqual(['traceparent', 'tracestate', 'sw8', 'sw8-correlation', 'sw8-x']);
  const span = tracer.startSpan('out', {
    kind: SpanKind.CLIENT,
    attributes: { 'server.address': 'b', 'server.port': 2 },
  });
  const headers: Record<string, string> = {};
  composite.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  span.end();
  expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  expect(decodeSw8(headers.sw8)?.traceId).toBe(span.spanContext().traceId);
  const back = composite.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  expect(trace.getSpanContext(back)?.traceId).toBe(span.spanContext().traceId);
  expect(reporter.segments[0]!.spans[0]!.peer).toBe('b:2');
});

it('continues a legacy parent under its trace id, tagged with the format', () => {
  const { tracer, propagator, reporter } = setup();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const extracted = propagator.extract(
    ROOT_CONTEXT,
    { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    defaultTextMapGetter,
  );
  tracer.startSpan('GET', { kind: SpanKind.SERVER }, extracted).end();
  expect(reporter.segments[0]).toMatchObject({ traceId });
  expect(reporter.segments[0]!.spans[0]!.refs).toEqual([]);
  expect(reporter.segments[0]!.spans[0]!.tags).toContainEqual({ key: 'legacy.parent.format', value: 'w3c' });
});

it('ignores bad headers and hostile getters, case-insensitively finds real ones', () => {
  const { propagator } = setup();
  expect(propagator.extract(ROOT_CONTEXT, { sw8: 'garbage' }, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
  const hostile = {
    get: () => {
      throw new Error('x');
    },
    keys: () => {
      throw new Error('y');
    },
  };
  expect(propagator.extract(ROOT_CONTEXT, {}, hostile)).toBe(ROOT_CONTEXT);
  const arrays = {
    get: (c: Record<string, string[]>, k: string) => c[k],
    keys: (c: Record<string, string[]>) => Object.keys(c),
  };
  const ctx = propagator.extract(ROOT_CONTEXT, { SW8: [javaHeader, 'second'] } as never, arrays as never);
  expect(trace.getSpanContext(ctx)?.traceId).toBe(hexTraceIdOf(JAVA_TRACE));
  expect(() => propagator.inject(ROOT_CONTEXT, null, defaultTextMapSetter)).not.toThrow();
});

it('takes the service from the resource unless an option names it; ignores unknown_service', () => {
  const a = setup({ 'service.name': 'unknown_service:node' });
  a.tracer.startSpan('x').end();
  expect(a.reporter.segments[0]!.service).toBe('your-nodejs-service');
  const reporter = new MemoryReporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'from-resource' }),
    spanProcessors: [new SkyWalkingSpanProcessor({ reporter, serviceName: 'from-option' })],
  });
  provider.getTracer('t').startSpan('x').end();
  expect(reporter.segments[0]!.service).toBe('from-option');
});

describe('attribute mapping (old and new semantic conventions)', () => {
  const cases: Array<
    [string, string, SpanKind, Record<string, string | number>, Record<string, unknown>, Array<[string, string]>]
  > = [
    [
      'pg (new)',
      '@opentelemetry/instrumentation-pg',
      SpanKind.CLIENT,
      {
        'db.system.name': 'postgresql',
        'db.namespace': 'shop',
        'db.query.text': 'SELECT 1',
        'server.address': 'pg',
        'server.port': 5432,
      },
      { spanLayer: SpanLayer.Database, componentId: 22, peer: 'pg:5432' },
      [
        ['db.type', 'postgresql'],
        ['db.instance', 'shop'],
        ['db.statement', 'SELECT 1'],
      ],
    ],
    [
      'mysql (old)',
      '@opentelemetry/instrumentation-mysql2',
      SpanKind.CLIENT,
      {
        'db.system': 'mysql',
        'db.name': 'shop',
        'db.statement': 'SELECT 2',
        'net.peer.name': 'my',
        'net.peer.port': 3306,
      },
      { spanLayer: SpanLayer.Database, componentId: 5, peer: 'my:3306' },
      [
        ['db.type', 'mysql'],
        ['db.instance', 'shop'],
        ['db.statement', 'SELECT 2'],
      ],
    ],
    [
      'redis as cache',
      '@opentelemetry/instrumentation-ioredis',
      SpanKind.CLIENT,
      { 'db.system': 'redis', 'db.statement': 'get k', 'net.peer.name': 'r', 'net.peer.port': 6379 },
      { spanLayer: SpanLayer.Cache, componentId: 7, peer: 'r:6379' },
      [
        ['db.type', 'redis'],
        ['cache.type', 'redis'],
      ],
    ],
    [
      'kafka producer',
      '@opentelemetry/instrumentation-kafkajs',
      SpanKind.PRODUCER,
      {
        'messaging.system': 'kafka',
        'messaging.destination.name': 'orders',
        'server.address': 'kafka',
        'server.port': 9092,
      },
      { spanLayer: SpanLayer.MQ, componentId: 40, peer: 'kafka:9092', spanType: SpanType.Exit },
      [
        ['mq.topic', 'orders'],
        ['mq.broker', 'kafka:9092'],
      ],
    ],
    [
      'grpc client',
      '@opentelemetry/instrumentation-grpc',
      SpanKind.CLIENT,
      { 'rpc.system': 'grpc', 'rpc.grpc.status_code': 0, 'server.address': 'g', 'server.port': 50051 },
      { spanLayer: SpanLayer.RPCFramework, componentId: 23, peer: 'g:50051' },
      [['rpc.status_code', '0']],
    ],
  ];
  it.each(cases)('%s', (_name, scope, kind, attributes, expected, tags) => {
    const reporter = new MemoryReporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SkyWalkingSpanProcessor({ reporter })] });
    const span = provider.getTracer(scope).startSpan('op', { kind, attributes });
    span.addEvent('exception', {
      'exception.type': 'Error',
      'exception.message': 'boom',
      'exception.stacktrace': 'at x',
    });
    span.end();
    const out = reporter.segments[0]!.spans[0]!;
    expect(out).toMatchObject(expected);
    for (const [k, v] of tags) expect(out.tags).toContainEqual({ key: k, value: v });
    expect(out.logs[0]!.data).toEqual([
      { key: 'event', value: 'error' },
      { key: 'error.kind', value: 'Error' },
      { key: 'message', value: 'boom' },
      { key: 'stack', value: 'at x' },
    ]);
  });
});

describe('SkyWalkingTraceExporter (exporter-only mode)', () => {
  it('rebuilds segments from a batch, links late children and extracted parents, FAILED after shutdown', async () => {
    const reporter = new MemoryReporter();
    const exporter = new SkyWalkingTraceExporter({ reporter });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'exp' }),
      spanProcessors: [new SimpleSpanProcessor(exporter as never)],
    });
    const tracer = provider.getTracer('@opentelemetry/instrumentation-http');
    const propagator = new SkyWalkingPropagator();
    const extracted = propagator.extract(ROOT_CONTEXT, { sw8: javaHeader }, defaultTextMapGetter);
    const server = tracer.startSpan(
      'GET',
      { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.route': '/r' } },
      extracted,
    );
    server.end();
    const late = tracer.startSpan('late', {}, trace.setSpan(ROOT_CONTEXT, server));
    late.end();
    expect(reporter.segments).toHaveLength(2);
    const [a, b] = reporter.segments;
    expect(a).toMatchObject({ traceId: JAVA_TRACE, service: 'exp' });
    expect(a!.spans[0]).toMatchObject({ operationName: 'GET:/r', spanType: SpanType.Entry });
    expect(a!.spans[0]!.refs[0]).toMatchObject({
      refType: RefType.CrossProcess,
      parentService: 'java-gateway',
      parentSpanId: 4,
    });
    expect(b!.spans[0]!.refs[0]).toMatchObject({
      refType: RefType.CrossThread,
      parentTraceSegmentId: a!.traceSegmentId,
      parentSpanId: 0,
    });
    await exporter.shutdown();
    const result = await new Promise<{ code: number }>((ok) => exporter.export([], ok));
    expect(result.code).toBe(ExportResultCode.FAILED);
  });
});
