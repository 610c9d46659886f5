/**
 * The hand-written LogData encoder against protobuf.js (through @grpc/proto-loader) byte for byte,
 * and decoded with skywalking-backend-js's generated classes.
 */
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, PROTO_FILES } from '../../src/protocol/loader';
import { type LogData, encodeLogData } from '../../src/protocol/log-encoder';
import { decodeLog } from '../logs/support';

const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
const collect = (definition['skywalking.v3.LogReportService'] as protoLoader.ServiceDefinition).collect!;

/** protobuf.js writes present zeros; the canonical form (ours, Java's) leaves them out. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    if (v !== 0 && v !== '' && v !== false && v !== undefined) out[k] = withoutDefaults(v);
  return out;
}
const reference = (d: LogData): Buffer =>
  collect.requestSerialize(withoutDefaults({ ...d, tags: d.tags.length > 0 ? { data: d.tags } : undefined }) as object);

const full: LogData = {
  timestamp: 1_700_000_000_123,
  service: 'orders',
  serviceInstance: 'orders-1@10.0.0.1',
  endpoint: 'GET:/orders/{id}',
  body: { json: { json: '{"msg":"ünïcode ✓ \u{1F600}","n":1}' } },
  traceContext: { traceId: '2a1b.123.456', traceSegmentId: 'f'.repeat(32), spanId: 3 },
  tags: [
    { key: 'level', value: 'error' },
    { key: 'logger', value: 'app' },
    { key: 'error.stack', value: 'x'.repeat(300) },
  ],
  layer: 'GENERAL',
};

it('writes LogData exactly as protobuf.js does, and the official classes read every field back', () => {
  const cases: LogData[] = [
    full,
    {
      ...full,
      body: { text: { text: 'q=€'.repeat(6000) } },
      traceContext: { ...full.traceContext!, spanId: 0 },
      layer: '',
    },
    { ...full, body: { text: { text: '' } }, traceContext: undefined, tags: [], endpoint: '' },
  ];
  for (const d of cases) {
    const bytes = encodeLogData(d);
    expect(bytes.equals(reference(d))).toBe(true);
    const back = decodeLog(bytes);
    expect(back).toEqual({
      timestamp: d.timestamp,
      service: d.service,
      serviceInstance: d.serviceInstance,
      endpoint: d.endpoint,
      bodyCase: d.body.json ? 'json' : 'text',
      content: d.body.json?.json ?? d.body.text!.text,
      traceContext: d.traceContext,
      tags: Object.fromEntries(d.tags.map((t) => [t.key, t.value])),
      tagKeys: d.tags.map((t) => t.key),
      layer: d.layer,
    });
  }
});

it('a record in a random shape still matches protobuf.js (200 random records)', () => {
  const rnd = (n: number): string =>
    Array.from({ length: Math.floor(Math.random() * n) }, () =>
      String.fromCodePoint(
        Math.random() < 0.9 ? 32 + Math.floor(Math.random() * 90) : 0x80 + Math.floor(Math.random() * 0x3000),
      ),
    ).join('');
  for (let i = 0; i < 200; i++) {
    const d: LogData = {
      timestamp: Math.floor(Math.random() * 2 ** 45),
      service: rnd(20),
      serviceInstance: rnd(40),
      endpoint: rnd(200),
      body: Math.random() < 0.5 ? { text: { text: rnd(400) } } : { json: { json: rnd(300) } },
      traceContext:
        Math.random() < 0.7
          ? { traceId: rnd(50), traceSegmentId: rnd(40), spanId: Math.floor(Math.random() * 400) }
          : undefined,
      tags: Array.from({ length: Math.floor(Math.random() * 5) }, () => ({ key: rnd(10), value: rnd(150) })),
      layer: rnd(8),
    };
    expect(encodeLogData(d).equals(reference(d))).toBe(true);
  }
});

it('records that repeat or change the service, instance, endpoint and trace context one field at a time match protobuf.js each', () => {
  const base: LogData = { ...full, body: { text: { text: 'm' } }, tags: [] };
  const tc = full.traceContext!;
  // equal values in other string objects, then each field changed alone, then back
  const same = (s: string): string => s.split('').join('');
  const cases: LogData[] = [
    base,
    { ...base, service: same(base.service), traceContext: { ...tc, traceId: same(tc.traceId) } },
    { ...base, service: 'payments' },
    { ...base, serviceInstance: 'orders-2' },
    { ...base, endpoint: 'GET:/orders' },
    { ...base, endpoint: '' },
    { ...base, traceContext: { ...tc, traceId: '2a1b.123.457' } },
    { ...base, traceContext: { ...tc, traceSegmentId: 'e'.repeat(32) } },
    { ...base, traceContext: { ...tc, spanId: 4 } },
    { ...base, traceContext: { ...tc, spanId: 0 } },
    { ...base, traceContext: undefined },
    base,
    base,
  ];
  for (const d of cases) expect(encodeLogData(d).equals(reference(d)), JSON.stringify(d)).toBe(true);
});
