/**
 * Times as they enter: the rule (src/segment/time.ts) with each odd input, then through both
 * front-ends' real APIs (the OpenTracing tracer; the OTel SDK with our span processor), reading
 * the start and end times back from the encoded segment bytes (decoded by protobuf.js). The clock
 * (Date only) is set, so "now" is an exact value.
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import * as protoLoader from '@grpc/proto-loader';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Tags } from 'opentracing';
import { resolveConfig } from '../../src/base/config';
import type { SegmentObject } from '../../src/base/model';
import { SkyWalkingTraceExporter } from '../../src/opentelemetry/exporter';
import { SkyWalkingSpanProcessor } from '../../src/opentelemetry/processor';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { LOADER_OPTIONS, PROTO_FILES } from '../../src/protocol/loader';
import { segmentOfEntry } from '../../src/segment/encode';
import { Recorder } from '../../src/segment/recorder';
import type { Segment } from '../../src/segment/segment';
import { EARLIEST_EPOCH_MS, MAX_AHEAD_MS, checkedEpochMs, hrTimeToEpochMs } from '../../src/segment/time';
import { type Reporter, type SegmentSource, emptyStats } from '../../src/reporter/types';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0, 0);
const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
const collect = (definition['skywalking.v3.TraceSegmentReportService'] as protoLoader.ServiceDefinition).collect!;

/** Keeps each segment's bytes as the gRPC reporter would send them, and decodes them. */
class BytesReporter implements Reporter {
  readonly segments: SegmentObject[] = [];
  report(segment: SegmentSource): void {
    this.segments.push(collect.requestDeserialize(Buffer.from(segmentOfEntry(segment.encode!()))) as SegmentObject);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  stats() {
    return emptyStats();
  }
}

const times = (seg: SegmentObject): Record<string, [number, number]> =>
  Object.fromEntries(seg.spans.map((s) => [s.operationName, [Number(s.startTime), Number(s.endTime)]]));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('checkedEpochMs', () => {
  it.each([
    ['1e20', 1e20],
    ['2^63', 2 ** 63],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-1', -1],
    ['0', 0],
    ['seconds since the epoch', NOW / 1000],
    ['a day and 1 ms ahead', NOW + MAX_AHEAD_MS + 1],
    ['1999-12-31T23:59:59.999Z', EARLIEST_EPOCH_MS - 1],
    ['a string', '1700000000000' as unknown as number],
  ])('%s is not a time: NaN', (_name, t) => {
    expect(checkedEpochMs(t, NOW)).toBeNaN();
  });

  it('takes 2000-01-01 to now + 1 day, in whole ms', () => {
    expect(EARLIEST_EPOCH_MS).toBe(Date.UTC(2000, 0, 1));
    expect(checkedEpochMs(EARLIEST_EPOCH_MS, NOW)).toBe(EARLIEST_EPOCH_MS);
    expect(checkedEpochMs(NOW + MAX_AHEAD_MS, NOW)).toBe(NOW + MAX_AHEAD_MS);
    expect(checkedEpochMs(NOW - 0.9, NOW)).toBe(NOW - 1);
    expect(checkedEpochMs(1_700_000_000_123.999, NOW)).toBe(1_700_000_000_123);
  });
});

describe('hrTimeToEpochMs', () => {
  it('reads an epoch [s, ns] pair as ms, nanoseconds truncated', () => {
    expect(hrTimeToEpochMs([1_700_000_000, 123_999_999])).toBe(1_700_000_000_123);
    expect(hrTimeToEpochMs([1_700_000_000, 0])).toBe(1_700_000_000_000);
  });

  it('a process.hrtime() tuple (from process start, not the epoch) converts, and is then refused as pre-2000', () => {
    const t = process.hrtime();
    const ms = hrTimeToEpochMs(t);
    expect(ms).toBe(t[0] * 1000 + Math.trunc(t[1] / 1e6));
    expect(checkedEpochMs(ms, NOW)).toBeNaN();
  });

  it.each([
    ['undefined', undefined],
    ['a number', 1_700_000_000_000],
    ['one element', [1_700_000_000]],
    ['three elements', [1, 2, 3]],
    ['NaN seconds', [NaN, 0]],
    ['Infinity seconds', [Infinity, 0]],
    ['NaN ns', [1_700_000_000, NaN]],
    ['ns of 1e9', [1_700_000_000, 1e9]],
    ['negative ns', [1_700_000_000, -1]],
    ['strings', ['1700000000', '0']],
  ])('%s is not an hrtime: NaN', (_name, t) => {
    expect(hrTimeToEpochMs(t)).toBeNaN();
  });
});

describe('the recorder applies the rule and counts', () => {
  function setup() {
    const closed: Segment[] = [];
    const rec = new Recorder(resolveConfig({ serviceName: 's', serviceInstance: 'i', reporter: 'none' }, {}), {
      report: (s) => closed.push(s),
    });
    return { rec, closed };
  }

  it('odd starts and ends become now, an end before its start a zero duration, an odd log time now', () => {
    const { rec } = setup();
    const root = rec.startSpan('root', { startTime: NOW - 100 });
    const odd = [1e20, 2 ** 63, NaN, Infinity, -1, hrTimeToEpochMs(process.hrtime())];
    const spans = odd.map((t) => rec.startChild(root, 'odd', t, undefined));
    expect(spans.map((s) => s.startTime)).toEqual(odd.map(() => NOW));
    expect(rec.counters.timesReplaced).toBe(6);
    const early = rec.startChild(root, 'early', NOW - 50, undefined);
    early.finish(NOW - 60);
    expect([early.startTime, early.endTime]).toEqual([NOW - 50, NOW - 50]);
    expect(rec.counters.endsBeforeStart).toBe(1);
    spans[0]!.finish(1e20);
    spans[1]!.finish(NaN);
    spans[2]!.finish(NOW + 3);
    expect(spans.slice(0, 3).map((s) => s.endTime)).toEqual([NOW, NOW, NOW + 3]);
    expect(rec.counters.timesReplaced).toBe(8);
    root.log([['event', 'x']], -1);
    root.log([['event', 'y']], NOW - 10);
    expect(root.logs!.map((l) => l.time)).toEqual([NOW, NOW - 10]);
    expect(rec.counters.timesReplaced).toBe(9);
    // absent times are now and not counted
    const plain = rec.startChild(root, 'plain', undefined, undefined);
    plain.finish();
    expect([plain.startTime, plain.endTime]).toEqual([NOW, NOW]);
    expect(rec.counters.timesReplaced).toBe(9);
    expect(rec.counters.endsBeforeStart).toBe(1);
  });
});

it('OpenTracing: startTime/finishTime as reported in the encoded segment, odd ones counted in stats().recorder', () => {
  const reporter = new BytesReporter();
  const tracer = new SkyWalkingTracer({ serviceName: 'ot', serviceInstance: 'ot-1', reporter });
  const root = tracer.startSpan('root', {
    startTime: NOW - 1000,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER },
  });
  const child = (name: string, startTime: number, finishTime: number): void =>
    tracer.startSpan(name, { childOf: root, startTime }).finish(finishTime);
  child('1e20', 1e20, NOW + 5);
  child('2^63', 2 ** 63, NaN);
  child('-1', -1, Infinity);
  child('hrtime', hrTimeToEpochMs(process.hrtime()), NOW + 7);
  child('end<start', NOW - 500, NOW - 600);
  child('valid', NOW - 400, NOW - 300);
  child('not numbers', new Date(NOW - 200) as unknown as number, '1' as unknown as number);
  root.finish(NOW + 10);
  expect(reporter.segments).toHaveLength(1);
  expect(times(reporter.segments[0]!)).toEqual({
    '1e20': [NOW, NOW + 5],
    '2^63': [NOW, NOW],
    '-1': [NOW, NOW],
    hrtime: [NOW, NOW + 7],
    'end<start': [NOW - 500, NOW - 500],
    valid: [NOW - 400, NOW - 300],
    'not numbers': [NOW, NOW],
    root: [NOW - 1000, NOW + 10],
  });
  // 1e20, 2^63, -1, the hrtime start, the Date start; NaN, Infinity and '1' ends
  expect(tracer.stats().recorder.timesReplaced).toBe(8);
  expect(tracer.stats().recorder.endsBeforeStart).toBe(1);
});

