/**
 * `forward`'s straight read of a segment line into protobuf (`transcodeSegmentLine`) against the
 * general route (`parseLine`, then `encodeSegmentObject`): the same bytes for every line the line
 * reporter writes without escapes (recorded segments and 500 random ones), and no answer (the general
 * route takes over) for every other shape: spaces, another key order, escapes, long numbers,
 * broken lines, a segment the general route refuses.
 */
import { resolveConfig } from '../../src/base/config';
import { type RefType, type SegmentObject, type SpanObject, SpanLayer, SpanType } from '../../src/base/model';
import { JsonWriter } from '../../src/protocol/json-writer';
import { LINE_MARKER, segmentLine } from '../../src/protocol/line-json';
import { parseLine } from '../../src/protocol/line-parse';
import { transcodeSegmentLine } from '../../src/protocol/line-transcode';
import { ProtoWriter } from '../../src/protocol/proto-writer';
import { encodeSegmentObject } from '../../src/segment/encode';
import { Recorder } from '../../src/segment/recorder';
import type { Segment } from '../../src/segment/segment';

const w = new ProtoWriter(64);

function general(line: string): Buffer | undefined {
  const parsed = parseLine(line);
  return parsed.kind === 'segment' ? Buffer.from(encodeSegmentObject(parsed.segment, new ProtoWriter())) : undefined;
}

function straight(line: string, prefix = ''): Buffer | undefined {
  const text = prefix + line;
  const out = transcodeSegmentLine(text, text.indexOf(LINE_MARKER), w);
  return out && Buffer.from(out);
}

let seed = 7;
function rnd(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
const ALPHABET = ['a', 'Z', '0', '/', ' ', ':', 'é', '€', '\u{1F600}', '-'];
function text(): string {
  const len = [0, 1, 5, 42, 64, 65, 127, 200][rnd(8)]!;
  let s = '';
  while (s.length < len) s += ALPHABET[rnd(ALPHABET.length)];
  return s;
}
const int = (): number => [0, 1, -1, 127, 128, 16383, 2 ** 31 - 1, -(2 ** 31), rnd(1000)][rnd(9)]!;
const time = (): number => [0, 1, 1_700_000_000_000 + rnd(1e6), 2 ** 32, -1, -1_700_000_000_000][rnd(6)]!;
const pairs = (): { key: string; value: string }[] =>
  Array.from({ length: rnd(4) }, () => ({ key: text(), value: text() }));

function span(): SpanObject {
  return {
    spanId: int(),
    parentSpanId: int(),
    startTime: time(),
    endTime: time(),
    refs: Array.from({ length: rnd(3) }, () => ({
      refType: rnd(2) as RefType,
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

function segment(): SegmentObject {
  return {
    traceId: `t-${text()}`,
    traceSegmentId: `s-${text()}`,
    spans: Array.from({ length: rnd(5) }, span),
    service: `svc-${text()}`,
    serviceInstance: text(),
    isSizeLimited: rnd(2) === 1,
  };
}

it('gives the bytes of the general route for 500 random segments, after a prefix too', () => {
  for (let i = 0; i < 500; i++) {
    const line = segmentLine(segment());
    const expected = general(line)!;
    expect(expected).toBeDefined();
    expect(straight(line)).toEqual(expected);
    expect(straight(line, '2026-12-07T19:00:00.1Z stdout F ')).toEqual(expected);
  }
});

it('gives the bytes of the general route for recorded segments (refs, tags, logs, errors, forced spans)', () => {
  const closed: Segment[] = [];
  const rec = new Recorder(resolveConfig({ serviceName: 'orders', serviceInstance: 'orders-1', reporter: 'none' }), {
    report: (s) => closed.push(s),
  });
  for (let i = 0; i < 20; i++) {
    const root = rec.startSpan('GET:/orders/{id}', {
      remote: {
        sample: 1,
        traceId: `trace-${i}`,
        segmentId: 'f'.repeat(32),
        spanId: 4,
        service: 'gateway',
        instance: 'gw-1',
        endpoint: '/api/ürders',
        address: '10.0.0.1:8080',
      },
      type: SpanType.Entry,
    });
    root.layer = SpanLayer.Http;
    root.componentId = 49;
    root.addTag('http.method', 'GET');
    root.log([['event', 'accepted']]);
    const exit = rec.startSpan('SELECT', { parent: root, type: SpanType.Exit });
    exit.peer = 'db:5432';
    exit.isError = i % 2 === 0;
    exit.finish();
    if (i % 5 !== 0) root.finish();
  }
  rec.closeAll();
  expect(closed).toHaveLength(20);
  const jw = new JsonWriter();
  for (const seg of closed) {
    const line = seg.line(jw).toString('utf8').slice(0, -1);
    expect(straight(line)).toEqual(general(line));
    expect(straight(line)).toEqual(Buffer.from(seg.encode(new ProtoWriter())));
  }
});

it('leaves every other shape to the general route', () => {
  const line = segmentLine(segment());
  const small =
    '{"skywalking":"segment","traceId":"t","traceSegmentId":"s","spans":[{"spanId":0,"parentSpanId":-1,"startTime":1700000000000,"endTime":1700000000005,"operationName":"op","spanType":"Entry","spanLayer":"Http","componentId":49}],"service":"a","serviceInstance":"i"}';
  expect(straight(small)).toEqual(general(small));
  const others = [
    small.replace('"traceId":"t"', '"traceId": "t"'),
    small.replace('"traceId":"t","traceSegmentId":"s"', '"traceSegmentId":"s","traceId":"t"'),
    small.replace('"operationName":"op"', '"operationName":"o\\"p"'),
    small.replace('"operationName":"op"', '"operationName":"o\\u0070"'),
    small.replace('1700000000000', '"1700000000000"'),
    small.replace('1700000000000', '1700000000000000'),
    small.replace('1700000000000', '1.7e12'),
    small.replace('"spanType":"Entry"', '"spanType":0'),
    small.replace('"spanLayer":"Http"', '"spanLayer":"Sideways"'),
    small.replace('"service":"a"', '"service":""'),
    small.replace('"traceId":"t"', '"traceId":""'),
    `${small} `,
    small.slice(0, -1),
    small.slice(0, 60),
    line.replace('"skywalking":"segment"', '"skywalking":"log"'),
    'a line of the application',
  ];
  for (const other of others) {
    const at = other.indexOf(LINE_MARKER);
    expect(transcodeSegmentLine(other, Math.max(0, at), w)).toBeUndefined();
  }
  // the general route reads some of them (another writer's shape), and refuses the others
  expect(others.map((o) => general(o) !== undefined)).toEqual([
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    true,
    false,
    false,
    false,
    false,
  ]);
  // the writer is left as it was: the next line's bytes are whole
  expect(straight(small)).toEqual(general(small));
});
