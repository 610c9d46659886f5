/**
 * Sampling and ignore rules in the OpenTracing tracer: n new traces per 3 s (the clock faked, so
 * window edges are exact), a trace continued from a sampled sw8 recorded and taking a place, an
 * incoming flag 0 not recorded, an unsampled or ignored trace still propagating sw8 (flag 0) and
 * its baggage, and every decision counted in stats().sampling.
 */
import { FORMAT_HTTP_HEADERS } from 'opentracing';
import { decodeSw8, encodeSw8 } from '../../src/propagation/sw8';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { MemoryReporter } from '../../src/reporter/memory';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function tracerWith(options: Record<string, unknown>) {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({ reporter, serviceName: 'orders', serviceInstance: 'orders-1', ...options });
  return { reporter, tracer };
}

/** A local trace: one span that calls out; the headers the call carries. */
function localTrace(tracer: SkyWalkingTracer, name: string, baggage?: [string, string]): Record<string, string> {
  const span = tracer.startSpan(name);
  if (baggage) span.setBaggageItem(baggage[0], baggage[1]);
  span.setTag('peer.hostname', 'stock').setTag('peer.port', 8080);
  const headers: Record<string, string> = {};
  tracer.inject(span, FORMAT_HTTP_HEADERS, headers);
  span.finish();
  return headers;
}

function incoming(sample: 0 | 1): Record<string, string> {
  const sw8 = encodeSw8({
    sample,
    traceId: 'upstream-trace-1',
    segmentId: 'upstream-seg-1',
    spanId: 3,
    service: 'gateway',
    instance: 'gw-1',
    endpoint: '/api',
    address: 'orders:80',
  })!;
  return { sw8, 'sw8-correlation': `${b64('tenant')}:${b64('acme')}` };
}

/** An entry span continued from `headers`, with one outgoing call: the headers it sends. */
function continued(
  tracer: SkyWalkingTracer,
  headers: Record<string, string>,
  name = '/orders',
): Record<string, string> {
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, headers)!;
  const entry = tracer.startSpan(name, { childOf: parent, tags: { 'span.kind': 'server' } });
  const exit = tracer.startSpan('GET /stock', { childOf: entry, tags: { 'span.kind': 'client' } });
  exit.setTag('peer.hostname', 'stock').setTag('peer.port', 8080);
  const out: Record<string, string> = {};
  tracer.inject(exit, FORMAT_HTTP_HEADERS, out);
  exit.finish();
  entry.finish();
  return out;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SW_AGENT_SAMPLE in the OpenTracing tracer', () => {
  it('records n new traces per 3 s window; the edge opens the next window', async () => {
    const { reporter, tracer } = tracerWith({ sampleNPer3Secs: 2 });
    const flags: number[] = [];
    for (let i = 0; i < 5; i++) flags.push(decodeSw8(localTrace(tracer, `/job/${i}`).sw8)!.sample);
    vi.setSystemTime(T0 + 2_999);
    flags.push(decodeSw8(localTrace(tracer, '/job/5').sw8)!.sample);
    vi.setSystemTime(T0 + 3_000);
    for (let i = 6; i < 9; i++) flags.push(decodeSw8(localTrace(tracer, `/job/${i}`).sw8)!.sample);
    expect(flags).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 0]);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['/job/0', '/job/1', '/job/6', '/job/7']);
    expect(tracer.stats().sampling).toEqual({
      sampled: 4,
      notSampled: 5,
      forced: 0,
      unsampledIn: 0,
      ignoredSuffix: 0,
      ignoredPath: 0,
    });
    expect(tracer.stats().recorder.segmentsStarted).toBe(4);
    await tracer.shutdown();
  });

  it('env SW_AGENT_SAMPLE sets it; unset records every trace', async () => {
    const before = process.env.SW_AGENT_SAMPLE;
    process.env.SW_AGENT_SAMPLE = '1';
    try {
      const { reporter, tracer } = tracerWith({});
      for (let i = 0; i < 3; i++) localTrace(tracer, `/a/${i}`);
      expect(reporter.segments.length).toBe(1);
      await tracer.shutdown();
    } finally {
      if (before === undefined) delete process.env.SW_AGENT_SAMPLE;
      else process.env.SW_AGENT_SAMPLE = before;
    }
    const { reporter, tracer } = tracerWith({});
    for (let i = 0; i < 50; i++) localTrace(tracer, `/a/${i}`);
    expect(reporter.segments.length).toBe(50);
    expect(tracer.stats().sampling.sampled).toBe(0);
    await tracer.shutdown();
  });

  it('a trace continued from a sampled sw8 is recorded (forced) and takes a place in the window', async () => {
    const { reporter, tracer } = tracerWith({ sampleNPer3Secs: 1 });
    const out = continued(tracer, incoming(1));
    expect(decodeSw8(out.sw8)!.sample).toBe(1);
    expect(decodeSw8(out.sw8)!.traceId).toBe('upstream-trace-1');
    // the window's one place is taken by the forced trace
    expect(decodeSw8(localTrace(tracer, '/local').sw8)!.sample).toBe(0);
    // more continued traces are still recorded
    continued(tracer, incoming(1));
    expect(reporter.segments.map((s) => s.traceId)).toEqual(['upstream-trace-1', 'upstream-trace-1']);
    expect(tracer.stats().sampling).toMatchObject({ forced: 2, notSampled: 1, sampled: 0 });
    await tracer.shutdown();
  });

  it('flag 0 in: not recorded, and passed on as flag 0 with the trace id and the baggage', async () => {
    const { reporter, tracer } = tracerWith({});
    const out = continued(tracer, incoming(0));
    const sw8 = decodeSw8(out.sw8)!;
    expect(sw8.sample).toBe(0);
    expect(sw8.traceId).toBe('upstream-trace-1');
    expect(sw8.service).toBe('orders');
    expect(out['sw8-correlation']).toBe(`${b64('tenant')}:${b64('acme')}`);
    expect(reporter.segments).toEqual([]);
    expect(tracer.stats().sampling.unsampledIn).toBe(1);
    await tracer.shutdown();
  });

  it('flag 0 out: an unsampled local trace sends sw8 with flag 0, its own trace id and its baggage', async () => {
    const { reporter, tracer } = tracerWith({ sampleNPer3Secs: 1 });
    localTrace(tracer, '/first');
    const h = localTrace(tracer, '/second', ['tenant', 'acme']);
    const sw8 = decodeSw8(h.sw8)!;
    expect(sw8.sample).toBe(0);
    expect(sw8.endpoint).toBe('/second');
    expect(sw8.address).toBe('stock:8080');
    expect(sw8.traceId).not.toBe(reporter.segments[0]!.traceId);
    expect(h['sw8-correlation']).toBe(`${b64('tenant')}:${b64('acme')}`);
    // children of the unsampled trace, cross-thread too, are not recorded
    const root = tracer.startSpan('/third');
    const late = tracer.startSpan('later', { references: [], childOf: root });
    late.finish();
    root.finish();
    const after = tracer.startSpan('after-close', { childOf: root });
    after.finish();
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['/first']);
    await tracer.shutdown();
  });
});

