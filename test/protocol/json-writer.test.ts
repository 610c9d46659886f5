/**
 * The line writer against `JSON.stringify`: strings and numbers byte for byte (escapes, non-ASCII,
 * lone surrogates, integers past 2^53, fractions, NaN), lines that outgrow the writer's chunk, and a
 * recorded segment's line (`Segment.line`, written straight from its spans) equal to the line of its
 * `SegmentObject` and to `JSON.stringify` of the OAP JSON object built field by field.
 */
import { resolveConfig } from '../../src/base/config';
import {
  REF_TYPE_NAMES,
  SPAN_LAYER_NAMES,
  SPAN_TYPE_NAMES,
  type SegmentObject,
  SpanLayer,
  SpanType,
} from '../../src/base/model';
import { JsonWriter } from '../../src/protocol/json-writer';
import { segmentLine, segmentObjectLine } from '../../src/protocol/line-json';
import { Recorder } from '../../src/segment/recorder';
import type { Segment } from '../../src/segment/segment';

const STRINGS = [
  '',
  'a',
  'GET:/orders/{id}',
  'say "hi"',
  'back\\slash',
  'tab\there\nnew\rline\b\f',
  '\0\u0001\u001f',
  '\u007f',
  'ünïcode ✓',
  '中文',
  '\u{1F600} smile',
  '\ud800',
  'x\udc00y',
  '\udbff\udfff',
  'a'.repeat(5000),
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  9,
  10,
  99,
  100,
  12345678,
  123456789,
  2 ** 31,
  -(2 ** 31),
  1_700_000_000_123,
  1e15,
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2 ** 53,
  2 ** 60,
  1e21,
  1.5,
  -0.25,
  NaN,
  Infinity,
  -Infinity,
];

function written(write: (w: JsonWriter) => void, w = new JsonWriter()): string {
  w.reset();
  write(w);
  return w.finish().toString('utf8');
}

it('writes strings and numbers exactly as JSON.stringify does', () => {
  for (const s of STRINGS) expect(written((w) => w.string(s))).toBe(JSON.stringify(s));
  for (const n of NUMBERS) expect(written((w) => w.number(n))).toBe(JSON.stringify(n));
  expect(written((w) => w.raw('{"k":'))).toBe('{"k":');
  expect(written((w) => w.text('{"é":1}'))).toBe('{"é":1}');
});

it('moves a line that outgrows its chunk, and the lines handed out before stay as they were', () => {
  const w = new JsonWriter(16);
  const lines: Buffer[] = [];
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const s = `line ${i} ${'é'.repeat(i % 7)}${'z'.repeat(i)}`;
    w.reset();
    w.raw('[');
    w.string(s);
    w.raw(',');
    w.number(i * 1_000_003);
    w.raw(']');
    w.newline();
    lines.push(w.finish());
    expected.push(`${JSON.stringify([s, i * 1_000_003])}\n`);
  }
  expect(lines.map((b) => b.toString('utf8'))).toEqual(expected);
});

/** The OAP JSON of a segment as an object tree and `JSON.stringify`: the line's meaning, by another route. */
function oracle(o: SegmentObject): string {
  const pairs = (l: readonly { key: string; value: string }[]) => l.map((p) => ({ key: p.key, value: p.value }));
  const spans = o.spans.map((s) => ({
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    startTime: s.startTime,
    endTime: s.endTime,
    refs:
      s.refs.length > 0
        ? s.refs.map((r) => ({
            refType: REF_TYPE_NAMES[r.refType],
            traceId: r.traceId,
            parentTraceSegmentId: r.parentTraceSegmentId,
            parentSpanId: r.parentSpanId,
            parentService: r.parentService,
            parentServiceInstance: r.parentServiceInstance,
            parentEndpoint: r.parentEndpoint,
            networkAddressUsedAtPeer: r.networkAddressUsedAtPeer,
          }))
        : undefined,
    operationName: s.operationName,
    peer: s.peer === '' ? undefined : s.peer,
    spanType: SPAN_TYPE_NAMES[s.spanType],
    spanLayer: SPAN_LAYER_NAMES[s.spanLayer],
    componentId: s.componentId,
    isError: s.isError || undefined,
    tags: s.tags.length > 0 ? pairs(s.tags) : undefined,
    logs: s.logs.length > 0 ? s.logs.map((l) => ({ time: l.time, data: pairs(l.data) })) : undefined,
    skipAnalysis: s.skipAnalysis || undefined,
  }));
  return JSON.stringify({
    skywalking: 'segment',
    traceId: o.traceId,
    traceSegmentId: o.traceSegmentId,
    spans,
    service: o.service,
    serviceInstance: o.serviceInstance,
    isSizeLimited: o.isSizeLimited || undefined,
  });
}

it("writes a recorded segment's line straight from its spans: the SegmentObject's line, and the OAP JSON", () => {
  const closed: Segment[] = [];
  const rec = new Recorder(
    resolveConfig({ serviceName: 'orders "eu"', serviceInstance: 'orders-1@10.0.0.1', reporter: 'none', spanLimit: 4 }),
    { report: (s) => closed.push(s) },
  );
  const root = rec.startSpan('GET:/orders/{id}', {
    remote: {
      sample: 1,
      traceId: 'a1b2.36.17000000000010001',
      segmentId: 'f'.repeat(32),
      spanId: 4,
      service: 'gateway',
      instance: 'gw-1',
      endpoint: '/api/ürders',
      address: '10.0.0.1:8080',
    },
    type: SpanType.Entry,
    startTime: 1_700_000_000_123,
  });
  root.componentId = 49;
  root.layer = SpanLayer.Http;
  root.addTag('http.method', 'GET');
  root.addTag('http.params', 'q="€"\n'.repeat(50));
  root.log(
    [
      ['event', 'error'],
      ['message', 'ünïcode ✓ \u{1F600} \ud800'],
    ],
    1_700_000_000_124,
  );
  const exit = rec.startSpan('SELECT orders', { parent: root, type: SpanType.Exit, startTime: 1_700_000_000_125 });
  exit.peer = '127.0.0.1:5432';
  exit.layer = SpanLayer.Database;
  exit.componentId = 22;
  exit.isError = true;
  exit.skipAnalysis = true;
  exit.addTag('db.statement', 'SELECT * FROM orders WHERE id = $1');
  exit.finish(1_700_000_000_300);
  const local = rec.startSpan('render', { parent: root });
  rec.startSpan('left open', { parent: local }); // never finished: forced at closeAll
  rec.startSpan('dropped', { parent: local }).finish(); // past the limit of 4: not recorded
  local.finish(1_700_000_000_301);
  root.finish(1_700_000_000_400);
  rec.closeAll();
  expect(closed).toHaveLength(1);
  const seg = closed[0]!;
  const line = seg.line(new JsonWriter(64)).toString('utf8');
  const object = seg.toSegmentObject();
  expect(object.isSizeLimited).toBe(true);
  expect(object.spans.find((s) => s.operationName === 'left open')!.tags).toEqual([
    { key: 'forced.finish', value: 'true' },
  ]);
  expect(line).toBe(`${oracle(object)}\n`);
  expect(line).toBe(`${segmentLine(object)}\n`);
  expect(segmentObjectLine(object).toString('utf8')).toBe(line);
  expect(line.split('\n')).toHaveLength(2);
  expect(line).toContain('"refType":"CrossProcess"');
  expect(line).toContain('"skipAnalysis":true');
  expect(line).toContain('"isSizeLimited":true');
});
