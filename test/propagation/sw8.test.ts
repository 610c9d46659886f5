import { decodeCorrelation, encodeCorrelation } from '../../src/propagation/correlation';
import { decodeSw8x, encodeSw8x } from '../../src/propagation/extension';
import { headerNames } from '../../src/propagation/headers';
import { type Sw8Context, decodeSw8, encodeSw8, isValidSw8 } from '../../src/propagation/sw8';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

// Published vectors: skywalking-java ContextCarrierV3HeaderTest (#1, #4) and go2sky propagation_test.go (#5)
const VECTORS: Array<[string, string, Sw8Context]> = [
  [
    'Java ContextCarrierV3HeaderTest',
    '1-My40LjU=-MS4yLjM=-4-c2VydmljZQ==-aW5zdGFuY2U=-L2FwcA==-MTI3LjAuMC4xOjgwODA=',
    {
      sample: 1,
      traceId: '3.4.5',
      segmentId: '1.2.3',
      spanId: 4,
      service: 'service',
      instance: 'instance',
      endpoint: '/app',
      address: '127.0.0.1:8080',
    },
  ],
  [
    'Java plugin tests (span 3)',
    '1-My40LjU=-MS4yLjM=-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwcA==-MTI3LjAuMC4xOjgwODA=',
    {
      sample: 1,
      traceId: '3.4.5',
      segmentId: '1.2.3',
      spanId: 3,
      service: 'service',
      instance: 'instance',
      endpoint: '/app',
      address: '127.0.0.1:8080',
    },
  ],
  [
    'go2sky propagation_test.go',
    '1-MWYyZDRiZjQ3YmY3MTFlYWI3OTRhY2RlNDgwMDExMjI=-MWU3YzIwNGE3YmY3MTFlYWI4NThhY2RlNDgwMDExMjI=-0-c2VydmljZQ==-aW5zdGFuY2U=-cHJvcGFnYXRpb24=-cHJvcGFnYXRpb246NTU2Ng==',
    {
      sample: 1,
      traceId: '1f2d4bf47bf711eab794acde48001122',
      segmentId: '1e7c204a7bf711eab858acde48001122',
      spanId: 0,
      service: 'service',
      instance: 'instance',
      endpoint: 'propagation',
      address: 'propagation:5566',
    },
  ],
  [
    'computed example (reference section 8)',
    '1-NmJhNmQ5YjFlMmYzNGE1NWE2YzJhNWU0YjBkMWMzZTc=-MGYxZTJkM2M0YjVhNjk3ODg3OTZhNWI0YzNkMmUxZjA=-1-ZnJvbnRlbmQ=-ZnJvbnRlbmQtMUBob3N0-R0VUOi9hcGkvb3JkZXJz-b3JkZXJzOjgwODA=',
    {
      sample: 1,
      traceId: '6ba6d9b1e2f34a55a6c2a5e4b0d1c3e7',
      segmentId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      spanId: 1,
      service: 'frontend',
      instance: 'frontend-1@host',
      endpoint: 'GET:/api/orders',
      address: 'orders:8080',
    },
  ],
];

