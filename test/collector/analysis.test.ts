import { analyze } from '../../src/collector/analysis';
import { renderTopology, renderTrace } from '../../src/collector/render';
import { type SegmentObject, SpanLayer, type SpanObject, SpanType } from '../../src/base/model';
import { refTo, segmentObject, spanObject, T0 } from '../support/fixtures';

/** A span starting at T0 and lasting 10 ms, whatever its id. */
const span = (p: Partial<SpanObject> & { spanId: number }): SpanObject =>
  spanObject({ startTime: T0, endTime: T0 + 10, ...p });

const seg = (service: string, id: string, spans: SpanObject[], traceId = 'trace-1'): SegmentObject =>
  segmentObject({ traceId, traceSegmentId: id, service, serviceInstance: `${service}-1`, spans });

const ref = (parent: SegmentObject, parentSpanId: number, address: string, endpoint = 'GET:/a') =>
  refTo(parent, parentSpanId, address, { parentEndpoint: endpoint });

/** The walkthrough: User -> frontend -> server-1 -> server-2, plus server-2 -> postgres. */
function walkthrough(): SegmentObject[] {
  const fe = seg('frontend', 'fe', [
    span({
      spanId: 1,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 2,
      peer: 'server-1:8081',
      operationName: '/trace',
    }),
    span({
      spanId: 0,
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 49,
      operationName: 'GET:/trace',
    }),
  ]);
  const s1 = seg('server-1', 's1', [
    span({
      spanId: 1,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 2,
      peer: 'server-2:8082',
      operationName: '/user/info',
    }),
    span({
      spanId: 0,
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 4002,
      operationName: 'GET:/trace',
      refs: [ref(fe, 1, 'server-1:8081', 'GET:/trace')],
    }),
  ]);
  const s2 = seg('server-2', 's2', [
    span({
      spanId: 1,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Database,
      componentId: 22,
      peer: 'postgres:5432',
      operationName: 'pg.query',
      startTime: T0,
      endTime: T0 + 250,
      tags: [
        { key: 'db.type', value: 'postgresql' },
        { key: 'db.statement', value: 'SELECT pg_sleep(0.25)' },
      ],
    }),
    span({
      spanId: 0,
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 49,
      operationName: 'POST:/user/info',
      refs: [ref(s1, 1, 'server-2:8082', 'GET:/trace')],
    }),
  ]);
  return [fe, s1, s2];
}

