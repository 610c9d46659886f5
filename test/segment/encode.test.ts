/**
 * The hand-written SegmentObject encoder against protobuf.js (through @grpc/proto-loader, the
 * serializer the reporter used before): byte for byte on fixed and random segments, and decoded back.
 * The encoder returns `SegmentCollection` entries: their concatenation is checked as a collection too.
 */
import * as protoLoader from '@grpc/proto-loader';
import { resolveConfig } from '../../src/base/config';
import { type SegmentObject, type SpanObject, SpanLayer, SpanType } from '../../src/base/model';
import { LOADER_OPTIONS, PROTO_FILES } from '../../src/protocol/loader';
import { encodeSegment, encodeSegmentObject, segmentOfEntry } from '../../src/segment/encode';
import { Recorder } from '../../src/segment/recorder';
import type { Segment } from '../../src/segment/segment';

const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
const service = definition['skywalking.v3.TraceSegmentReportService'] as protoLoader.ServiceDefinition;
const collect = service.collect!;
const collectInSync = service.collectInSync!;
/**
 * protobuf.js writes every field that is present, zeros included; the proto3 canonical form (the
 * Java runtime's, and ours) leaves defaults out. Removing them first gives protobuf.js's canonical bytes.
 */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== 0 && v !== '' && v !== false) out[k] = withoutDefaults(v);
  }
  return out;
}
const reference = (o: SegmentObject): Buffer => collect.requestSerialize(withoutDefaults(o) as object);
const decode = (b: Buffer): SegmentObject => collect.requestDeserialize(b) as SegmentObject;
const referenceCollection = (segments: SegmentObject[]): Buffer =>
  collectInSync.requestSerialize(withoutDefaults({ segments }) as object);

function recorder(): { rec: Recorder; closed: Segment[] } {
  const closed: Segment[] = [];
  const rec = new Recorder(
    resolveConfig({ serviceName: 'orders', serviceInstance: 'orders-1@10.0.0.1', reporter: 'none', spanLimit: 4 }, {}),
    { report: (s) => closed.push(s) },
  );
  return { rec, closed };
}

/**
 * The timeout of the two tests with thousands of segments, from their work: ~5 s and ~3 s on a quiet
 * 2-core machine; room for a machine ten times busier (no verdict here depends on time).
 */
const WORK_TIMEOUT_MS = 120_000;

it('writes a recorded segment exactly as protobuf.js does (canonically), and it decodes back to toSegmentObject()', () => {
  const { rec, closed } = recorder();
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
  root.addTag('url', `http://orders/${'x'.repeat(300)}`);
  root.addTag('http.params', 'q=€'.repeat(6000));
  root.log(
    [
      ['event', 'error'],
      ['message', 'ünïcode ✓ \u{1F600}'],
    ],
    1_700_000_000_124,
  );
  const exit = rec.startSpan('SELECT orders', { parent: root, type: SpanType.Exit, startTime: 1_700_000_000_125 });
  exit.peer = '127.0.0.1:5432';
  exit.layer = SpanLayer.Database;
  exit.componentId = 22;
  exit.isError = true;
  exit.addTag('db.statement', 'SELECT * FROM orders WHERE id = $1');
  exit.finish(1_700_000_000_300);
  const local = rec.startSpan('render', { parent: root });
  rec.startSpan('left open', { parent: local }); // the fourth span, never finished: forced at closeAll
  rec.startSpan('dropped', { parent: local }).finish(); // past the limit of 4: not recorded
  local.finish(1_700_000_000_301);
  root.finish(1_700_000_000_400);
  expect(closed).toHaveLength(0);
  rec.closeAll(); // 'dropped' is still open: forced
  expect(closed).toHaveLength(1);
  const seg = closed[0]!;
  const object = seg.toSegmentObject();
  expect(object.isSizeLimited).toBe(true);
  expect(object.spans.map((s) => s.tags.at(-1)?.key)).toContain('forced.finish');
  const entry = encodeSegment(seg);
  expect(entry.equals(referenceCollection([object]))).toBe(true);
  const bytes = segmentOfEntry(entry);
  expect(bytes.length).toBeGreaterThan(128); // a two-byte length in front
  expect(entry.length).toBe(bytes.length + 3);
  expect(bytes.equals(reference(object))).toBe(true);
  expect(seg.encode().equals(entry)).toBe(true);
  expect(encodeSegmentObject(object).equals(entry)).toBe(true);
  expect(decode(bytes)).toEqual(object);
});

