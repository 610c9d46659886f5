/**
 * The OpenTracing walkthrough across two real processes: server-1 (GET /trace, a Local span, two
 * Exit calls) and server-2 (POST /user/info, Entry + Local), both reporting over gRPC to the
 * embedded collector. Asserts the exact refs that link them.
 */
import { resolve } from 'node:path';
import { type Collector, startCollector } from '../src/collector';
import { RefType, SpanLayer, SpanType, type SegmentObject } from '../src/base/model';
import { encodeSw8 } from '../src/propagation/sw8';
import { type Service, request, startService } from '../test/support/spawn';

const ROOT = resolve(__dirname, '..');
let collector: Collector;
let server1: Service;
let server2: Service;

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
  const env = {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
    SW_BRIDGE_FLUSH_INTERVAL: '100',
    PORT: '0',
  };
  server2 = await startService(resolve(ROOT, 'examples/opentracing/server-2.js'), {
    ...env,
    SW_AGENT_NAME: 'server-2',
    SW_AGENT_INSTANCE_NAME: 's2-a',
  });
  server1 = await startService(resolve(ROOT, 'examples/opentracing/server-1.js'), {
    ...env,
    SW_AGENT_NAME: 'server-1',
    SW_AGENT_INSTANCE_NAME: 's1-a',
    SERVER2_URL: `http://127.0.0.1:${server2.port}`,
  });
});

afterAll(async () => {
  const codes = await Promise.all([server1?.stop(), server2?.stop()]);
  await collector?.stop();
  expect(codes).toEqual([0, 0]);
});

function segmentsOf(traceId: string, count: number): Promise<SegmentObject[]> {
  return collector.waitFor(() => {
    const t = collector.trace(traceId);
    return t.length >= count ? t : undefined;
  });
}

async function traceOfRequest(
  headers: Record<string, string> = {},
): Promise<{ traceId: string; s1: SegmentObject; s2: SegmentObject[] }> {
  const before = new Set(collector.segments().map((s) => s.traceSegmentId));
  const res = await request(`http://127.0.0.1:${server1.port}/trace`, { headers });
  expect(res.status).toBe(200);
  const s1 = await collector.waitFor(
    () => collector.segments().find((s) => s.service === 'server-1' && !before.has(s.traceSegmentId)),
    15_000,
  );
  const all = await segmentsOf(s1.traceId, 3);
  return { traceId: s1.traceId, s1, s2: all.filter((s) => s.service === 'server-2') };
}

it('links server-1 and server-2 into one trace with exact refs', async () => {
  const { traceId, s1, s2 } = await traceOfRequest();
  const peer = `127.0.0.1:${server2.port}`;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(s1.serviceInstance).toBe('s1-a');
  expect(s1.spans.map((s) => [s.spanId, s.parentSpanId, s.operationName, s.spanType])).toEqual([
    [2, 1, '/user/info', SpanType.Exit],
    [3, 1, '/user/info', SpanType.Exit],
    [1, 0, 'fetch-users', SpanType.Local],
    [0, -1, 'GET:/trace', SpanType.Entry],
  ]);
  const [exitA, exitB, , entry] = s1.spans;
  expect(entry!.refs).toEqual([]);
  expect(entry).toMatchObject({ componentId: 49, spanLayer: SpanLayer.Http, isError: false });
  for (const exit of [exitA!, exitB!]) {
    expect(exit).toMatchObject({ peer, componentId: 2, spanLayer: SpanLayer.Http, isError: false });
    expect(exit.tags).toEqual(
      expect.arrayContaining([
        { key: 'http.method', value: 'POST' },
        { key: 'http.status_code', value: '200' },
      ]),
    );
  }

  expect(s2).toHaveLength(2);
  const bySpan = new Map(s2.map((s) => [s.spans.find((x) => x.spanId === 0)!.refs[0]!.parentSpanId, s]));
  expect([...bySpan.keys()].sort()).toEqual([2, 3]);
  for (const [parentSpanId, seg] of bySpan) {
    expect(seg.traceId).toBe(traceId);
    expect(seg.serviceInstance).toBe('s2-a');
    expect(seg.spans.map((s) => [s.spanId, s.parentSpanId, s.operationName, s.spanType])).toEqual([
      [1, 0, 'user.lookup', SpanType.Local],
      [0, -1, 'POST:/user/info', SpanType.Entry],
    ]);
    const entry2 = seg.spans[1]!;
    expect(entry2).toMatchObject({ componentId: 49, spanLayer: SpanLayer.Http });
    expect(entry2.refs).toEqual([
      {
        refType: RefType.CrossProcess,
        traceId,
        parentTraceSegmentId: s1.traceSegmentId,
        parentSpanId,
        parentService: 'server-1',
        parentServiceInstance: 's1-a',
        parentEndpoint: 'GET:/trace',
        networkAddressUsedAtPeer: peer,
      },
    ]);
  }
  const analysis = collector.analysis();
  expect(analysis.problems.filter((p) => p.traceId === traceId)).toEqual([]);
});

it('keeps a Java-style trace id from upstream in segments and downstream headers', async () => {
  const javaTraceId = '0af7651916cd43dd8448eb211c80319c.52.16999999990000';
  const sw8 = encodeSw8({
    sample: 1,
    traceId: javaTraceId,
    segmentId: 'b7ad6b7169203331.53.17000000000001',
    spanId: 4,
    service: 'java-gateway',
    instance: 'gw-1@host',
    endpoint: '/api/checkout',
    address: `127.0.0.1:${server1.port}`,
  })!;
  const { traceId, s1, s2 } = await traceOfRequest({ sw8 });
  expect(traceId).toBe(javaTraceId);
  expect(s1.spans.find((s) => s.spanId === 0)!.refs).toEqual([
    {
      refType: RefType.CrossProcess,
      traceId: javaTraceId,
      parentTraceSegmentId: 'b7ad6b7169203331.53.17000000000001',
      parentSpanId: 4,
      parentService: 'java-gateway',
      parentServiceInstance: 'gw-1@host',
      parentEndpoint: '/api/checkout',
      networkAddressUsedAtPeer: `127.0.0.1:${server1.port}`,
    },
  ]);
  expect(s2.map((s) => s.traceId)).toEqual([javaTraceId, javaTraceId]);
  // server-2's refs come from the sw8 header server-1 wrote: it carried the Java trace id unchanged
  expect(s2.map((s) => s.spans.find((x) => x.spanId === 0)!.refs[0]!.traceId)).toEqual([javaTraceId, javaTraceId]);
});
