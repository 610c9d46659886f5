/**
 * go2sky (SkyWalking's Go SDK, with its net/http plugin) in the same trace as our tracers, over
 * real HTTP between real processes, all reporting over gRPC to the embedded collector:
 *   (a) our OpenTelemetry service (NodeSDK + http + express) -> go2sky server (POST /user/info)
 *   (b) go2sky client (local root span + http client plugin) -> our OpenTracing service
 * The Go programs are built with the Go toolchain here (compat-tests/go/build.js).
 */
import { resolve } from 'node:path';
import { startCollector, type Collector } from '../../src/collector';
import type { SegmentObject, SpanObject } from '../../src/base/model';
import { request, runProcess, startProcess, startService, type Service } from '../../test/support/spawn';

const ROOT = resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildGo, missingGo } = require('./build.js') as {
  buildGo(): { server2: string; client: string };
  missingGo(): string;
};
const missing = missingGo();
if (missing && !process.env.CI)
  console.warn(`go2sky interop tests not run: this machine lacks ${missing} (CI requires it)`);

describe.runIf(!missing || process.env.CI)('go2sky in one trace with our tracers', () => {
  let collector: Collector;
  let bins: { server2: string; client: string };
  const services: Service[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`go2sky interop needs ${missing}`);
    bins = buildGo();
    collector = await startCollector({ grpcPort: 0, httpPort: false });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await collector?.stop();
  });

  const byService = (segments: SegmentObject[], name: string): SegmentObject[] =>
    segments.filter((s) => s.service === name);
  const spanOf = (seg: SegmentObject, id: number): SpanObject => seg.spans.find((s) => s.spanId === id)!;

  it('OpenTelemetry service -> go2sky server: one trace, refs resolve, go2sky reads our sw8', async () => {
    const env = { SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress, PORT: '0' };
    const go = await startProcess(bins.server2, [], { ...env, SW_AGENT_NAME: 'go-server-2' });
    services.push(go);
    const front = await startService(resolve(ROOT, 'examples/opentelemetry/server-1.js'), {
      ...env,
      SW_AGENT_NAME: 'otel-front',
      SERVER2_URL: `http://127.0.0.1:${go.port}`,
    });
    services.push(front);
    const res = await request(`http://127.0.0.1:${front.port}/trace`);
    expect(res.status).toBe(200);
    const goTraceIds = (JSON.parse(res.body) as Array<{ traceId: string }>).map((r) => r.traceId);

    const segments = await collector.waitFor(() => {
      const id = collector.traceIds().find((t) => collector.trace(t).some((s) => s.service === 'otel-front'));
      const segs = id ? collector.trace(id) : [];
      return byService(segs, 'go-server-2').length === 2 && byService(segs, 'otel-front').length === 1
        ? segs
        : undefined;
    }, 20_000);
    const traceId = segments[0]!.traceId;
    expect(new Set(segments.map((s) => s.traceId))).toEqual(new Set([traceId]));
    // go2sky continued our trace id (it answered with the id from its context)
    expect(goTraceIds).toEqual([traceId, traceId]);

    const frontSeg = byService(segments, 'otel-front')[0]!;
    const exits = frontSeg.spans.filter((s) => s.spanType === 1);
    expect(exits).toHaveLength(2);
    for (const exit of exits) {
      expect(exit.peer).toBe(`127.0.0.1:${go.port}`);
      expect(exit.spanLayer).toBe(3);
      expect(exit.componentId).toBe(2);
    }
    const goSegs = byService(segments, 'go-server-2');
    for (const seg of goSegs) {
      expect(seg.serviceInstance).toBe('go-server-2-instance');
      const entry = spanOf(seg, 0);
      expect(entry).toMatchObject({
        spanType: 0,
        spanLayer: 3,
        componentId: 5004,
        operationName: '/POST/user/info',
        parentSpanId: -1,
      });
      expect(spanOf(seg, 1)).toMatchObject({ spanType: 2, operationName: 'user.lookup', parentSpanId: 0 });
      expect(entry.refs).toHaveLength(1);
      const ref = entry.refs[0]!;
      expect(ref).toMatchObject({
        refType: 0,
        traceId,
        parentTraceSegmentId: frontSeg.traceSegmentId,
        parentService: 'otel-front',
        parentServiceInstance: frontSeg.serviceInstance,
        parentEndpoint: 'GET:/trace',
        networkAddressUsedAtPeer: `127.0.0.1:${go.port}`,
      });
      const exit = spanOf(frontSeg, ref.parentSpanId);
      expect(exit.spanType).toBe(1);
      expect(exit.peer).toBe(ref.networkAddressUsedAtPeer);
    }
    // each Go segment points at a different Exit span
    expect(new Set(goSegs.map((s) => spanOf(s, 0).refs[0]!.parentSpanId)).size).toBe(2);
  });

  it("go2sky client -> OpenTracing service: our tracer continues go2sky's trace", async () => {
    const ot = await startService(resolve(ROOT, 'examples/opentracing/server-2.js'), {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
      SW_AGENT_NAME: 'ot-server-2',
      PORT: '0',
    });
    services.push(ot);
    const run = await runProcess(bins.client, [], {
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
      SW_AGENT_NAME: 'go-client',
      TARGET_URL: `http://127.0.0.1:${ot.port}/user/info`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const traceId = /^trace (\S+)$/m.exec(run.stdout)![1]!;
    expect(run.stdout).toMatch(/^status 200 /m);

    const segments = await collector.waitFor(() => {
      const segs = collector.trace(traceId);
      return byService(segs, 'go-client').length === 1 && byService(segs, 'ot-server-2').length === 1
        ? segs
        : undefined;
    }, 20_000);
    const client = byService(segments, 'go-client')[0]!;
    const server = byService(segments, 'ot-server-2')[0]!;
    expect(spanOf(client, 0)).toMatchObject({ spanType: 2, operationName: 'go-client.run', parentSpanId: -1 });
    const exit = spanOf(client, 1);
    expect(exit).toMatchObject({
      spanType: 1,
      spanLayer: 3,
      componentId: 5005,
      peer: `127.0.0.1:${ot.port}`,
      operationName: '/POST/user/info',
    });
    const entry = spanOf(server, 0);
    expect(entry).toMatchObject({ spanType: 0, operationName: 'POST:/user/info', componentId: 49, spanLayer: 3 });
    expect(entry.refs).toEqual([
      {
        refType: 0,
        traceId,
        parentTraceSegmentId: client.traceSegmentId,
        parentSpanId: 1,
        parentService: 'go-client',
        parentServiceInstance: 'go-client-instance',
        // go2sky names the parent endpoint after its segment's first span
        parentEndpoint: 'go-client.run',
        networkAddressUsedAtPeer: `127.0.0.1:${ot.port}`,
      },
    ]);
  });

  it("the collector's OAP-rule analysis has exactly the expected relations", () => {
    const analysis = collector.analysis();
    const edges = analysis.topology.edges.map((e) => `${e.source} -> ${e.target}`).sort();
    expect(edges).toEqual(['User -> otel-front', 'go-client -> ot-server-2', 'otel-front -> go-server-2']);
    expect(analysis.services.map((s) => s.name)).toEqual(['go-client', 'go-server-2', 'ot-server-2', 'otel-front']);
    expect(analysis.problems).toEqual([]);
    // go2sky's heartbeat reached the collector with its properties
    const go = collector.instances().find((i) => i.service === 'go-server-2');
    expect(go?.properties).toMatchObject({ language: ['go'], 'test.role': ['go-server-2'] });
  });
});
