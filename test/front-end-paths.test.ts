/**
 * Options and paths of the front-ends that were only tested at helper level, or not at all:
 * namespace-prefixed headers through the tracer and the OTel propagator, legacy inject through the
 * OTel propagator, the automatic segment-timeout timer, the console reporter (in a real process),
 * and OTEL_SERVICE_NAME against SW_AGENT_NAME with the NodeSDK (in a real process).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resetDiagnostics, setLogger } from '../src/base/diag';
import { type SegmentObject, SpanType } from '../src/base/model';
import { SkyWalkingSpanProcessor } from '../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../src/opentelemetry/propagator';
import { SkyWalkingTracer } from '../src/opentracing/tracer';
import { decodeSw8, encodeSw8 } from '../src/propagation/sw8';
import { ConsoleReporter } from '../src/reporter/console';
import { MemoryReporter } from '../src/reporter/memory';
import { CHILD_ENV } from './support/spawn';
import { spanObject } from './support/fixtures';

const ROOT = resolve(__dirname, '..');
let logged: string[] = [];
const cleanup: (() => unknown)[] = [];

beforeEach(() => {
  resetDiagnostics();
  logged = [];
  const capture = (m: string): void => void logged.push(m);
  setLogger({ error: capture, warn: capture, info: capture, debug: capture });
});

afterEach(async () => {
  setLogger(undefined);
  for (const c of cleanup.splice(0)) await c();
});

const PARENT = {
  sample: 1 as const,
  traceId: 'trace-from-java.1.1700000000000',
  segmentId: 'segment-from-java.1.1700000000000',
  spanId: 3,
  service: 'gateway',
  instance: 'gw-1',
  endpoint: '/api/orders',
  address: 'orders:8080',
};

it('namespace through the OpenTracing tracer: writes and reads only <ns>-sw8 and <ns>-sw8-correlation', () => {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    namespace: 'shop',
    reporter,
  });
  // a plain sw8 is not ours under a namespace: a new trace starts
  expect(tracer.extract(FORMAT_HTTP_HEADERS, { sw8: encodeSw8(PARENT)! })).toBeNull();
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, { 'shop-sw8': encodeSw8(PARENT)! })!;
  expect(parent.toTraceId()).toBe(PARENT.traceId);
  const server = tracer.startSpan('GET:/orders', {
    childOf: parent,
    tags: { 'span.kind': 'server' },
    startTime: 1_700_000_000_000,
  });
  server.setBaggageItem('tenant', 'acme');
  const client = tracer.startSpan('/inventory', {
    childOf: server,
    tags: { 'span.kind': 'client', 'peer.hostname': 'inventory', 'peer.port': 8081 },
    startTime: 1_700_000_000_001,
  });
  const headers: Record<string, string> = {};
  tracer.inject(client, FORMAT_HTTP_HEADERS, headers);
  client.finish(1_700_000_000_002);
  server.finish(1_700_000_000_003);
  const seg = reporter.segments[0]!;
  // (the tracer writes sw8-x only when it has something to say; the OTel propagator always does)
  expect(Object.keys(headers).sort()).toEqual(['shop-sw8', 'shop-sw8-correlation']);
  expect(decodeSw8(headers['shop-sw8'])).toEqual({
    sample: 1,
    traceId: PARENT.traceId,
    segmentId: seg.traceSegmentId,
    spanId: 1,
    service: 'orders',
    instance: 'orders-1',
    endpoint: 'GET:/orders',
    address: 'inventory:8081',
  });
  expect(headers['shop-sw8-correlation']).toBe(
    `${Buffer.from('tenant').toString('base64')}:${Buffer.from('acme').toString('base64')}`,
  );
});

function otel(processorOptions: ConstructorParameters<typeof SkyWalkingSpanProcessor>[0] = {}) {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter, ...processorOptions });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'orders-1' }),
    spanProcessors: [processor],
  });
  return { reporter, processor, tracer: provider.getTracer('@opentelemetry/instrumentation-http') };
}

it('namespace through the OTel propagator: fields, inject and extract use <ns>-sw8 only', () => {
  const { tracer, reporter } = otel();
  const propagator = new SkyWalkingPropagator({ namespace: 'shop' });
  expect(propagator.fields()).toEqual(['shop-sw8', 'shop-sw8-correlation', 'shop-sw8-x']);
  expect(
    trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { sw8: encodeSw8(PARENT)! }, defaultTextMapGetter)),
  ).toBeUndefined();
  const ctx = propagator.extract(ROOT_CONTEXT, { 'shop-sw8': encodeSw8(PARENT)! }, defaultTextMapGetter);
  const server = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders' } },
    ctx,
  );
  const serverCtx = trace.setSpan(ctx, server);
  const client = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'server.address': 'inventory',
        'server.port': 8081,
        'url.path': '/stock',
      },
    },
    serverCtx,
  );
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(serverCtx, client), headers, defaultTextMapSetter);
  client.end();
  server.end();
  const seg = reporter.segments[0]!;
  expect(seg.traceId).toBe(PARENT.traceId);
  expect(seg.spans.find((s) => s.spanType === SpanType.Entry)!.refs).toEqual([
    {
      refType: 0,
      traceId: PARENT.traceId,
      parentTraceSegmentId: PARENT.segmentId,
      parentSpanId: 3,
      parentService: 'gateway',
      parentServiceInstance: 'gw-1',
      parentEndpoint: '/api/orders',
      networkAddressUsedAtPeer: 'orders:8080',
    },
  ]);
  expect(Object.keys(headers).sort()).toEqual(['shop-sw8', 'shop-sw8-x']);
  expect(decodeSw8(headers['shop-sw8'])).toEqual({
    sample: 1,
    traceId: PARENT.traceId,
    segmentId: seg.traceSegmentId,
    spanId: 1,
    service: 'orders',
    instance: 'orders-1',
    endpoint: 'GET:/orders',
    address: 'inventory:8081',
  });
});

it("legacy inject through the OTel propagator writes W3C, B3 (both forms) and Jaeger beside sw8, with the span's own ids", () => {
  // today the formats written come from the processor's options (the recorder's config); the
  // propagator's own legacyInject only adds the names to fields()
  const { tracer, reporter } = otel({ legacyInject: ['w3c', 'b3', 'b3multi', 'jaeger'] });
  const propagator = new SkyWalkingPropagator({ legacyInject: ['w3c', 'b3', 'b3multi', 'jaeger'] });
  expect(propagator.fields()).toEqual([
    'sw8',
    'sw8-correlation',
    'sw8-x',
    'traceparent',
    'b3',
    'x-b3-traceid',
    'x-b3-spanid',
    'x-b3-parentspanid',
    'x-b3-sampled',
    'x-b3-flags',
    'uber-trace-id',
  ]);
  const server = tracer.startSpan('GET', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
  });
  const client = tracer.startSpan(
    'GET',
    { kind: SpanKind.CLIENT, attributes: { 'server.address': 'inventory', 'server.port': 8081 } },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, client), headers, defaultTextMapSetter);
  const { traceId, spanId } = client.spanContext();
  expect(headers).toEqual({
    sw8: headers.sw8,
    'sw8-x': '0- ',
    traceparent: `00-${traceId}-${spanId}-01`,
    b3: `${traceId}-${spanId}-1`,
    'x-b3-traceid': traceId,
    'x-b3-spanid': spanId,
    'x-b3-sampled': '1',
    'uber-trace-id': `${traceId}:${spanId}:0:1`,
  });
  client.end();
  server.end();
  expect(decodeSw8(headers.sw8)).toEqual({
    sample: 1,
    traceId,
    segmentId: reporter.segments[0]!.traceSegmentId,
    spanId: 1,
    service: 'orders',
    instance: 'orders-1',
    endpoint: 'GET:/orders',
    address: 'inventory:8081',
  });

  // the propagator's option alone: no legacy header is written (pinned; see the report)
  const plain = otel();
  const s2 = plain.tracer.startSpan('GET', {
    kind: SpanKind.CLIENT,
    attributes: { 'server.address': 'inventory', 'server.port': 8081 },
  });
  const h2: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, s2), h2, defaultTextMapSetter);
  expect(Object.keys(h2).sort()).toEqual(['sw8', 'sw8-x']);
  s2.end();
});

it('the segment-timeout timer closes a segment whose span never finishes, by itself', async () => {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({
    serviceName: 'orders',
    serviceInstance: 'orders-1',
    segmentTimeoutMs: 100,
    reporter,
  });
  cleanup.push(() => tracer.shutdown());
  const t0 = Date.now();
  const span = tracer.startSpan('never-finished', { startTime: t0 });
  // nothing calls sweep(): the recorder's own timer must (every 50 ms for a 100 ms timeout)
  // waits for the timer's event; the test's deadline is the one for a hang
  while (reporter.segments.length === 0) await new Promise((r) => setTimeout(r, 10));
  expect(reporter.segments).toHaveLength(1);
  const [only] = reporter.segments[0]!.spans;
  expect(only!.operationName).toBe('never-finished');
  expect(only!.tags).toEqual([{ key: 'forced.finish', value: 'true' }]);
  expect(only!.endTime - only!.startTime).toBeGreaterThanOrEqual(100);
  expect(tracer.stats().recorder.segmentsForced).toBe(1);
  expect(logged).toEqual([
    '1 segment(s) had spans open longer than 100 ms; reported with those spans marked forced.finish',
  ]);
  span.finish();
  expect(reporter.segments).toHaveLength(1);
});

it('the console reporter writes one JSON line per segment, and counts a stream that throws as lost', () => {
  let written = '';
  const out = new Writable({ write: (chunk: Buffer, _enc, done) => ((written += chunk.toString()), done()) });
  const reporter = new ConsoleReporter(out);
  const tracer = new SkyWalkingTracer({ serviceName: 'orders', serviceInstance: 'orders-1', reporter });
  tracer.startSpan('work', { startTime: 1_700_000_000_000 }).finish(1_700_000_000_004);
  const lines = written.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  const seg = JSON.parse(lines[0]!) as SegmentObject;
  expect(seg.service).toBe('orders');
  expect(seg.serviceInstance).toBe('orders-1');
  expect(seg.spans).toEqual([
    spanObject({ operationName: 'work', startTime: 1_700_000_000_000, endTime: 1_700_000_000_004 }),
  ]);
  expect(reporter.stats()).toMatchObject({ sent: 1, lost: 0 });
  const broken = new ConsoleReporter(
    new Writable({
      write: () => {
        throw new Error('EPIPE');
      },
    }),
  );
  const t2 = new SkyWalkingTracer({ serviceName: 'orders', reporter: broken });
  t2.startSpan('work').finish();
  expect(broken.stats()).toMatchObject({ sent: 0, lost: 1 });
});

/** `node -e script` with env; stdout lines and stderr. */
function run(script: string, env: Record<string, string>): Promise<{ code: number; lines: string[]; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-e', script],
      { cwd: ROOT, env: { ...process.env, ...CHILD_ENV, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        done({ code: error ? 1 : 0, lines: stdout.split('\n').filter((l) => l !== ''), stderr }),
    );
  });
}