it('OpenTelemetry SDK with our processor: hrtime start/end as reported in the encoded segment, odd ones counted', async () => {
  const reporter = new BytesReporter();
  const processor = new SkyWalkingSpanProcessor({ serviceName: 'otel', serviceInstance: 'otel-1', reporter });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('t');
  const sec = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6 + 999];
  try {
    const root = tracer.startSpan('root', { startTime: sec(NOW - 1000) });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    const child = (name: string, startTime: number | [number, number], endTime: number | [number, number]): void =>
      tracer.startSpan(name, { startTime }, ctx).end(endTime);
    child('1e20', 1e20, sec(NOW + 5));
    child('hrtime', process.hrtime(), sec(NOW + 7));
    child('NaN', NaN, sec(NOW + 8));
    child('end 2^63', sec(NOW - 100), 2 ** 63);
    child('end hrtime', sec(NOW - 90), process.hrtime());
    child('valid', sec(NOW - 400), sec(NOW - 300));
    root.end(sec(NOW + 10));
    expect(reporter.segments).toHaveLength(1);
    expect(times(reporter.segments[0]!)).toEqual({
      // the SDK ends a span that ends before its start (1e20 ms) at its start: both become now
      '1e20': [NOW, NOW],
      hrtime: [NOW, NOW + 7],
      NaN: [NOW, NOW + 8],
      'end 2^63': [NOW - 100, NOW],
      // the SDK makes an end before the start equal to the start: then ours is the start too
      'end hrtime': [NOW - 90, NOW - 90],
      valid: [NOW - 400, NOW - 300],
      root: [NOW - 1000, NOW + 10],
    });
    // 1e20 start and end, the hrtime start, the NaN start, the 2^63 end
    expect(processor.stats().recorder.timesReplaced).toBe(5);
  } finally {
    await provider.shutdown();
  }
});

it('OpenTelemetry SDK with our exporter (SimpleSpanProcessor): the same rule, counted in the exporter stats', async () => {
  const reporter = new BytesReporter();
  const exporter = new SkyWalkingTraceExporter({ serviceName: 'otel', serviceInstance: 'otel-1', reporter });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t');
  const sec = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  try {
    const root = tracer.startSpan('root', { startTime: sec(NOW - 1000) });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    tracer.startSpan('hrtime', { startTime: process.hrtime() }, ctx).end(sec(NOW + 7));
    tracer.startSpan('end 2^63', { startTime: sec(NOW - 100) }, ctx).end(2 ** 63);
    root.end(sec(NOW + 10));
    await provider.forceFlush();
    // SimpleSpanProcessor exports each span as it ends: a segment per export
    expect(reporter.segments).toHaveLength(3);
    expect(Object.assign({}, ...reporter.segments.map(times))).toEqual({
      hrtime: [NOW, NOW + 7],
      'end 2^63': [NOW - 100, NOW],
      root: [NOW - 1000, NOW + 10],
    });
    expect(exporter.stats().recorder.timesReplaced).toBe(2);
  } finally {
    await provider.shutdown();
  }
});
