/**
 * One sampling decision across services, with the real SDK's samplers: an unsampled trace still
 * writes sw8 (sample flag 0), an incoming flag 0 makes the OTel parent unsampled, and the
 * "no processor" warning is left only for when no SkyWalkingSpanProcessor exists.
 */
import {
  ROOT_CONTEXT,
  type Sampler,
  SamplingDecision,
  SpanKind,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type Logger, diagnosticCounts, resetDiagnostics, setLogger } from '../../src/base/diag';
import { hexTraceIdOf } from '../../src/base/ids';
import { RefType } from '../../src/base/model';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import { decodeSw8, encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const contextManager = new AsyncLocalStorageContextManager();
const lines: string[] = [];
const capture: Logger = {
  error: (m) => lines.push(`error ${m}`),
  warn: (m) => lines.push(`warn ${m}`),
  info: () => undefined,
  debug: () => undefined,
};
const processors: SkyWalkingSpanProcessor[] = [];

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => {
  resetDiagnostics();
  lines.length = 0;
  setLogger(capture);
});
afterEach(async () => {
  setLogger(undefined);
  await Promise.all(processors.splice(0).map((p) => p.shutdown()));
});

function service(name: string, sampler: Sampler) {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter, serviceName: name, serviceInstance: `${name}-1` });
  processors.push(processor);
  const provider = new BasicTracerProvider({
    sampler,
    resource: resourceFromAttributes({ 'service.name': name }),
    spanProcessors: [processor],
  });
  return {
    reporter,
    processor,
    tracer: provider.getTracer('@opentelemetry/instrumentation-http'),
    propagator: new SkyWalkingPropagator(),
  };
}

/** An incoming request handled with a server span, then one outgoing call: the headers it sends. */
function handle(
  s: ReturnType<typeof service>,
  incoming: Record<string, string>,
): { headers: Record<string, string>; traceFlags: number; recording: boolean; clientSpanId: string; traceId: string } {
  const parent = s.propagator.extract(ROOT_CONTEXT, incoming, defaultTextMapGetter);
  const server = s.tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/r' } },
    parent,
  );
  const ctx = trace.setSpan(parent, server);
  const client = s.tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'http://next:8080/n',
        'server.address': 'next',
        'server.port': 8080,
      },
    },
    ctx,
  );
  const headers: Record<string, string> = {};
  s.propagator.inject(trace.setSpan(ctx, client), headers, defaultTextMapSetter);
  const recording = client.isRecording();
  client.end();
  server.end();
  const sc = client.spanContext();
  return { headers, traceFlags: sc.traceFlags, recording, clientSpanId: sc.spanId, traceId: sc.traceId };
}

const JAVA_TRACE = '0af7651916cd43dd8448eb211c80319c.52.16999999990000';
const javaHeader = (sample: 0 | 1): string =>
  encodeSw8({
    sample,
    traceId: JAVA_TRACE,
    segmentId: 'b7ad6b7169203331.53.17000000000001',
    spanId: 4,
    service: 'java-gateway',
    instance: 'gw-1@host',
    endpoint: '/api/checkout',
    address: 'orders:8080',
  })!;

it('a trace the root sampler drops still sends sw8, with sample flag 0, and reports nothing', () => {
  for (const sampler of [
    new AlwaysOffSampler(),
    new TraceIdRatioBasedSampler(0),
    new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }),
  ]) {
    const s = service('orders', sampler);
    const out = handle(s, {});
    expect(out).toMatchObject({ traceFlags: 0, recording: false });
    expect(out.headers).toEqual({
      sw8: `0-${b64(out.traceId)}-${b64(out.clientSpanId)}-0-${b64('orders')}-${b64('orders-1')}-${b64('-')}-${b64('-')}`,
    });
    expect(s.reporter.segments).toEqual([]);
  }
  expect(lines).toEqual([]);
  expect(diagnosticCounts()).toEqual({});
});

it('an incoming sw8 with flag 0 makes the OTel parent unsampled; ParentBased keeps the decision and passes it on with the original trace id', () => {
  const s = service('orders', new ParentBasedSampler({ root: new AlwaysOnSampler() }));
  const parent = s.propagator.extract(ROOT_CONTEXT, { sw8: javaHeader(0) }, defaultTextMapGetter);
  expect(trace.getSpanContext(parent)).toEqual({
    traceId: hexTraceIdOf(JAVA_TRACE),
    spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    traceFlags: 0,
    isRemote: true,
  });

  const out = handle(s, { sw8: javaHeader(0) });
  expect(out).toMatchObject({ traceFlags: 0, recording: false, traceId: hexTraceIdOf(JAVA_TRACE) });
  expect(out.headers.sw8).toBe(
    `0-${b64(JAVA_TRACE)}-${b64(out.clientSpanId)}-0-${b64('orders')}-${b64('orders-1')}-${b64('-')}-${b64('-')}`,
  );
  expect(s.reporter.segments).toEqual([]);
  expect(lines).toEqual([]);
});

it('an incoming sw8 with flag 1 is sampled under ParentBased even when the root sampler would drop', () => {
  const s = service('orders', new ParentBasedSampler({ root: new AlwaysOffSampler() }));
  const out = handle(s, { sw8: javaHeader(1) });
  expect(out).toMatchObject({ traceFlags: 1, recording: true });
  const seg = s.reporter.segments[0]!;
  expect(decodeSw8(out.headers.sw8)).toEqual({
    sample: 1,
    traceId: JAVA_TRACE,
    segmentId: seg.traceSegmentId,
    spanId: 1,
    service: 'orders',
    instance: 'orders-1',
    endpoint: 'GET:/r',
    address: 'next:8080',
  });
  expect(seg.spans.find((x) => x.spanId === 0)!.refs).toMatchObject([
    { refType: RefType.CrossProcess, traceId: JAVA_TRACE, parentSpanId: 4, parentService: 'java-gateway' },
  ]);
});

