/**
 * SkyWalkingSampler in the real OpenTelemetry SDK (BasicTracerProvider, with our processor and
 * propagator): n new traces per 3 s, a continued sampled sw8 forced, an incoming flag 0 not
 * recorded and passed on with flag 0 and baggage, ignore paths on the server span's path, and the
 * live settings reaching the sampler.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import { SamplingDecision, SkyWalkingSampler } from '../../src/opentelemetry/sampler';
import { decodeSw8, encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';
import { sharedControls } from '../../src/segment/agent-control';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const contextManager = new AsyncLocalStorageContextManager();
const processors: SkyWalkingSpanProcessor[] = [];

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(async () => {
  vi.useRealTimers();
  sharedControls.clear();
  await Promise.all(processors.splice(0).map((p) => p.shutdown()));
});

function service(sampler: SkyWalkingSampler) {
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({ reporter, serviceName: 'orders', serviceInstance: 'orders-1' });
  processors.push(processor);
  const provider = new BasicTracerProvider({
    sampler,
    resource: resourceFromAttributes({ 'service.name': 'orders' }),
    spanProcessors: [processor],
  });
  return { reporter, sampler, tracer: provider.getTracer('test'), propagator: new SkyWalkingPropagator() };
}

/** A request handled with a server span for `path`, one outgoing call: the headers it sends. */
function handle(s: ReturnType<typeof service>, path: string, incoming: Record<string, string> = {}) {
  const parent = s.propagator.extract(ROOT_CONTEXT, incoming, defaultTextMapGetter);
  const server = s.tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': path } },
    parent,
  );
  const ctx = trace.setSpan(parent, server);
  const client = s.tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'url.full': 'http://next:8080/n', 'server.address': 'next', 'server.port': 8080 },
    },
    ctx,
  );
  const headers: Record<string, string> = {};
  s.propagator.inject(trace.setSpan(ctx, client), headers, defaultTextMapSetter);
  client.end();
  server.end();
  return { headers, sampled: (server.spanContext().traceFlags & 1) === 1, sw8: decodeSw8(headers.sw8)! };
}

const upstream = (sample: 0 | 1): Record<string, string> => ({
  sw8: encodeSw8({
    sample,
    traceId: 'java-trace-1',
    segmentId: 'java-seg-1',
    spanId: 2,
    service: 'gateway',
    instance: 'gw-1',
    endpoint: '/api',
    address: 'orders:80',
  })!,
  'sw8-correlation': `${b64('tenant')}:${b64('acme')}`,
});

describe('SkyWalkingSampler', () => {
  it('samples n new traces per 3 s; the rest propagate sw8 with flag 0 and are not reported', () => {
    const s = service(new SkyWalkingSampler({ sampleNPer3Secs: 2 }));
    const flags = [1, 2, 3].map((i) => handle(s, `/o/${i}`).sw8.sample);
    vi.setSystemTime(T0 + 3_000);
    flags.push(handle(s, '/o/4').sw8.sample);
    expect(flags).toEqual([1, 1, 0, 1]);
    expect(s.reporter.segments.length).toBe(3);
    expect(s.sampler.stats()).toEqual({
      sampled: 3,
      notSampled: 1,
      forced: 0,
      unsampledIn: 0,
      ignoredSuffix: 0,
      ignoredPath: 0,
    });
  });

  it('a continued sampled sw8 is forced (recorded, taking a place); flag 0 in is passed on as flag 0 with baggage', () => {
    const s = service(new SkyWalkingSampler({ sampleNPer3Secs: 1 }));
    const forced = handle(s, '/orders', upstream(1));
    expect(forced.sampled).toBe(true);
    expect(forced.sw8).toMatchObject({ sample: 1, traceId: 'java-trace-1' });
    expect(handle(s, '/local').sampled).toBe(false);
    const zero = handle(s, '/orders', upstream(0));
    expect(zero.sampled).toBe(false);
    expect(zero.sw8).toMatchObject({ sample: 0, traceId: 'java-trace-1' });
    expect(zero.headers['sw8-correlation']).toBe(`${b64('tenant')}:${b64('acme')}`);
    expect(s.reporter.segments.map((x) => x.traceId)).toEqual(['java-trace-1']);
    expect(s.sampler.stats()).toMatchObject({ forced: 1, notSampled: 1, unsampledIn: 1 });
  });

  it('ignores a server span whose request path matches an ignore path or ends in a suffix', () => {
    const s = service(new SkyWalkingSampler({ traceIgnorePath: '/health/**', ignoreSuffix: '.css' }));
    expect(handle(s, '/health/live').sampled).toBe(false);
    expect(handle(s, '/site.css').sampled).toBe(false);
    expect(handle(s, '/orders').sampled).toBe(true);
    expect(s.reporter.segments.length).toBe(1);
    expect(s.sampler.stats()).toMatchObject({ ignoredPath: 1, ignoredSuffix: 1 });
  });

  it('takes live settings (as the Configuration Discovery client applies them) and falls back to its own', () => {
    const sampler = new SkyWalkingSampler({});
    const s = service(sampler);
    for (const c of sharedControls) c.apply({ sampleNPer3Secs: 1 });
    expect([handle(s, '/a').sampled, handle(s, '/b').sampled]).toEqual([true, false]);
    for (const c of sharedControls) c.apply({});
    expect([handle(s, '/c').sampled, handle(s, '/d').sampled]).toEqual([true, true]);
    expect(sampler.toString()).toBe('SkyWalkingSampler{sampleNPer3Secs=-1}');
    expect(SamplingDecision).toEqual({ NOT_RECORD: 0, RECORD: 1, RECORD_AND_SAMPLED: 2 });
  });
});