it('SW_BRIDGE_REPORTER=console in a real process: the segment as one JSON line on stdout', async () => {
  const script = `
const { SkyWalkingTracer } = require(${JSON.stringify(ROOT)});
const { FORMAT_HTTP_HEADERS } = require('opentracing');
const tracer = new SkyWalkingTracer();
const parent = tracer.extract(FORMAT_HTTP_HEADERS, { sw8: ${JSON.stringify(encodeSw8(PARENT))} });
tracer.startSpan('GET:/orders', { childOf: parent, tags: { 'span.kind': 'server' }, startTime: 1700000000000 }).finish(1700000000007);
`;
  const { code, lines, stderr } = await run(script, {
    SW_BRIDGE_REPORTER: 'console',
    SW_AGENT_NAME: 'console-svc',
    SW_AGENT_INSTANCE_NAME: 'console-1',
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(lines).toHaveLength(1);
  const seg = JSON.parse(lines[0]!) as SegmentObject;
  expect([seg.traceId, seg.service, seg.serviceInstance]).toEqual([PARENT.traceId, 'console-svc', 'console-1']);
  expect(seg.spans.map((s) => [s.operationName, s.spanType, s.startTime, s.endTime, s.refs])).toEqual([
    [
      'GET:/orders',
      SpanType.Entry,
      1_700_000_000_000,
      1_700_000_000_007,
      [
        {
          refType: 0,
          traceId: PARENT.traceId,
          parentTraceSegmentId: PARENT.segmentId,
          parentSpanId: 3,
          parentService: 'gateway',
          parentServiceInstance: 'gw-1',
          parentEndpoint: '/api/orders',
          networkAddressUsedAtPeer: 'orders:8080',
        },
      ],
    ],
  ]);
});

it('service name with the NodeSDK: SW_AGENT_NAME wins over OTEL_SERVICE_NAME (the resource); each alone is used', async () => {
  const script = `
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { SkyWalkingSpanProcessor } = require(${JSON.stringify(ROOT)});
const sdk = new NodeSDK({ spanProcessors: [new SkyWalkingSpanProcessor()], instrumentations: [] });
sdk.start();
require('@opentelemetry/api').trace.getTracer('t').startSpan('work').end();
sdk.shutdown();
`;
  const both = await run(script, {
    SW_BRIDGE_REPORTER: 'console',
    OTEL_SERVICE_NAME: 'otel-name',
    SW_AGENT_NAME: 'sw-name',
  });
  expect(both.stderr).toBe('');
  // SW_AGENT_NAME is ours and the more specific: it wins over the resource (issue 21 settled it so)
  expect(both.lines.map((l) => (JSON.parse(l) as SegmentObject).service)).toEqual(['sw-name']);
  const swOnly = await run(script, { SW_BRIDGE_REPORTER: 'console', OTEL_SERVICE_NAME: '', SW_AGENT_NAME: 'sw-name' });
  expect(swOnly.stderr).toBe('');
  expect(swOnly.lines.map((l) => (JSON.parse(l) as SegmentObject).service)).toEqual(['sw-name']);
  const otelOnly = await run(script, {
    SW_BRIDGE_REPORTER: 'console',
    OTEL_SERVICE_NAME: 'otel-name',
    SW_AGENT_NAME: '',
  });
  expect(otelOnly.stderr).toBe('');
  expect(otelOnly.lines.map((l) => (JSON.parse(l) as SegmentObject).service)).toEqual(['otel-name']);
});