describe('analyze (the OAP rules)', () => {
  it('gives the walkthrough topology exactly, with virtual database and slow statement', () => {
    const a = analyze(walkthrough());
    expect(
      a.topology.edges.map((e) => `${e.source} -> ${e.target} [${e.components.join(',')}] ${e.detectPoints.join('+')}`),
    ).toEqual([
      'frontend -> server-1 [Express,HttpClient] client+server',
      'server-1 -> server-2 [HttpClient,http] client+server',
      'server-2 -> postgres:5432 [PostgreSQL] client',
      'User -> frontend [http] server',
    ]);
    expect(a.topology.edges.map((e) => e.calls)).toEqual([1, 1, 1, 1]);
    // three traces of it: three calls on every edge (client and server side of one call count once)
    const three = [1, 2, 3].flatMap((n) =>
      walkthrough().map((x) => ({
        ...x,
        traceId: `t${n}`,
        traceSegmentId: `${x.traceSegmentId}-${n}`,
        spans: x.spans.map((sp) => ({
          ...sp,
          refs: sp.refs.map((r) => ({
            ...r,
            traceId: `t${n}`,
            parentTraceSegmentId: `${r.parentTraceSegmentId}-${n}`,
          })),
        })),
      })),
    );
    expect(analyze(three).topology.edges.map((e) => `${e.source} -> ${e.target} ${e.calls}`)).toEqual([
      'frontend -> server-1 3',
      'server-1 -> server-2 3',
      'server-2 -> postgres:5432 3',
      'User -> frontend 3',
    ]);
    expect(a.topology.nodes).toEqual([
      { name: 'frontend', type: 'http', real: true, layer: 'GENERAL' },
      { name: 'postgres:5432', type: 'PostgreSQL', real: false, layer: 'VIRTUAL_DATABASE' },
      { name: 'server-1', type: 'Express', real: true, layer: 'GENERAL' },
      { name: 'server-2', type: 'http', real: true, layer: 'GENERAL' },
      { name: 'User', type: 'USER', real: false, layer: 'USER' },
    ]);
    expect(a.services).toEqual([
      { name: 'frontend', instances: ['frontend-1'], endpoints: ['GET:/trace'] },
      { name: 'server-1', instances: ['server-1-1'], endpoints: ['GET:/trace'] },
      { name: 'server-2', instances: ['server-2-1'], endpoints: ['POST:/user/info'] },
    ]);
    expect(a.endpointRelations).toEqual([
      { source: { service: 'User', endpoint: 'User' }, target: { service: 'frontend', endpoint: 'GET:/trace' } },
      {
        source: { service: 'frontend', endpoint: 'GET:/trace' },
        target: { service: 'server-1', endpoint: 'GET:/trace' },
      },
      {
        source: { service: 'server-1', endpoint: 'GET:/trace' },
        target: { service: 'server-2', endpoint: 'POST:/user/info' },
      },
    ]);
    expect(a.slowStatements).toEqual([
      {
        service: 'server-2',
        database: 'postgres:5432',
        statement: 'SELECT pg_sleep(0.25)',
        latencyMs: 250,
        traceId: 'trace-1',
        id: 's2-1',
      },
    ]);
    expect(a.problems).toEqual([]);
  });

  it('leaves a conjectured peer node when the sw8 address does not match the exit peer, and says why', () => {
    const [fe, s1] = walkthrough();
    s1!.spans[1]!.refs[0]!.networkAddressUsedAtPeer = '10.0.0.7:8081';
    const a = analyze([fe!, s1!]);
    expect(a.topology.edges.map((e) => `${e.source} -> ${e.target}`)).toEqual([
      'frontend -> server-1',
      'frontend -> server-1:8081',
      'server-1 -> server-2:8082',
      'User -> frontend',
    ]);
    expect(a.problems.map((p) => p.message)).toEqual([
      "sw8 address '10.0.0.7:8081' does not match frontend's exit peer 'server-1:8081' (the OAP cannot merge 'server-1:8081' with server-1)",
    ]);
  });

  it('names a call to a known service that the service did not continue (the caller sent no sw8)', () => {
    const [fe, s1, s2] = walkthrough();
    // a second trace: server-1 calls server-2's address again, and server-2 starts a trace of its own
    const lone1 = seg(
      'server-1',
      'lone-1',
      [
        span({
          spanId: 1,
          spanType: SpanType.Exit,
          spanLayer: SpanLayer.Http,
          componentId: 2,
          peer: 'server-2:8082',
          operationName: '/user/info',
        }),
        span({
          spanId: 0,
          spanType: SpanType.Entry,
          spanLayer: SpanLayer.Http,
          componentId: 4002,
          operationName: 'GET:/again',
        }),
      ],
      'trace-2',
    );
    const lone2 = seg(
      'server-2',
      'lone-2',
      [
        span({
          spanId: 0,
          spanType: SpanType.Entry,
          spanLayer: SpanLayer.Http,
          componentId: 49,
          operationName: 'POST:/user/info',
        }),
      ],
      'trace-3',
    );
    const a = analyze([fe!, s1!, s2!, lone1, lone2]);
    expect(a.problems).toEqual([
      {
        traceId: 'trace-2',
        segmentId: 'lone-1',
        service: 'server-1',
        message:
          "Exit span 1 '/user/info' calls server-2:8082, which is server-2, but no segment of server-2 continues it: server-2 received no sw8 from this call and started a trace of its own. " +
          'Usually the caller does not inject: with OpenTelemetry, set textMapPropagator: new SkyWalkingPropagator() (or OTEL_PROPAGATORS) and instrument the client; with OpenTracing, call tracer.inject before the request',
      },
    ]);
    // the walkthrough alone: every call continued (the database exit carries no sw8), no problem
    expect(analyze([fe!, s1!, s2!]).problems).toEqual([]);
  });

  it('uses the User endpoint when the parent endpoint is empty (as skywalking-backend-js sends)', () => {
    const [fe, s1] = walkthrough();
    s1!.spans[1]!.refs[0]!.parentEndpoint = '';
    const a = analyze([fe!, s1!]);
    expect(a.endpointRelations).toContainEqual({
      source: { service: 'frontend', endpoint: 'User' },
      target: { service: 'server-1', endpoint: 'GET:/trace' },
    });
  });

  it('skips Exit spans without peer and skipAnalysis spans, reporting the missing peer', () => {
    const s = seg('svc', 'x', [
      span({ spanId: 1, spanType: SpanType.Exit, componentId: 2, spanLayer: SpanLayer.Http }),
      span({ spanId: 2, spanType: SpanType.Exit, peer: 'skipped:1', skipAnalysis: true }),
      span({ spanId: 0, spanType: SpanType.Entry, componentId: 49 }),
    ]);
    const a = analyze([s]);
    expect(a.topology.edges.map((e) => `${e.source} -> ${e.target}`)).toEqual(['User -> svc']);
    expect(a.problems.map((p) => p.message)).toEqual([
      "Exit span 1 'op-1' has no peer (the OAP skips it: no client-side relation)",
    ]);
  });

  it('makes MQ and cache virtual nodes', () => {
    const producer = seg('producer', 'p', [
      span({
        spanId: 0,
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.MQ,
        componentId: 40,
        peer: 'kafka:9092',
        tags: [{ key: 'mq.topic', value: 'orders' }],
      }),
      span({
        spanId: 1,
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.Cache,
        componentId: 7,
        peer: 'redis:6379',
        tags: [{ key: 'cache.type', value: 'redis' }],
      }),
    ]);
    const consumer = seg('consumer', 'c', [
      span({
        spanId: 0,
        spanType: SpanType.Entry,
        spanLayer: SpanLayer.MQ,
        componentId: 41,
        refs: [ref(producer, 0, 'kafka:9092', 'op-0')],
      }),
    ]);
    const a = analyze([producer, consumer]);
    expect(a.topology.edges.map((e) => `${e.source} -> ${e.target}`)).toEqual([
      'kafka:9092 -> consumer',
      'producer -> kafka:9092',
      'producer -> redis:6379',
    ]);
    expect(a.topology.nodes.filter((n) => !n.real)).toEqual([
      { name: 'kafka:9092', type: 'Kafka', real: false, layer: 'VIRTUAL_MQ' },
      { name: 'redis:6379', type: 'Redis', real: false, layer: 'VIRTUAL_CACHE' },
    ]);
    expect(a.problems).toEqual([]);
  });

  it('reports what the OAP would silently punish', () => {
    const bad = seg('', 'bad', [
      span({ spanId: 1, parentSpanId: 9, startTime: 1_700_000_000 }),
      span({ spanId: 1 }),
      span({
        spanId: 2,
        spanType: SpanType.Entry,
        refs: [{ ...ref(seg('ghost', 'never-arrived', []), 3, 'x:1'), traceId: 'trace-1' }],
      }),
    ]);
    expect(analyze([bad]).problems.map((p) => p.message)).toEqual([
      'segment has an empty service name',
      'duplicate span id 1',
      'segment has no span 0 (the OAP cannot index it: no first span)',
      "span 1 'op-1' starts at 1700000000: not epoch milliseconds",
      "span 1 'op-1' has parent 9, which is not in the segment",
      "span 1 'op-1' has parent 0, which is not in the segment",
      "span 2 'op-2' has parent 0, which is not in the segment",
      'span 2 refers to segment never-arrived (ghost), which never arrived',
    ]);
  });
});