it('one decision across three services: a drop at the edge holds downstream, a keep at the edge holds too', () => {
  const edgeDrop = service('edge', new TraceIdRatioBasedSampler(0));
  const mid = service('mid', new ParentBasedSampler({ root: new AlwaysOnSampler() }));
  const last = service('last', new ParentBasedSampler({ root: new AlwaysOnSampler() }));
  const a = handle(edgeDrop, {});
  const b = handle(mid, a.headers);
  const c = handle(last, b.headers);
  expect([a.traceFlags, b.traceFlags, c.traceFlags]).toEqual([0, 0, 0]);
  expect([a.traceId, b.traceId, c.traceId]).toEqual([a.traceId, a.traceId, a.traceId]);
  // (the service fields of an unsampled header name the process's processor; three share this one)
  expect(decodeSw8(c.headers.sw8)).toMatchObject({
    sample: 0,
    traceId: a.traceId,
    segmentId: c.clientSpanId,
    spanId: 0,
  });
  expect([edgeDrop, mid, last].map((s) => s.reporter.segments.length)).toEqual([0, 0, 0]);

  const edgeKeep = service('edge2', new TraceIdRatioBasedSampler(1));
  const midDropping = service('mid2', new ParentBasedSampler({ root: new AlwaysOffSampler() }));
  const k1 = handle(edgeKeep, {});
  const k2 = handle(midDropping, k1.headers);
  expect([k1.traceFlags, k2.traceFlags]).toEqual([1, 1]);
  expect(midDropping.reporter.segments[0]!.traceId).toBe(k1.traceId);
  expect(midDropping.reporter.segments[0]!.spans.find((x) => x.spanId === 0)!.refs[0]).toMatchObject({
    parentTraceSegmentId: edgeKeep.reporter.segments[0]!.traceSegmentId,
    parentSpanId: 1,
    parentService: 'edge2',
  });
  expect(lines).toEqual([]);
});

it('a RECORD_ONLY span is not reported and propagates as unsampled', () => {
  const recordOnly: Sampler = {
    shouldSample: () => ({ decision: SamplingDecision.RECORD }),
    toString: () => 'RecordOnly',
  };
  const s = service('orders', recordOnly);
  const out = handle(s, {});
  expect(out).toMatchObject({ traceFlags: 0, recording: true });
  expect(decodeSw8(out.headers.sw8)).toMatchObject({
    sample: 0,
    traceId: out.traceId,
    segmentId: out.clientSpanId,
    spanId: 0,
  });
  expect(s.reporter.segments).toEqual([]);
});

it('baggage still travels with an unsampled trace', () => {
  const s = service('orders', new AlwaysOffSampler());
  const span = s.tracer.startSpan('GET', { kind: SpanKind.CLIENT });
  let ctx = trace.setSpan(ROOT_CONTEXT, span);
  ctx = propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' } }));
  const headers: Record<string, string> = {};
  s.propagator.inject(ctx, headers, defaultTextMapSetter);
  expect(headers['sw8-correlation']).toBe(`${b64('tenant')}:${b64('acme')}`);
  expect(headers.sw8!.startsWith('0-')).toBe(true);
});

it('writes nothing and warns nothing while tracing is suppressed (the SDK exports, our own reporter)', () => {
  const s = service('orders', new AlwaysOnSampler());
  const span = s.tracer.startSpan('GET', { kind: SpanKind.SERVER });
  const headers: Record<string, string> = {};
  s.propagator.inject(suppressTracing(trace.setSpan(ROOT_CONTEXT, span)), headers, defaultTextMapSetter);
  // the SDK gives a non-recording span with an invalid context under suppression
  const quiet = context.with(suppressTracing(ROOT_CONTEXT), () => s.tracer.startSpan('export'));
  s.propagator.inject(trace.setSpan(ROOT_CONTEXT, quiet), headers, defaultTextMapSetter);
  span.end();
  expect(headers).toEqual({});
  expect(lines).toEqual([]);
});

it('warns once, saying what to add, only when no SkyWalkingSpanProcessor exists; a foreign span beside one is only a debug line', async () => {
  const bare = new BasicTracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('t');
  const propagator = new SkyWalkingPropagator();
  const inject = (): Record<string, string> => {
    const headers: Record<string, string> = {};
    propagator.inject(
      trace.setSpan(ROOT_CONTEXT, bare.startSpan('GET', { kind: SpanKind.CLIENT })),
      headers,
      defaultTextMapSetter,
    );
    return headers;
  };
  const s = service('orders', new AlwaysOnSampler());
  expect(inject()).toEqual({});
  expect(lines).toEqual([]);
  expect(diagnosticCounts()).toEqual({ 'otel.propagator.foreign': 1 });

  await s.processor.shutdown();
  expect(inject()).toEqual({});
  expect(inject()).toEqual({});
  expect(lines).toEqual([
    'warn SkyWalkingPropagator: no SkyWalkingSpanProcessor is running in this process, so outgoing calls carry no sw8 header and the services they reach start traces of their own. Add `new SkyWalkingSpanProcessor()` to the SDK (`spanProcessors`); `SkyWalkingTraceExporter` alone cannot write sw8.',
  ]);
  expect(diagnosticCounts()['otel.propagator.noprocessor']).toBe(2);
});
