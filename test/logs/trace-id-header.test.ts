/**
 * traceIdHeader: a request with the application's own trace-id header and no sw8 (nor legacy
 * context) starts its SkyWalking trace under that id (segments, logs, sw8 downstream), and outgoing
 * calls carry the header beside sw8; sw8 and legacy headers win over it; bad values are ignored.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { resolveConfig } from '../../src/base/config';
import { traceContext } from '../../src/entry/index';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import type { SkyWalkingSpan } from '../../src/opentracing/span';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { decodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';
import { JAVA_TRACE, javaSw8 } from './support';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const APP_ID = 'req-7f3a9c2e-5b1d-4e8f-a6c0-123456789abc';

it('is resolved from the option or SW_BRIDGE_TRACE_ID_HEADER, lowercased; a bad name fails fast', () => {
  expect(resolveConfig({}, {}).traceIdHeader).toBe('');
  expect(resolveConfig({}, { SW_BRIDGE_TRACE_ID_HEADER: 'X-Trace-Id' }).traceIdHeader).toBe('x-trace-id');
  expect(
    resolveConfig({ traceIdHeader: 'X-Request-Trace' }, { SW_BRIDGE_TRACE_ID_HEADER: 'x-trace-id' }).traceIdHeader,
  ).toBe('x-request-trace');
  expect(() => resolveConfig({ traceIdHeader: 'x trace' }, {})).toThrow(
    /option `traceIdHeader` is the string "x trace"; expected an HTTP header name such as "x-trace-id" \(or leave it out and set env SW_BRIDGE_TRACE_ID_HEADER\)/,
  );
});

it("OpenTracing: the trace starts under the header's id; segments, logs and the downstream sw8 and header carry it", async () => {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({
    serviceName: 'orders',
    serviceInstance: 'o-1',
    reporter,
    traceIdHeader: 'X-Trace-Id',
  });
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, { 'X-Trace-Id': APP_ID })!;
  expect(parent.toTraceId()).toBe(APP_ID);
  const entry = tracer.startSpan('GET:/orders', { childOf: parent, tags: { 'span.kind': 'server' } }) as SkyWalkingSpan;
  const exit = tracer.startSpan('GET:/users', {
    childOf: entry,
    tags: { 'span.kind': 'client', 'peer.hostname': 'users', 'peer.port': 80 },
  });
  const out: Record<string, string> = {};
  tracer.inject(exit, FORMAT_HTTP_HEADERS, out);
  expect(out['x-trace-id']).toBe(APP_ID);
  expect(decodeSw8(out.sw8)).toMatchObject({ traceId: APP_ID, segmentId: entry.recorded.segment.segmentId, spanId: 1 });
  tracer.reportLog({ body: 'found', span: exit });
  exit.finish();
  entry.finish();
  expect(reporter.segments[0]!.traceId).toBe(APP_ID);
  expect(reporter.segments[0]!.spans.find((s) => s.spanId === 0)!.refs).toEqual([]);
  expect(reporter.logs[0]!.traceContext).toEqual({
    traceId: APP_ID,
    traceSegmentId: entry.recorded.segment.segmentId,
    spanId: 1,
  });

  // sw8 wins; the header then carries the sw8 trace id on
  const fromJava = tracer.startSpan('GET:/j', {
    childOf: tracer.extract(FORMAT_HTTP_HEADERS, { sw8: javaSw8, 'x-trace-id': APP_ID })!,
  });
  const out2: Record<string, string> = {};
  tracer.inject(fromJava, FORMAT_HTTP_HEADERS, out2);
  expect(out2['x-trace-id']).toBe(JAVA_TRACE);
  expect(traceContext(fromJava)!.traceId).toBe(JAVA_TRACE);
  // a legacy context wins too
  const w3c = tracer.extract(FORMAT_HTTP_HEADERS, {
    traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`,
    'x-trace-id': APP_ID,
  })!;
  expect(w3c.toTraceId()).toBe('ab'.repeat(16));
  // bad values are ignored: no context
  expect(tracer.extract(FORMAT_HTTP_HEADERS, { 'x-trace-id': 'a,b' })).toBeNull();
  expect(tracer.extract(FORMAT_HTTP_HEADERS, { 'x-trace-id': 'x'.repeat(129) })).toBeNull();
  expect(tracer.extract(FORMAT_HTTP_HEADERS, { 'x-trace-id': '' })).toBeNull();
  // without the option the header means nothing
  const plain = new SkyWalkingTracer({ reporter: new MemoryReporter() });
  expect(plain.extract(FORMAT_HTTP_HEADERS, { 'x-trace-id': APP_ID })).toBeNull();
  const o3: Record<string, string> = {};
  plain.inject(plain.startSpan('x'), FORMAT_HTTP_HEADERS, o3);
  expect(o3).not.toHaveProperty('x-trace-id');
  await tracer.shutdown();
});

it("OTel propagator + processor: the trace starts under the header's id (kept as the original, like a Java id); inject writes it beside sw8", async () => {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter });
  const tracer = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    spanProcessors: [processor],
  }).getTracer('t');
  const propagator = new SkyWalkingPropagator({ traceIdHeader: 'x-trace-id' });
  expect(propagator.fields()).toContain('x-trace-id');
  const parent = propagator.extract(ROOT_CONTEXT, { 'x-trace-id': APP_ID }, defaultTextMapGetter);
  const server = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
    parent,
  );
  const ctx = trace.setSpan(parent, server);
  const client = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'GET', 'server.address': 'users', 'server.port': 80 },
    },
    ctx,
  );
  const out: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, client), out, defaultTextMapSetter);
  expect(out['x-trace-id']).toBe(APP_ID);
  expect(decodeSw8(out.sw8)).toMatchObject({ traceId: APP_ID, spanId: 1 });
  expect(traceContext(server)!.traceId).toBe(APP_ID);
  client.end();
  server.end();
  expect(reporter.segments[0]!.traceId).toBe(APP_ID);

  // a 32-hex id is the OTel trace id as it is
  const hex = 'a'.repeat(31) + 'b';
  const s2 = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER },
    propagator.extract(ROOT_CONTEXT, { 'x-trace-id': hex }, defaultTextMapGetter),
  );
  expect(s2.spanContext().traceId).toBe(hex);
  expect(traceContext(s2)!.traceId).toBe(hex);
  s2.end();
  // sw8 wins
  const s3 = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER },
    propagator.extract(ROOT_CONTEXT, { sw8: javaSw8, 'x-trace-id': APP_ID }, defaultTextMapGetter),
  );
  expect(traceContext(s3)!.traceId).toBe(JAVA_TRACE);
  s3.end();
  await processor.shutdown();
});

it('over real HTTP: a request with X-Trace-Id to an OpenTracing service is traced under that id, and its call downstream carries the id in sw8 and in the header', async () => {
  const http = await import('node:http');
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({
    serviceName: 'orders',
    serviceInstance: 'o-1',
    reporter,
    traceIdHeader: 'x-trace-id',
  });
  let downstreamHeaders: import('node:http').IncomingHttpHeaders | undefined;
  const downstream = http.createServer((req, res) => {
    downstreamHeaders = req.headers;
    res.end('ok');
  });
  const listen = (s: import('node:http').Server) =>
    new Promise<number>((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as { port: number }).port)));
  const downPort = await listen(downstream);
  const service = http.createServer((req, res) => {
    const entry = tracer.startSpan('GET:/orders', {
      childOf: tracer.extract(FORMAT_HTTP_HEADERS, req.headers) ?? undefined,
      tags: { 'span.kind': 'server' },
    });
    const exit = tracer.startSpan('GET:/users', {
      childOf: entry,
      tags: { 'span.kind': 'client', 'peer.hostname': '127.0.0.1', 'peer.port': downPort },
    });
    const headers: Record<string, string> = {};
    tracer.inject(exit, FORMAT_HTTP_HEADERS, headers);
    http.get({ host: '127.0.0.1', port: downPort, path: '/users', headers }, (r) => {
      r.resume();
      r.on('end', () => {
        exit.finish();
        entry.finish();
        res.end('done');
      });
    });
  });
  const port = await listen(service);
  try {
    await new Promise<void>((ok, fail) => {
      http
        .get({ host: '127.0.0.1', port, path: '/orders', headers: { 'X-Trace-Id': APP_ID } }, (r) => {
          r.resume();
          r.on('end', ok);
        })
        .on('error', fail);
    });
    expect(downstreamHeaders!['x-trace-id']).toBe(APP_ID);
    const sw8 = decodeSw8(downstreamHeaders!.sw8 as string)!;
    expect(sw8).toMatchObject({
      traceId: APP_ID,
      spanId: 1,
      service: 'orders',
      instance: 'o-1',
      endpoint: 'GET:/orders',
      address: `127.0.0.1:${downPort}`,
    });
    expect(reporter.segments).toHaveLength(1);
    expect(reporter.segments[0]).toMatchObject({ traceId: APP_ID, traceSegmentId: sw8.segmentId, service: 'orders' });
  } finally {
    service.closeAllConnections();
    downstream.closeAllConnections();
    service.close();
    downstream.close();
    await tracer.shutdown();
  }
});
