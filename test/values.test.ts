/**
 * Hostile tag and log values: whatever an application passes, the text we record is bounded,
 * computed in bounded time, and nothing is thrown back.
 */
import * as opentracing from 'opentracing';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { safeString } from '../src/segment/values';
import { SkyWalkingTracer } from '../src/opentracing/tracer';
import { SkyWalkingSpanProcessor } from '../src/opentelemetry/processor';
import type { Reporter, SegmentSource } from '../src/reporter/types';
import type { SegmentObject } from '../src/base/model';

function hostileValues(): Array<[string, unknown]> {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const throwingGetter = Object.defineProperty({ ok: 1 }, 'bad', {
    enumerable: true,
    get: () => {
      throw new Error('getter');
    },
  });
  const throwingToString = {
    toString: () => {
      throw new Error('toString');
    },
    toJSON: () => {
      throw new Error('toJSON');
    },
  };
  const proxy = new Proxy(
    {},
    {
      get: () => {
        throw new Error('trap');
      },
      ownKeys: () => {
        throw new Error('trap');
      },
      getPrototypeOf: () => {
        throw new Error('trap');
      },
    },
  );
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 10_000; i++) cur = (cur.next = {}) as Record<string, unknown>;
  return [
    ['huge string', 'x'.repeat(5_000_000)],
    ['huge array', new Array(1_000_000).fill(7)],
    ['binary buffer', Buffer.from([0, 255, 1, 254, 0x80])],
    ['big buffer', Buffer.alloc(10_000_000)],
    ['non-UTF-8 text', Buffer.from([0xc3, 0x28, 0xff]).toString('latin1')],
    ['circular', circular],
    ['throwing getter', throwingGetter],
    ['throwing toString/toJSON', throwingToString],
    ['proxy that throws from every trap', proxy],
    ['symbol', Symbol('s')],
    ['BigInt', 12345678901234567890n],
    ['deep', deep],
    ['function', function named() {}],
    ['NaN', NaN],
    ['null', null],
    ['undefined', undefined],
  ];
}

it('safeString: bounded, never throws, sensible text for each hostile value', () => {
  const seen: Record<string, string> = {};
  for (const [name, value] of hostileValues()) {
    const started = process.cpuUsage();
    const s = safeString(value, 1024);
    const used = process.cpuUsage(started);
    // this process's CPU time, which a busy machine does not stretch as it does the wall clock
    const ms = (used.user + used.system) / 1000;
    expect(typeof s, name).toBe('string');
    expect(s.length, name).toBeLessThanOrEqual(1024);
    // catches unbounded work (a walk of a whole hostile value: seconds or more), not speed, which is
    // bench/'s: under a millisecond each when measured, so no busy machine comes near this
    expect(ms, `${name} took ${ms} ms`).toBeLessThan(2000);
    seen[name] = s.slice(0, 60);
  }
  expect(seen).toMatchObject({
    'binary buffer': '00ff01fe80',
    circular: '{"name":"loop","self":"[Circular]"}',
    'throwing getter': '{"ok":1,"bad":"[Throws]"}',
    symbol: 'Symbol(s)',
    BigInt: '12345678901234567890',
    function: '[function named]',
    NaN: 'NaN',
    null: 'null',
    undefined: 'undefined',
    'proxy that throws from every trap': '[unserializable]',
  });
  expect(seen['deep']).toMatch(/^\{"next":\{"next":/);
});

it('the OpenTracing API takes every hostile value as a tag, a log field and a baggage item', async () => {
  const segments: SegmentObject[] = [];
  const reporter: Reporter = {
    report: (s: SegmentSource) => void segments.push(s.toSegmentObject()),
    flush: async () => undefined,
    shutdown: async () => undefined,
    stats: () => ({ queued: 0, queuedBytes: 0, sent: 0, dropped: 0, lost: 0, failedBatches: 0, failedHeartbeats: 0 }),
  } as unknown as Reporter;
  const tracer = new SkyWalkingTracer({ serviceName: 'hostile', reporter });
  const span = tracer.startSpan('GET:/hostile', { tags: { [opentracing.Tags.SPAN_KIND]: 'server' } });
  for (const [name, value] of hostileValues()) {
    expect(() => span.setTag(name, value)).not.toThrow();
    expect(() => span.log({ [name]: value })).not.toThrow();
    expect(() => span.setBaggageItem(name, value as string)).not.toThrow();
  }
  span.finish();
  // and as carriers (fresh values: inject writes into the objects it is given)
  for (const [, value] of hostileValues()) {
    expect(() => tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, value)).not.toThrow();
    expect(() => tracer.extract(opentracing.FORMAT_HTTP_HEADERS, value)).not.toThrow();
    expect(() => tracer.inject(span, opentracing.FORMAT_BINARY, value)).not.toThrow();
    expect(() => tracer.extract(opentracing.FORMAT_BINARY, value)).not.toThrow();
  }
  expect(segments).toHaveLength(1);
  const tags = segments[0]!.spans[0]!.tags;
  for (const t of tags) expect(t.value.length).toBeLessThanOrEqual(2048);
  expect(tags.find((t) => t.key === 'circular')?.value).toBe('{"name":"loop","self":"[Circular]"}');
  for (const l of segments[0]!.spans[0]!.logs) for (const d of l.data) expect(d.value.length).toBeLessThanOrEqual(2048);
  await tracer.shutdown();
});

it('the OTel processor records spans whatever attributes and events the app sets', async () => {
  const processor = new SkyWalkingSpanProcessor({ serviceName: 'hostile-otel', reporter: 'none' });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('t');
  const span = tracer.startSpan('hostile', { kind: 1 });
  for (const [name, value] of hostileValues()) {
    expect(() => span.setAttribute(name, value as never)).not.toThrow();
    expect(() => span.addEvent(name, { [name]: value as never })).not.toThrow();
  }
  expect(() => span.end()).not.toThrow();
  await provider.shutdown();
  expect(processor.stats().recorder.segmentsClosed).toBe(1);
  void trace;
});
