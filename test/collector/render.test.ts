/** The trace tree at any depth, with cycles, and with logs under the spans that wrote them. */
import type { StoredLog } from '../../src/collector/logs';
import { renderTrace } from '../../src/collector/render';
import { RefType, type SegmentObject, type SpanObject } from '../../src/base/model';
import { segmentObject, spanObject, T0 } from '../support/fixtures';

/** A span lasting 2 ms under `parentSpanId`. */
const span = (spanId: number, parentSpanId: number, p: Partial<SpanObject> = {}): SpanObject =>
  spanObject({ spanId, parentSpanId, endTime: T0 + spanId + 2, ...p });

const seg = (id: string, spans: SpanObject[], traceId = 'tr'): SegmentObject =>
  segmentObject({ traceId, traceSegmentId: id, serviceInstance: 'i', spans });

function log(seq: number, content: string, ctx: StoredLog['traceContext'], level?: string): StoredLog {
  return {
    seq,
    timestamp: T0 + seq,
    service: 'svc',
    serviceInstance: 'i',
    endpoint: '',
    layer: '',
    contentType: 'TEXT',
    content,
    bodyType: '',
    traceContext: ctx,
    tags: level ? [{ key: 'level', value: level }] : [],
  };
}

it('renders spans nested 2,000 deep without recursion; indentation stops at maxIndent', () => {
  const spans = Array.from({ length: 2000 }, (_, i) => span(i, i - 1));
  const lines = renderTrace([seg('s', spans)], { maxIndent: 3 }).split('\n');
  expect(lines).toHaveLength(2000);
  expect(lines.slice(0, 6)).toEqual([
    'svc op-0 [Local] 2 ms',
    '└─ svc op-1 [Local] 2 ms',
    '   └─ svc op-2 [Local] 2 ms',
    '      └─ svc op-3 [Local] 2 ms',
    '      └─ [depth 4] svc op-4 [Local] 2 ms',
    '      └─ [depth 5] svc op-5 [Local] 2 ms',
  ]);
  expect(lines[1999]).toBe('      └─ [depth 1999] svc op-1999 [Local] 2 ms');
});

it('renders 3,000 segments chained by refs', () => {
  const segments = Array.from({ length: 3000 }, (_, i) =>
    seg(`s${i}`, [
      span(0, -1, {
        operationName: `e${i}`,
        refs:
          i === 0
            ? []
            : [
                {
                  refType: RefType.CrossProcess,
                  traceId: 'tr',
                  parentTraceSegmentId: `s${i - 1}`,
                  parentSpanId: 0,
                  parentService: 'svc',
                  parentServiceInstance: 'i',
                  parentEndpoint: 'x',
                  networkAddressUsedAtPeer: 'p',
                },
              ],
      }),
    ]),
  );
  const lines = renderTrace(segments).split('\n');
  expect(lines).toHaveLength(3000);
  expect(lines[2999]).toBe(`${' '.repeat(32 * 3 - 3)}└─ [depth 2999] svc e2999 [Local] 2 ms`);
});

it('prints spans in a parent cycle apart, once each (a span that is its own parent is a root)', () => {
  const out = renderTrace([seg('s', [span(0, -1), span(1, 2), span(2, 1), span(3, 3)])]);
  expect(out).toBe(
    [
      'svc op-0 [Local] 2 ms',
      'svc op-3 [Local] 2 ms',
      '(2 spans in a parent cycle, reached from no root)',
      'svc op-1 [Local] 2 ms',
      '└─ svc op-2 [Local] 2 ms',
    ].join('\n'),
  );
});

it('prints logs under the span they name, by time; the rest at the end', () => {
  const segments = [seg('s', [span(0, -1), span(1, 0, { tags: [{ key: 'k', value: 'v' }] })])];
  const logs = [
    log(3, 'second on 1', { traceId: 'tr', traceSegmentId: 's', spanId: 1 }, 'WARN'),
    log(2, 'first on 1\nline two', { traceId: 'tr', traceSegmentId: 's', spanId: 1 }, 'INFO'),
    log(1, 'on root', { traceId: 'tr', traceSegmentId: 's', spanId: 0 }),
    log(4, 'no such span', { traceId: 'tr', traceSegmentId: 's', spanId: 9 }),
    { ...log(5, '{"a":1}', { traceId: 'tr', traceSegmentId: 'other', spanId: 0 }), contentType: 'JSON' as const },
  ];
  expect(renderTrace(segments, { logs, tags: true })).toBe(
    [
      'svc op-0 [Local] 2 ms',
      '│  log on root',
      '└─ svc op-1 [Local] 2 ms',
      '      k=v',
      '      log INFO first on 1\\nline two',
      '      log WARN second on 1',
      'logs not matching a span of this trace:',
      '   log no such span',
      '   log JSON {"a":1}',
    ].join('\n'),
  );
});
