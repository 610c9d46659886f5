/** The store's bounds: every string of a segment counted, logs by count and bytes, trace indexes kept in step. */
import { toStoredLog } from '../../src/collector/logs';
import { tracePartial, warmPartials } from '../../src/collector/queries';
import { CollectorStore, segmentSize } from '../../src/collector/store';
import { RefType, type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { segmentObject, spanObject } from '../support/fixtures';

const MiB = 1024 * 1024;

function segment(i: number, parentEndpoint = ''): SegmentObject {
  const ref = {
    refType: RefType.CrossProcess,
    traceId: `t${i}`,
    parentTraceSegmentId: 'p',
    parentSpanId: 0,
    parentService: 'a',
    parentServiceInstance: 'b',
    parentEndpoint,
    networkAddressUsedAtPeer: 'c',
  };
  return segmentObject({
    traceId: `t${i}`,
    traceSegmentId: `s${i}`,
    serviceInstance: 'i',
    spans: [
      spanObject({
        startTime: 1,
        endTime: 2,
        refs: [ref],
        operationName: 'op',
        spanType: SpanType.Entry,
        spanLayer: SpanLayer.Http,
        componentId: 49,
        tags: [{ key: 'k', value: 'vv' }],
        logs: [{ time: 1, data: [{ key: 'event', value: 'error' }] }],
      }),
    ],
  });
}

const limits = { maxSegments: 10_000, maxBytes: 64 * MiB, maxLogs: 10_000, maxLogBytes: 16 * MiB };

it('counts every string of a ref', () => {
  expect(segmentSize(segment(1, 'x'.repeat(1000))) - segmentSize(segment(1))).toBe(1000);
  // 400 + ids/names (2+2+3+1) + span 600 + 'op' 2 + tag 120+1+2 + log 120+120+5+5 + ref 300+2+1+1+1+0+1
  expect(segmentSize(segment(1))).toBe(400 + 8 + 602 + 123 + 250 + 306);
});

it('300 segments with a 1 MiB parentEndpoint stay within maxBytes', () => {
  const store = new CollectorStore({ ...limits, maxBytes: 16 * MiB });
  const big = 'e'.repeat(MiB);
  for (let i = 0; i < 300; i++) store.add(segment(i, big));
  const st = store.stats();
  expect(st.bytes).toBeLessThanOrEqual(16 * MiB);
  expect(st.segments).toBe(15);
  expect(st.evicted).toBe(285);
  expect(store.traceIds()).toEqual(Array.from({ length: 15 }, (_, i) => `t${285 + i}`));
});

const logData = (i: number, text: string, traceId = '') => ({
  timestamp: 1_700_000_000_000 + i,
  service: 'svc',
  serviceInstance: 'i',
  endpoint: 'GET:/x',
  body: { type: '', text: { text }, json: null, yaml: null, content: 'text' },
  traceContext: traceId ? { traceId, traceSegmentId: 'seg', spanId: 1 } : null,
  tags: { data: [{ key: 'level', value: 'INFO' }] },
  layer: '',
});

it('bounds logs by bytes and by count, oldest out, and refuses one log larger than the byte bound', () => {
  const store = new CollectorStore({ ...limits, maxLogBytes: 4 * MiB, maxLogs: 100 });
  const big = 'l'.repeat(MiB);
  for (let i = 0; i < 300; i++) store.addLog(logData(i, big, `t${i % 2}`));
  let st = store.stats();
  expect(st.logs).toBe(3);
  expect(st.logBytes).toBeLessThanOrEqual(4 * MiB);
  expect(st.logsEvicted).toBe(297);
  expect(store.logs().map((l) => l.seq)).toEqual([298, 299, 300]);
  expect(store.traceLogs('t1').map((l) => l.seq)).toEqual([298, 300]);
  expect(store.traceLogs('t0').map((l) => l.seq)).toEqual([299]);
  expect(store.addLog(logData(0, 'x'.repeat(5 * MiB)))).toBeUndefined();
  expect(store.stats().logsRefused).toBe(1);
  for (let i = 0; i < 150; i++) store.addLog(logData(i, 'small'));
  st = store.stats();
  expect(st.logs).toBe(100);
  expect(store.traceIds()).toEqual([]);
  expect(store.traceEntry('t0')).toBeUndefined();
});

it('types a decoded LogData: text, json, yaml, no body, odd values', () => {
  expect(toStoredLog(logData(1, 'hello', 'tr'), 7)).toEqual({
    seq: 7,
    timestamp: 1_700_000_000_001,
    service: 'svc',
    serviceInstance: 'i',
    endpoint: 'GET:/x',
    layer: '',
    contentType: 'TEXT',
    content: 'hello',
    bodyType: '',
    traceContext: { traceId: 'tr', traceSegmentId: 'seg', spanId: 1 },
    tags: [{ key: 'level', value: 'INFO' }],
  });
  expect(toStoredLog({ body: { type: 'json', json: { json: '{"a":1}' }, content: 'json' } }, 1)).toMatchObject({
    contentType: 'JSON',
    content: '{"a":1}',
    bodyType: 'json',
    traceContext: null,
    timestamp: 0,
  });
  expect(toStoredLog({ body: { yaml: { yaml: 'a: 1' }, content: 'yaml' } }, 1)).toMatchObject({
    contentType: 'YAML',
    content: 'a: 1',
  });
  expect(
    toStoredLog(
      { body: null, timestamp: Number.NaN, tags: { data: [{ key: 3 }] }, traceContext: { traceId: '', spanId: 2 } },
      1,
    ),
  ).toMatchObject({
    contentType: 'NONE',
    content: '',
    timestamp: 0,
    tags: [{ key: '', value: '' }],
    traceContext: null,
  });
  expect(toStoredLog(null, 1)).toMatchObject({ service: '', contentType: 'NONE', tags: [] });
});

it('counts what is memoized per trace against maxBytes; a value that does not fit is not kept; a change forgets it', () => {
  const one = segmentSize(segment(0));
  const store = new CollectorStore({ ...limits, maxBytes: 10 * one + 500 });
  for (let i = 0; i < 10; i++) store.add(segment(i));
  expect(store.stats()).toMatchObject({ segments: 10, bytes: 10 * one, memoBytes: 0 });
  expect(
    store.memo(
      't9',
      'x',
      () => 'v',
      () => 400,
    ),
  ).toBe('v');
  expect(
    store.memo(
      't9',
      'x',
      () => 'other',
      () => 400,
    ),
  ).toBe('v');
  expect(store.stats()).toMatchObject({ segments: 10, memoBytes: 400 });
  // a second one does not fit: returned, not kept, nothing evicted
  expect(
    store.memo(
      't8',
      'x',
      () => 'w',
      () => 400,
    ),
  ).toBe('w');
  expect(
    store.memo(
      't8',
      'x',
      () => 'w2',
      () => 400,
    ),
  ).toBe('w2');
  expect(store.stats()).toMatchObject({ segments: 10, memoBytes: 400, evicted: 0, memosRefused: 2 });
  // a new segment makes room by evicting the oldest; a change to t9 drops its memo and its bytes
  store.add({ ...segment(9), traceSegmentId: 's9b' });
  expect(store.stats()).toMatchObject({ segments: 10, memoBytes: 0, evicted: 1 });
  expect(store.traceIds()[0]).toBe('t1');
  expect(
    store.memo(
      't9',
      'x',
      () => 'new',
      () => 400,
    ),
  ).toBe('new');
  expect(store.stats().memoBytes).toBe(400);
  store.add(segment(10));
  expect(store.stats()).toMatchObject({ segments: 10, memoBytes: 400, evicted: 2 });
  expect(
    store.memo(
      'nope',
      'x',
      () => 'v',
      () => 1,
    ),
  ).toBeUndefined();
});

it("works out settled traces' analysis shares in the background, within a budget, once per change", () => {
  const store = new CollectorStore(limits);
  for (let i = 0; i < 5; i++) store.add(segment(i));
  expect(warmPartials(store, {}, 60_000, 1000)).toBe(0); // none quiet for a minute yet
  expect(warmPartials(store, {}, 0, 1000)).toBe(5);
  expect(warmPartials(store, {}, 0, 1000)).toBe(0);
  const p = tracePartial(store, 't3');
  expect(p?.problems.map((x) => x.message)).toEqual([
    "span 0 'op' starts at 1: not epoch milliseconds",
    'span 0 refers to segment p (a), which never arrived',
  ]);
  expect(store.stats().memoBytes).toBeGreaterThan(0);
  store.add({ ...segment(3), traceSegmentId: 's3b' });
  expect(warmPartials(store, {}, 0, 1000)).toBe(1);
  expect(tracePartial(store, 't3')).not.toBe(p);
});

it('stops working out shares when the bound leaves no room for them', () => {
  const one = segmentSize(segment(0));
  const store = new CollectorStore({ ...limits, maxBytes: 5 * one + 10 });
  for (let i = 0; i < 5; i++) store.add(segment(i));
  expect(warmPartials(store, {}, 0, 1000)).toBe(0);
  expect(store.stats()).toMatchObject({ memosRefused: 1, memoBytes: 0, segments: 5 });
});

describe('the heartbeat check', () => {
  it('names a service that reports segments but never a heartbeat, once past the grace', async () => {
    const { CollectorStore } = await import('../../src/collector/store');
    const { heartbeatProblems, HEARTBEAT_GRACE_MS } = await import('../../src/collector/http-api');
    const store = new CollectorStore({ maxSegments: 100, maxBytes: 1 << 24, maxLogs: 100, maxLogBytes: 1 << 20 });
    const seg = (service: string, id: string) => ({
      traceId: `t-${id}`,
      traceSegmentId: id,
      service,
      serviceInstance: `${service}-1`,
      isSizeLimited: false,
      spans: [],
    });
    const t0 = Date.now();
    store.add(seg('silent', 's1'));
    store.add(seg('silent', 's2'));
    store.add(seg('pinging', 'p1'));
    store.add(seg('with-properties', 'w1'));
    store.ping('pinging', 'pinging-1');
    store.setProperties('with-properties', 'w-1', [{ key: 'language', value: 'nodejs' }]);
    expect(heartbeatProblems(store, t0 + 1000)).toEqual([]);
    const later = t0 + HEARTBEAT_GRACE_MS + 5000;
    const problems = heartbeatProblems(store, later);
    expect(problems.map((p) => [p.service, p.traceId, p.segmentId])).toEqual([['silent', 't-s1', 's1']]);
    expect(problems[0]!.message).toMatch(
      /^silent has reported segments for (65|66) s but never a heartbeat \(keepAlive \/ instance properties\): the OAP will list no instance for it\./,
    );
    store.ping('silent', 'silent-1');
    expect(heartbeatProblems(store, later)).toEqual([]);
  });
});
