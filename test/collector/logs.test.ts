/**
 * Logs over real gRPC (LogReportService/collect from a plain grpc-js client): every kind of body,
 * tags, trace context and layer kept as typed records and served exactly by the JSON API, in the
 * trace view and under their span in the tree.
 */
import type { StoredLog } from '../../src/collector';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { collectorHarness, services } from '../support/collector';
import { segmentObject, spanObject, T0 } from '../support/fixtures';

const { grpc, TraceSegmentReportService, LogReportService } = services;
const harness = collectorHarness();
const stream = harness.collect;

const segment: SegmentObject = segmentObject({
  traceId: 'tr-1',
  traceSegmentId: 'seg-1',
  service: 'orders',
  serviceInstance: 'orders-1',
  spans: [
    spanObject({
      spanId: 1,
      startTime: T0 + 1,
      endTime: T0 + 5,
      operationName: 'pg.query',
      peer: 'db:5432',
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Database,
      componentId: 22,
    }),
    spanObject({
      startTime: T0,
      operationName: 'GET:/orders',
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 49,
    }),
  ],
});

const logs = [
  // text, on span 1
  {
    timestamp: T0 + 2,
    service: 'orders',
    serviceInstance: 'orders-1',
    endpoint: 'GET:/orders',
    body: { text: { text: 'querying orders' } },
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-1', spanId: 1 },
    tags: {
      data: [
        { key: 'level', value: 'INFO' },
        { key: 'logger', value: 'db' },
      ],
    },
    layer: 'GENERAL',
  },
  // json, on span 0
  {
    timestamp: T0 + 1,
    service: 'orders',
    serviceInstance: 'orders-1',
    endpoint: 'GET:/orders',
    body: { type: 'json', json: { json: '{"msg":"start","n":1}' } },
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-1', spanId: 0 },
    tags: { data: [{ key: 'level', value: 'DEBUG' }] },
  },
  // yaml, trace but no such span
  {
    timestamp: T0 + 3,
    service: 'orders',
    serviceInstance: 'orders-1',
    body: { yaml: { yaml: 'a: 1' } },
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-9', spanId: 4 },
  },
  // no trace, no body
  { timestamp: T0 + 4, service: 'billing', serviceInstance: 'billing-1' },
];

const stored: StoredLog[] = [
  {
    seq: 1,
    timestamp: T0 + 2,
    service: 'orders',
    serviceInstance: 'orders-1',
    endpoint: 'GET:/orders',
    layer: 'GENERAL',
    contentType: 'TEXT',
    content: 'querying orders',
    bodyType: '',
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-1', spanId: 1 },
    tags: [
      { key: 'level', value: 'INFO' },
      { key: 'logger', value: 'db' },
    ],
  },
  {
    seq: 2,
    timestamp: T0 + 1,
    service: 'orders',
    serviceInstance: 'orders-1',
    endpoint: 'GET:/orders',
    layer: '',
    contentType: 'JSON',
    content: '{"msg":"start","n":1}',
    bodyType: 'json',
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-1', spanId: 0 },
    tags: [{ key: 'level', value: 'DEBUG' }],
  },
  {
    seq: 3,
    timestamp: T0 + 3,
    service: 'orders',
    serviceInstance: 'orders-1',
    endpoint: '',
    layer: '',
    contentType: 'YAML',
    content: 'a: 1',
    bodyType: '',
    traceContext: { traceId: 'tr-1', traceSegmentId: 'seg-9', spanId: 4 },
    tags: [],
  },
  {
    seq: 4,
    timestamp: T0 + 4,
    service: 'billing',
    serviceInstance: 'billing-1',
    endpoint: '',
    layer: '',
    contentType: 'NONE',
    content: '',
    bodyType: '',
    traceContext: null,
    tags: [],
  },
];

it('keeps every kind of LogData and serves it: /api/logs by trace, service, content, pages; /api/traces/:id with logs and the tree', async () => {
  const c = await harness.start({ httpPort: 0, authentication: 'tok' });
  expect(await stream(TraceSegmentReportService, c.grpcAddress, [segment], 'tok')).toBeNull();
  expect(await stream(LogReportService, c.grpcAddress, logs, 'tok')).toBeNull();
  expect((await stream(LogReportService, c.grpcAddress, logs, 'wrong'))?.code).toBe(grpc.status.PERMISSION_DENIED);
  expect(c.logs()).toEqual(stored);

  const get = async (path: string) => {
    const res = await fetch(`${c.httpUrl}${path}`, { headers: { authorization: 'Bearer tok' } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  expect(await get('/api/logs')).toEqual({ status: 200, body: { total: 4, offset: 0, limit: 100, logs: stored } });
  expect(await get('/api/logs?traceId=tr-1')).toEqual({
    status: 200,
    body: { total: 3, offset: 0, limit: 100, logs: stored.slice(0, 3) },
  });
  expect(await get('/api/logs?service=billing')).toEqual({
    status: 200,
    body: { total: 1, offset: 0, limit: 100, logs: [stored[3]] },
  });
  expect(await get('/api/logs?q=%22msg%22')).toEqual({
    status: 200,
    body: { total: 1, offset: 0, limit: 100, logs: [stored[1]] },
  });
  expect(await get('/api/logs?traceId=tr-1&service=orders&q=a&offset=1&limit=1')).toEqual({
    status: 200,
    body: { total: 2, offset: 1, limit: 1, logs: [stored[2]] },
  });
  expect(await get('/api/logs?traceId=nope')).toEqual({
    status: 200,
    body: { total: 0, offset: 0, limit: 100, logs: [] },
  });
  expect(await get('/api/logs?limit=-1')).toEqual({
    status: 400,
    body: { error: 'limit must be a whole number >= 0, got "-1"' },
  });
  expect(await get('/api/logs?limit=5000')).toMatchObject({ status: 200, body: { limit: 1000, total: 4 } });

  const view = (await get('/api/traces/tr-1')).body as Record<string, unknown>;
  expect(view.logs).toEqual(stored.slice(0, 3));
  expect(view.tree).toBe(
    [
      'orders GET:/orders [Entry Http http] 10 ms',
      '│  log DEBUG JSON {"msg":"start","n":1}',
      '└─ orders pg.query [Exit Database PostgreSQL] -> db:5432 4 ms',
      '      log INFO querying orders',
      'logs not matching a span of this trace:',
      '   log YAML a: 1',
    ].join('\n'),
  );
  expect(c.traceView('tr-1')?.logs).toEqual(stored.slice(0, 3));
});

it('bounds stored logs by count and bytes', async () => {
  const c = await harness.start({ httpPort: false, maxLogs: 3, maxLogBytes: 10_000 });
  const many = Array.from({ length: 10 }, (_, i) => ({
    timestamp: T0 + i,
    service: 's',
    body: { text: { text: `line ${i}` } },
  }));
  expect(await stream(LogReportService, c.grpcAddress, many)).toBeNull();
  expect(c.logs().map((l) => l.content)).toEqual(['line 7', 'line 8', 'line 9']);
  const big = Array.from({ length: 5 }, (_, i) => ({
    timestamp: T0 + i,
    service: 's',
    body: { text: { text: `${i}`.repeat(4000) } },
  }));
  expect(await stream(LogReportService, c.grpcAddress, big)).toBeNull();
  expect(c.logs().map((l) => l.content[0])).toEqual(['3', '4']);
  expect(c.stats()).toMatchObject({ logs: 2, logsEvicted: 13, logsRefused: 0 });
  expect(c.stats().logBytes).toBeLessThanOrEqual(10_000);
});
