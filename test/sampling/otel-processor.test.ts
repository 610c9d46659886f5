/**
 * The span processor without SkyWalkingSampler: with SW_AGENT_SAMPLE (here the option) it samples
 * itself, so an OTel-sampled trace it does not record still propagates sw8 flag 0 through the
 * propagator; the default suffixes and ignore paths apply to a server span's request path.
 */
import { ROOT_CONTEXT, SpanKind, context, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingPropagator } from '../../src/opentelemetry/propagator';
import { decodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

it('samples in the processor and propagates flag 0 for what it does not record', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2026, 0, 1));
  const reporter = new MemoryReporter();
  const processor = new SkyWalkingSpanProcessor({
    reporter,
    serviceName: 'orders',
    sampleNPer3Secs: 1,
    traceIgnorePath: '/health/**',
  });
  const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  const propagator = new SkyWalkingPropagator();
  const handle = (path: string): number => {
    const parent = propagator.extract(ROOT_CONTEXT, {}, defaultTextMapGetter);
    const server = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'url.path': path } }, parent);
    const ctx = trace.setSpan(parent, server);
    const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'server.address': 'next' } }, ctx);
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ctx, client), headers, defaultTextMapSetter);
    client.end();
    server.end();
    return decodeSw8(headers.sw8)!.sample;
  };
  expect([handle('/health/live'), handle('/a'), handle('/b'), handle('/static/app.js')]).toEqual([0, 1, 0, 0]);
  expect(reporter.segments.length).toBe(1);
  expect(processor.stats().sampling).toEqual({
    sampled: 1,
    notSampled: 1,
    forced: 0,
    unsampledIn: 0,
    ignoredSuffix: 1,
    ignoredPath: 1,
  });
  vi.useRealTimers();
  await processor.shutdown();
});