describe('ignore rules in the OpenTracing tracer', () => {
  it("the agents' default suffixes: a first span named like a static file is not recorded", async () => {
    const { reporter, tracer } = tracerWith({});
    const h = localTrace(tracer, 'GET /static/app.js');
    localTrace(tracer, 'GET /logo.png');
    localTrace(tracer, 'GET /orders');
    localTrace(tracer, 'GET /orders.json');
    expect(decodeSw8(h.sw8)!.sample).toBe(0);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['GET /orders', 'GET /orders.json']);
    expect(tracer.stats().sampling.ignoredSuffix).toBe(2);
    await tracer.shutdown();
  });

  it('a suffix ignores a continued segment too; an ignore path only traces started here', async () => {
    const { reporter, tracer } = tracerWith({ ignoreSuffix: '.css', traceIgnorePath: '/health/**,/orders' });
    localTrace(tracer, '/health/live');
    localTrace(tracer, '/health');
    localTrace(tracer, 'style.css');
    localTrace(tracer, 'app.js');
    // a continued trace named /orders is recorded (the Java agent checks the path only in trySampling)
    continued(tracer, incoming(1));
    const out = continued(tracer, incoming(1), '/theme.css');
    expect(decodeSw8(out.sw8)!.sample).toBe(0);
    expect(reporter.segments.map((s) => s.spans.find((x) => x.spanId === 0)!.operationName)).toEqual([
      '/health',
      'app.js',
      '/orders',
    ]);
    expect(tracer.stats().sampling).toMatchObject({ ignoredPath: 1, ignoredSuffix: 2, forced: 1 });
    await tracer.shutdown();
  });

  it('an ignore path applied live; an ignored trace keeps propagating with flag 0 and its baggage', async () => {
    const { reporter, tracer: t } = tracerWith({});
    expect(t.bridge.config.traceIgnorePath).toEqual([]);
    t.bridge.recorder.control.apply({ traceIgnorePath: ['/eureka/*'] });
    const h = localTrace(t, '/eureka/apps', ['k', 'v']);
    expect(decodeSw8(h.sw8)!.sample).toBe(0);
    expect(h['sw8-correlation']).toBe(`${b64('k')}:${b64('v')}`);
    expect(reporter.segments).toEqual([]);
    await t.shutdown();
  });
});