describe('sw8', () => {
  it.each(VECTORS)('decodes and encodes the %s vector exactly', (_name, header, ctx) => {
    expect(decodeSw8(header)).toEqual(ctx);
    expect(encodeSw8(ctx)).toBe(header);
    expect(isValidSw8(ctx)).toBe(true);
  });

  it('round-trips non-ASCII service and endpoint names as UTF-8 base64', () => {
    const ctx: Sw8Context = {
      sample: 0,
      traceId: 'a'.repeat(32),
      segmentId: 'b'.repeat(32),
      spanId: 12,
      service: '服务-α',
      instance: 'ínstance@hôst',
      endpoint: 'GET:/café',
      address: 'bücher:443',
    };
    const header = encodeSw8(ctx)!;
    expect(header).toBe(
      [
        '0',
        b64('a'.repeat(32)),
        b64('b'.repeat(32)),
        '12',
        b64('服务-α'),
        b64('ínstance@hôst'),
        b64('GET:/café'),
        b64('bücher:443'),
      ].join('-'),
    );
    expect(decodeSw8(header)).toEqual(ctx);
  });

  it('gives every caller its own header, whatever the encoder and decoder caches hold', () => {
    const reference = (c: Sw8Context) =>
      [
        String(c.sample),
        b64(c.traceId),
        b64(c.segmentId),
        String(c.spanId),
        b64(c.service),
        b64(c.instance),
        b64(c.endpoint),
        b64(c.address),
      ].join('-');
    const base: Sw8Context = {
      sample: 1,
      traceId: 't1',
      segmentId: 's1',
      spanId: 1,
      service: 'svc',
      instance: 'svc-1',
      endpoint: 'GET:/a',
      address: 'db:5432',
    };
    const contexts: Sw8Context[] = [
      base,
      { ...base, service: 'other' }, // same peer and endpoint, another service
      { ...base, instance: 'svc-2' },
      { ...base, endpoint: 'GET:/b' },
      { ...base, address: 'cache:6379' },
      { ...base, traceId: 't2', segmentId: 's2', spanId: 7 },
      // more peers than the caches hold (512 each), then the first ones again
      ...Array.from({ length: 600 }, (_, i) => ({ ...base, address: `10.0.${i >> 8}.${i & 255}:80`, spanId: i })),
      base,
      { ...base, service: 'other' },
    ];
    for (const c of contexts) {
      expect(encodeSw8(c)).toBe(reference(c));
      expect(decodeSw8(reference(c))).toEqual(c);
    }
    // a remembered tail followed by the same tail with a ninth field
    expect(decodeSw8(`${reference(base)}-${b64('x')}`)).toBeUndefined();
    expect(decodeSw8(reference(base))).toEqual(base);
  });

  const valid = ['1', b64('t'), b64('s'), '4', b64('svc'), b64('inst'), b64('/ep'), b64('host:80')];
  const withField = (i: number, v: string) => valid.map((f, j) => (j === i ? v : f)).join('-');
  const MALFORMED: Array<[string, unknown]> = [
    ['empty', ''],
    ['7 fields', valid.slice(0, 7).join('-')],
    ['9 fields', [...valid, b64('x')].join('-')],
    [
      '3 fields (go2sky negative case)',
      '1-MWYyZDRiZjQ3YmY3MTFlYWI3OTRhY2RlNDgwMDExMjI=-MWU3YzIwNGE3YmY3MTFlYWI4NThhY2RlNDgwMDExMjI=',
    ],
    ['empty trace id', withField(1, '')],
    ['empty service', withField(4, '')],
    ['empty address', withField(7, '')],
    ['base64 of the empty string', withField(5, b64(''))],
    ['bad base64', withField(1, 'not base64!')],
    ['missing padding', withField(4, 'c3Zj'.slice(0, 3))],
    ['url-safe alphabet', withField(6, b64('/ep?>>').replace(/\+/g, '-').replace(/\//g, '_'))],
    ['span id -1', withField(3, '-1')],
    ['span id 1.5', withField(3, '1.5')],
    ['span id hex', withField(3, '0x10')],
    ['span id 2^31', withField(3, String(2 ** 31))],
    ['span id with space', withField(3, ' 1')],
    ['span id empty', withField(3, '')],
    ['sample 2', withField(0, '2')],
    ['sample empty', withField(0, '')],
    ['over 2 KiB', withField(6, b64('x'.repeat(1600)))],
    ['a number', 42],
    ['an array', [valid.join('-')]],
    ['null', null],
    ['an object', { toString: () => valid.join('-') }],
  ];
  it.each(MALFORMED)('treats %s as absent', (_name, value) => {
    expect(decodeSw8(value)).toBeUndefined();
  });

  it('accepts a valid header built from the same fields (control for the table above)', () => {
    expect(decodeSw8(valid.join('-'))).toEqual({
      sample: 1,
      traceId: 't',
      segmentId: 's',
      spanId: 4,
      service: 'svc',
      instance: 'inst',
      endpoint: '/ep',
      address: 'host:80',
    });
  });

  it('refuses to encode what the Java agent would reject', () => {
    const ok: Sw8Context = {
      sample: 1,
      traceId: 't',
      segmentId: 's',
      spanId: 0,
      service: 'a',
      instance: 'b',
      endpoint: 'c',
      address: 'd',
    };
    expect(encodeSw8({ ...ok, address: '' })).toBeUndefined();
    expect(encodeSw8({ ...ok, spanId: -1 })).toBeUndefined();
    expect(encodeSw8({ ...ok, endpoint: 'x'.repeat(2000) })).toBeUndefined();
  });

  it('namespaces header names like the Java agent', () => {
    expect(headerNames('')).toEqual({ sw8: 'sw8', correlation: 'sw8-correlation', extension: 'sw8-x' });
    expect(headerNames('prod')).toEqual({
      sw8: 'prod-sw8',
      correlation: 'prod-sw8-correlation',
      extension: 'prod-sw8-x',
    });
  });
});

describe('sw8-correlation', () => {
  it('decodes the Java and go2sky vectors', () => {
    expect([...decodeCorrelation('dGVzdA==:dHJ1ZQ==')]).toEqual([['test', 'true']]);
    expect([...decodeCorrelation('dGVzdC1rZXk=:dGVzdC12YWx1ZQ==')]).toEqual([['test-key', 'test-value']]);
    expect([...decodeCorrelation('dGVzdC1rZXk=')]).toEqual([]);
  });

  it('encodes like the agents', () => {
    expect(encodeCorrelation([['test', 'true']])).toBe('dGVzdA==:dHJ1ZQ==');
    expect(encodeCorrelation([['test-key', '']])).toBe('dGVzdC1rZXk=:');
    expect(encodeCorrelation([])).toBeUndefined();
  });

  it('keeps at most 3 keys and 128-character values by default, configurable', () => {
    const many = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ] as Array<[string, string]>;
    expect(
      [...decodeCorrelation(encodeCorrelation(many, { maxElements: 10, maxValueLength: 128 }))].map(([k]) => k),
    ).toEqual(['a', 'b', 'c']);
    expect([
      ...decodeCorrelation(encodeCorrelation(many, { maxElements: 10, maxValueLength: 128 }), {
        maxElements: 4,
        maxValueLength: 128,
      }),
    ]).toHaveLength(4);
    expect(encodeCorrelation([['k', 'x'.repeat(129)]])).toBeUndefined();
    expect(encodeCorrelation([['k', 'x'.repeat(129)]], { maxElements: 3, maxValueLength: 200 })).toBe(
      `${b64('k')}:${b64('x'.repeat(129))}`,
    );
    expect([...decodeCorrelation(`${b64('k')}:${b64('x'.repeat(129))}`)]).toEqual([]);
  });

  it('skips malformed items and keeps the rest', () => {
    expect([
      ...decodeCorrelation(
        `${b64('a')}:${b64('1')},garbage,${b64('b')}:${b64('2')}:x,:${b64('v')},${b64('c')}:${b64('3')}`,
      ),
    ]).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
    expect([...decodeCorrelation(42)]).toEqual([]);
  });
});

describe('sw8-x', () => {
  it("reads and writes Java's placeholder form", () => {
    expect(decodeSw8x('1- ')).toEqual({ skipAnalysis: true });
    expect(encodeSw8x({ skipAnalysis: true })).toBe('1- ');
    expect(encodeSw8x({ skipAnalysis: false })).toBe('0- ');
  });

  it('reads and writes the sending timestamp', () => {
    expect(decodeSw8x('0-1700000000000')).toEqual({ skipAnalysis: false, sendingTimestamp: 1_700_000_000_000 });
    expect(encodeSw8x({ skipAnalysis: false, sendingTimestamp: 1_700_000_000_000 })).toBe('0-1700000000000');
  });

  it('ignores garbage fields, refuses non-strings and oversized values', () => {
    expect(decodeSw8x('x-abc')).toEqual({ skipAnalysis: false });
    expect(decodeSw8x('1')).toEqual({ skipAnalysis: true });
    expect(decodeSw8x(7)).toBeUndefined();
    expect(decodeSw8x(`1-${'9'.repeat(3000)}`)).toBeUndefined();
  });
});
