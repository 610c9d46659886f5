import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/base/config';
import { RefType, SpanType } from '../src/base/model';
import { MemoryReporter } from '../src/reporter/memory';
import { Recorder } from '../src/segment/recorder';

/** A plausible epoch time (src/segment/time.ts takes 2000-01-01 .. now + 1 day). */
const T = 1_700_000_000_000;

function setup(overrides = {}) {
  const config = resolveConfig({ serviceName: 'svc', serviceInstance: 'inst', ...overrides }, {});
  const reporter = new MemoryReporter();
  return { reporter, recorder: new Recorder(config, reporter) };
}

describe('Recorder', () => {
  it('numbers spans in start order and closes the segment when the last span finishes', () => {
    const { recorder, reporter } = setup();
    const root = recorder.startSpan('GET:/a', { type: SpanType.Entry, startTime: T });
    const child = recorder.startSpan('db', { parent: root, startTime: T + 1 });
    const grandchild = recorder.startSpan('exit', { parent: child, startTime: T + 2, type: SpanType.Exit });
    expect([root.id, child.id, grandchild.id]).toEqual([0, 1, 2]);
    expect([root.parentId, child.parentId, grandchild.parentId]).toEqual([-1, 0, 1]);
    grandchild.finish(T + 3);
    child.finish(T + 4);
    expect(reporter.segments).toHaveLength(0);
    root.finish(T + 5);
    expect(reporter.segments).toHaveLength(1);
    const seg = reporter.segments[0]!;
    expect(seg.service).toBe('svc');
    expect(seg.serviceInstance).toBe('inst');
    expect(seg.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seg.traceSegmentId).toMatch(/^[0-9a-f]{32}$/);
    expect(seg.spans.map((s) => s.spanId)).toEqual([2, 1, 0]);
    expect(seg.spans[2]).toMatchObject({
      spanId: 0,
      parentSpanId: -1,
      startTime: T,
      endTime: T + 5,
      spanType: SpanType.Entry,
      operationName: 'GET:/a',
    });
  });

  it('opens a CrossThread segment for a child of a span whose segment already closed', () => {
    const { recorder, reporter } = setup();
    const root = recorder.startSpan('GET:/a', { type: SpanType.Entry });
    root.finish();
    const late = recorder.startSpan('late', { parent: root });
    late.finish();
    expect(reporter.segments).toHaveLength(2);
    const [first, second] = reporter.segments;
    expect(second!.traceId).toBe(first!.traceId);
    expect(second!.spans[0]!.refs).toEqual([
      {
        refType: RefType.CrossThread,
        traceId: first!.traceId,
        parentTraceSegmentId: first!.traceSegmentId,
        parentSpanId: 0,
        parentService: 'svc',
        parentServiceInstance: 'inst',
        parentEndpoint: 'GET:/a',
        networkAddressUsedAtPeer: '',
      },
    ]);
  });

  it('builds a CrossProcess ref from an extracted parent, keeping the trace id byte for byte', () => {
    const { recorder, reporter } = setup();
    const remote = {
      sample: 1 as const,
      traceId: 'abc.12.345',
      segmentId: 'seg',
      spanId: 3,
      service: 'java',
      instance: 'j1',
      endpoint: '/app',
      address: 'svc:8080',
    };
    recorder.startSpan('POST:/x', { remote, type: SpanType.Entry }).finish();
    const seg = reporter.segments[0]!;
    expect(seg.traceId).toBe('abc.12.345');
    expect(seg.spans[0]!.refs[0]).toEqual({
      refType: RefType.CrossProcess,
      traceId: 'abc.12.345',
      parentTraceSegmentId: 'seg',
      parentSpanId: 3,
      parentService: 'java',
      parentServiceInstance: 'j1',
      parentEndpoint: '/app',
      networkAddressUsedAtPeer: 'svc:8080',
    });
  });

  it('gives an exit span carrier the first entry name as endpoint and the peer as address', () => {
    const { recorder } = setup();
    const local = recorder.startSpan('local-root');
    const entry = recorder.startSpan('GET:/entry', { parent: local, type: SpanType.Entry });
    const exit = recorder.startSpan('/call', { parent: entry, type: SpanType.Exit });
    exit.peer = 'server-2:8080';
    const c = recorder.carrierFor(exit);
    expect(c).toMatchObject({
      sample: 1,
      spanId: 2,
      service: 'svc',
      instance: 'inst',
      endpoint: 'GET:/entry',
      address: 'server-2:8080',
    });
    expect(c.segmentId).toBe(exit.segment.segmentId);
  });

  it('turns a Local span that injects into an Exit and falls back to a peer', () => {
    const { recorder } = setup();
    const span = recorder.startSpan('call-out');
    const c = recorder.carrierFor(span, 'backend:9000');
    expect(span.type).toBe(SpanType.Exit);
    expect(span.peer).toBe('backend:9000');
    expect(c.address).toBe('backend:9000');
    expect(c.endpoint).toBe('call-out');
  });

  it('stops recording spans past the span limit and marks the segment size-limited', () => {
    const { recorder, reporter } = setup({ spanLimit: 3 });
    const root = recorder.startSpan('root');
    const kids = [1, 2, 3, 4].map((i) => recorder.startSpan(`c${i}`, { parent: root }));
    const grandchild = recorder.startSpan('gc', { parent: kids[3] });
    expect(kids.map((k) => k.id)).toEqual([1, 2, -1, -1]);
    expect(grandchild.parentId).toBe(0);
    grandchild.finish();
    kids.forEach((k) => k.finish());
    root.finish();
    const seg = reporter.segments[0]!;
    expect(seg.isSizeLimited).toBe(true);
    expect(seg.spans.map((s) => s.spanId).sort()).toEqual([0, 1, 2]);
    expect(recorder.counters.spansDropped).toBe(3);
  });

  it('force-closes a segment whose spans outlive the timeout and tags them', () => {
    const { recorder, reporter } = setup({ segmentTimeoutMs: 100 });
    const root = recorder.startSpan('root', { startTime: T });
    recorder.startSpan('never-ends', { parent: root, startTime: T });
    expect(recorder.sweep(Date.now() + 200)).toBe(1);
    const seg = reporter.segments[0]!;
    expect(seg.spans).toHaveLength(2);
    expect(seg.spans.every((s) => s.tags.some((t) => t.key === 'forced.finish' && t.value === 'true'))).toBe(true);
    root.finish();
    expect(reporter.segments).toHaveLength(1);
  });

  it('bounds tags and logs and never throws on odd values or misuse', () => {
    const { recorder, reporter } = setup({ tagsPerSpan: 2, logsPerSpan: 1, tagValueMaxLength: 5 });
    const span = recorder.startSpan('x');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const evil = {
      toString() {
        throw new Error('no');
      },
      get x() {
        throw new Error('getter');
      },
    };
    span.addTag('long', 'abcdefghij');
    span.addTag('circ', circular);
    span.addTag('third', 1);
    span.log([
      ['evil', evil],
      ['big', 10n],
      ['sym', Symbol('s')],
    ]);
    span.log([['dropped', 1]]);
    span.finish();
    span.finish();
    span.addTag('after', 'finish');
    const s = reporter.segments[0]!.spans[0]!;
    expect(s.tags).toEqual([
      { key: 'long', value: 'abcde' },
      { key: 'circ', value: '{"sel' },
    ]);
    expect(s.logs).toHaveLength(1);
    expect(s.logs[0]!.data.map((d) => d.key)).toEqual(['evil', 'big']);
    expect(s.logs[0]!.data[1]!.value).toBe('10');
    expect(recorder.counters.tagsDropped).toBe(1);
    expect(recorder.counters.logsDropped).toBe(1);
  });

  it('does not record new segments past maxOpenSegments', () => {
    const { recorder, reporter } = setup({ maxOpenSegments: 1 });
    const a = recorder.startSpan('a');
    const b = recorder.startSpan('b');
    b.finish();
    a.finish();
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['a']);
    expect(recorder.counters.segmentsNotRecorded).toBe(1);
  });

  it('keeps open segments in opening order: closing one leaves the others, the sweep closes only the old ones', () => {
    const { recorder, reporter } = setup({ segmentTimeoutMs: 1000 });
    const a = recorder.startSpan('a');
    const b = recorder.startSpan('b');
    const c = recorder.startSpan('c');
    expect(recorder.openSegmentCount).toBe(3);
    b.finish();
    b.finish(); // a second close of the same segment changes nothing
    expect(recorder.openSegmentCount).toBe(2);
    const created = a.segment.createdAt;
    expect(recorder.sweep(created + 999)).toBe(0);
    expect(recorder.sweep(c.segment.createdAt + 1000)).toBe(2);
    expect(recorder.openSegmentCount).toBe(0);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['b', 'a', 'c']);
    const d = recorder.startSpan('d');
    recorder.closeAll();
    expect(d.finished).toBe(true);
    expect(recorder.openSegmentCount).toBe(0);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['b', 'a', 'c', 'd']);
  });
});