function rnd(n: number): number {
  return Math.floor(Math.random() * n);
}
const ALPHABET = ['a', 'Z', '0', '/', ' ', 'é', '€', '\u{1F600}', '\n', '\0'];
function text(): string {
  const len = [0, 1, 5, 42, 43, 64, 65, 127, 200, 3000][rnd(10)]!;
  let s = '';
  while (s.length < len) s += ALPHABET[rnd(ALPHABET.length)];
  return s;
}
function int(): number {
  return [0, 1, -1, 127, 128, 16383, 16384, 2 ** 31 - 1, -(2 ** 31), rnd(1000)][rnd(10)]!;
}
function time(): number {
  return [0, 1, 1_700_000_000_000 + rnd(1e6), 2 ** 32, 2 ** 53 - 1, -1, -1_700_000_000_000][rnd(7)]!;
}
function pairs(): Array<{ key: string; value: string }> {
  return Array.from({ length: rnd(4) }, () => ({ key: text(), value: text() }));
}
function span(): SpanObject {
  return {
    spanId: int(),
    parentSpanId: int(),
    startTime: time(),
    endTime: time(),
    refs: Array.from({ length: rnd(3) }, () => ({
      refType: rnd(2) as 0 | 1,
      traceId: text(),
      parentTraceSegmentId: text(),
      parentSpanId: int(),
      parentService: text(),
      parentServiceInstance: text(),
      parentEndpoint: text(),
      networkAddressUsedAtPeer: text(),
    })),
    operationName: text(),
    peer: text(),
    spanType: rnd(3) as SpanType,
    spanLayer: rnd(7) as SpanLayer,
    componentId: int(),
    isError: rnd(2) === 1,
    tags: pairs(),
    logs: Array.from({ length: rnd(3) }, () => ({ time: time(), data: pairs() })),
    skipAnalysis: rnd(2) === 1,
  };
}

/** Where two encodings part, with the bytes around it (a readable failure). */
function firstDifference(a: Buffer, b: Buffer): { at: number; ours: string; theirs: string } {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return {
    at,
    ours: a.subarray(Math.max(0, at - 8), at + 8).toString('hex'),
    theirs: b.subarray(Math.max(0, at - 8), at + 8).toString('hex'),
  };
}

it(
  'matches protobuf.js byte for byte on 2,000 random segments (lengths across varint sizes, negatives, unicode)',
  () => {
    for (let i = 0; i < 2000; i++) {
      const o: SegmentObject = {
        traceId: text(),
        traceSegmentId: text(),
        spans: Array.from({ length: rnd(5) }, span),
        service: text(),
        serviceInstance: text(),
        isSizeLimited: rnd(2) === 1,
      };
      const ours = segmentOfEntry(encodeSegmentObject(o));
      const theirs = reference(o);
      // (equal bytes decode equally: no decode needed; deep-comparing 2,000 decodes cost ~3 s)
      if (!ours.equals(theirs)) expect(firstDifference(ours, theirs)).toEqual({ i, at: -1 });
    }
  },
  WORK_TIMEOUT_MS,
);

it(
  'gives entries that, laid end to end, are the SegmentCollection protobuf.js writes',
  () => {
    const objects: SegmentObject[] = [];
    const entries: Buffer[] = [];
    // 80 entries: 20 of each size, across one-, two- and three-byte lengths; the 20 three-byte ones
    // (~17 KB each) pass the encoder's 256 KiB chunk, so entries move chunks too
    for (let i = 0; i < 80; i++) {
      const o: SegmentObject = {
        traceId: `t${i}`,
        traceSegmentId: `s${i}`,
        spans: Array.from({ length: [0, 1, 2, 60][i % 4]! }, span),
        service: 'svc',
        serviceInstance: 'inst',
        isSizeLimited: false,
      };
      objects.push(o);
      entries.push(encodeSegmentObject(o)); // views into the encoder's chunks: they stay valid
    }
    expect(entries.some((e) => e.length < 128) && entries.some((e) => e.length > 16_384)).toBe(true);
    expect(new Set(entries.map((e) => e.buffer)).size).toBeGreaterThan(1); // written across chunks
    const collection = Buffer.concat(entries);
    expect(collection.equals(referenceCollection(objects))).toBe(true);
    const decoded = (collectInSync.requestDeserialize(collection) as { segments: SegmentObject[] }).segments;
    const expected = objects.map((o) => decode(reference(o)));
    // the same decoder on both sides gives the same key order: compare as text (a deep equal of 4,500
    // spans took seconds), and deep-compare only to show where they differ
    if (JSON.stringify(decoded) !== JSON.stringify(expected)) expect(decoded).toEqual(expected);
    expect(decoded).toHaveLength(80);
  },
  WORK_TIMEOUT_MS,
);
