/**
 * ProtoWriter's fast paths against protobuf.js's own Writer: 64-bit times around every varint
 * length, sub-messages whose length guess (`openSized`) was wrong both ways, and key/value pairs
 * that leave the one-pass path (non-ASCII, long).
 */
import protobuf from 'protobufjs';
import { ProtoWriter } from '../../src/protocol/proto-writer';

function reference(build: (w: protobuf.Writer) => void): Buffer {
  const w = protobuf.Writer.create();
  build(w);
  return Buffer.from(w.finish());
}

function pair(w: protobuf.Writer, field: number, key: string, value: string): void {
  w.uint32((field << 3) | 2).fork();
  if (key !== '') w.uint32(10).string(key);
  if (value !== '') w.uint32(18).string(value);
  w.ldelim();
}

it('writes int64 fields as protobuf.js does, across the 2^32 and 2^53 edges and for epoch ms', () => {
  const values = [
    1,
    127,
    128,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 35,
    1_700_000_000_123,
    2 ** 49 - 1,
    2 ** 52 + 7,
    2 ** 53 - 1,
    -1,
    -(2 ** 40),
  ];
  for (const v of values) {
    const w = new ProtoWriter(64);
    w.reset();
    w.int64Field(3, v);
    expect(w.finish().toString('hex'), String(v)).toBe(reference((r) => r.uint32(24).int64(v)).toString('hex'));
  }
});

it('closes a sub-message right whatever its length guess: short, two-byte and three-byte lengths', () => {
  for (const [hint, size] of [
    [0, 10],
    [0, 300],
    [200, 10],
    [200, 127],
    [200, 128],
    [200, 16_383],
    [200, 16_384],
    [200, 70_000],
  ] as const) {
    // a string field of `size` bytes in all: its tag, its length's varint, its characters
    const body = 'x'.repeat(size - 2 - (size - 2 >= 128 ? (size - 2 >= 16384 ? 2 : 1) : 0));
    const w = new ProtoWriter(256);
    w.reset();
    const mark = w.openSized(3, hint);
    w.stringField(6, body);
    w.close(mark);
    w.boolField(14, true);
    const expected = reference((r) => {
      r.uint32(26).fork().uint32(50).string(body).ldelim();
      r.uint32(112).bool(true);
    });
    expect(w.finish().equals(expected), `hint ${hint}, size ${size}`).toBe(true);
  }
});

it('writes key/value pairs in one pass or, for non-ASCII and long ones, the long way, alike', () => {
  const cases: Array<[string, string]> = [
    ['http.method', 'GET'],
    ['', 'v'],
    ['k', ''],
    ['', ''],
    ['ключ', 'ascii'],
    ['key', 'wert-ü'],
    ['k', 'v'.repeat(123)],
    ['k', 'v'.repeat(124)],
    ['k'.repeat(200), 'v'],
  ];
  for (const [key, value] of cases) {
    const w = new ProtoWriter(64);
    w.reset();
    w.pairField(12, key, value);
    expect(w.finish().toString('hex'), `${key}=${value}`).toBe(
      reference((r) => pair(r, 12, key, value)).toString('hex'),
    );
  }
});