describe('render', () => {
  it('draws the trace as one tree across segments, and the topology', () => {
    const segments = walkthrough();
    expect(renderTrace(segments)).toBe(
      [
        'frontend GET:/trace [Entry Http http] 10 ms',
        '└─ frontend /trace [Exit Http HttpClient] -> server-1:8081 10 ms',
        '   └─ server-1 GET:/trace [Entry Http Express] 10 ms',
        '      └─ server-1 /user/info [Exit Http HttpClient] -> server-2:8082 10 ms',
        '         └─ server-2 POST:/user/info [Entry Http http] 10 ms',
        '            └─ server-2 pg.query [Exit Database PostgreSQL] -> postgres:5432 250 ms',
      ].join('\n'),
    );
    expect(renderTopology(analyze(segments).topology)).toBe(
      [
        'frontend -> server-1       [Express, HttpClient] (client+server)',
        'server-1 -> server-2       [HttpClient, http] (client+server)',
        'server-2 -> postgres:5432  [PostgreSQL] (client)',
        'User -> frontend           [http] (server)',
      ].join('\n'),
    );
  });
});

describe('made-up peers', () => {
  it('a peer that is no network address, the operation name or "unknown" counts as made up; host[:port] lists do not', async () => {
    const { peerMadeUp } = await import('../../src/collector/analysis');
    const span = (peer: string, operationName = 'op') => ({ peer, operationName }) as never;
    expect(['/pay', 'GET /pay', 'unknown', 'mongodb://db:27017', 'a b'].map((p) => peerMadeUp(span(p)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(peerMadeUp(span('orders', 'orders'))).toBe(true);
    expect(
      ['orders:8080', 'orders', '10.0.0.1:5432', '[::1]:11800', 'k1:9092,k2:9092', 'my_host.local'].map((p) =>
        peerMadeUp(span(p)),
      ),
    ).toEqual([false, false, false, false, false, false]);
  });
});
