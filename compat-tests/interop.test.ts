/**
 * One request, one trace, across our tracers and the official SkyWalking Node agent — and across
 * services still on jaeger-client or zipkin-js while a fleet migrates. Real processes, real HTTP,
 * all SkyWalking reporters sending over gRPC to the embedded collector. Every service is a relay
 * (compat-tests/fixtures/): `GET /hop?via=a,b,c` calls a, which calls b, and so on.
 */
import { resolve } from 'node:path';
import { startCollector, type Collector } from '../src/collector';
import { hexSpanIdOf, hexTraceIdOf } from '../src/base/ids';
import type { SegmentObject, SpanObject } from '../src/base/model';
import { request, startService, type Service } from '../test/support/spawn';

const FIXTURES = resolve(__dirname, 'fixtures');

type Kind = 'backend-js' | 'opentracing' | 'opentelemetry' | 'jaeger' | 'zipkin';

let collector: Collector;
const running: Service[] = [];

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: false });
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await collector?.stop();
});

async function relay(
  kind: Kind,
  name: string,
  env: Record<string, string> = {},
): Promise<Service & { url: string; name: string }> {
  const service = await startService(resolve(FIXTURES, `relay-${kind}.js`), {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
    SW_AGENT_NAME: name,
    RELAY_NAME: name,
    PORT: '0',
    ...env,
  });
  running.push(service);
  return Object.assign(service, { url: `http://127.0.0.1:${service.port}`, name });
}

/** GET the first relay's /hop with the rest as `via`; expects 200 and the nested service names. */
async function hop(
  first: { url: string },
  rest: Array<{ url: string }>,
  headers: Record<string, string> = {},
): Promise<string[]> {
  const res = await request(`${first.url}/hop?via=${rest.map((r) => r.url).join(',')}`, { headers });
  expect(res.status, res.body).toBe(200);
  const names: string[] = [];
  for (let node = JSON.parse(res.body) as { service: string; next?: unknown }; node; node = node.next as typeof node)
    names.push(node.service);
  return names;
}

const span0 = (seg: SegmentObject): SpanObject => seg.spans.find((s) => s.spanId === 0)!;

/** Segments of the trace holding `service`'s segment, once `count` segments arrived. */
async function traceOf(service: string, count: number): Promise<SegmentObject[]> {
  return collector.waitFor(() => {
    const id = collector.traceIds().find((t) => collector.trace(t).some((s) => s.service === service));
    const segs = id ? collector.trace(id) : [];
    return segs.length >= count ? segs : undefined;
  });
}

/**
 * The link rules, checked on every segment with a ref: the ref names a received segment and an
 * Exit span in it, whose peer is the address the caller wrote into sw8; parent service and
 * instance are the caller's. Returns the chain as `caller -> callee` strings.
 */
function links(segments: SegmentObject[]): string[] {
  const byId = new Map(segments.map((s) => [s.traceSegmentId, s]));
  const out: string[] = [];
  for (const seg of segments) {
    expect(seg.traceId).toBe(segments[0]!.traceId);
    for (const ref of span0(seg).refs) {
      const parent = byId.get(ref.parentTraceSegmentId);
      expect(parent, `${seg.service}'s ref names segment ${ref.parentTraceSegmentId}`).toBeDefined();
      const exit = parent!.spans.find((s) => s.spanId === ref.parentSpanId)!;
      expect(exit.spanType).toBe(1);
      expect(ref.networkAddressUsedAtPeer).toBe(exit.peer);
      expect(ref.parentService).toBe(parent!.service);
      expect(ref.parentServiceInstance).toBe(parent!.serviceInstance);
      expect(ref.traceId).toBe(seg.traceId);
      out.push(`${parent!.service} -> ${seg.service}`);
    }
  }
  return out.sort();
}

function relationsAmong(names: string[]): string[] {
  return collector
    .analysis()
    .topology.edges.filter((e) => names.includes(e.source) || names.includes(e.target))
    .map((e) => `${e.source} -> ${e.target}`)
    .sort();
}

function problemsAmong(names: string[]): string[] {
  return collector
    .analysis()
    .problems.filter((p) => names.includes(p.service))
    .map((p) => `${p.service}: ${p.message}`);
}

describe('with the official SkyWalking Node agent', () => {
  it('backend-js -> OpenTracing -> OpenTelemetry -> backend-js: one trace, every ref resolves', async () => {
    // started together: each is a process that takes a second or so to load
    const [a, b, c, d] = await Promise.all([
      relay('backend-js', 'a-agent'),
      relay('opentracing', 'b-ot'),
      relay('opentelemetry', 'c-otel'),
      relay('backend-js', 'd-agent'),
    ]);
    expect(await hop(a, [b, c, d])).toEqual(['a-agent', 'b-ot', 'c-otel', 'd-agent']);
    const segments = await traceOf('a-agent', 4);
    expect(segments.map((s) => s.service).sort()).toEqual(['a-agent', 'b-ot', 'c-otel', 'd-agent']);
    expect(links(segments)).toEqual(['a-agent -> b-ot', 'b-ot -> c-otel', 'c-otel -> d-agent']);
    const ref = (service: string) => span0(segments.find((s) => s.service === service)!).refs[0]!;
    // the official agent writes its Exit span's name into sw8's parent-endpoint field ...
    expect(ref('b-ot').parentEndpoint).toBe('/hop');
    // ... our tracers write the Entry endpoint, as the Java agent does
    expect(ref('c-otel').parentEndpoint).toBe('GET:/hop');
    // the official agent does not keep the parent endpoint it receives (the OAP then shows the
    // relation without a parent endpoint, as for any backend-js callee)
    expect(ref('d-agent').parentEndpoint).toBe('');
    const names = ['a-agent', 'b-ot', 'c-otel', 'd-agent'];
    expect(relationsAmong(names)).toEqual([
      'User -> a-agent',
      'a-agent -> b-ot',
      'b-ot -> c-otel',
      'c-otel -> d-agent',
    ]);
    expect(problemsAmong(names)).toEqual([]);
  });

  it('backend-js -> OpenTelemetry -> OpenTracing -> backend-js (the reverse order)', async () => {
    // started together: each is a process that takes a second or so to load
    const [a, b, c, d] = await Promise.all([
      relay('backend-js', 'e-agent'),
      relay('opentelemetry', 'f-otel'),
      relay('opentracing', 'g-ot'),
      relay('backend-js', 'h-agent'),
    ]);
    expect(await hop(a, [b, c, d])).toEqual(['e-agent', 'f-otel', 'g-ot', 'h-agent']);
    const segments = await traceOf('e-agent', 4);
    expect(links(segments)).toEqual(['e-agent -> f-otel', 'f-otel -> g-ot', 'g-ot -> h-agent']);
    const names = ['e-agent', 'f-otel', 'g-ot', 'h-agent'];
    expect(relationsAmong(names)).toEqual([
      'User -> e-agent',
      'e-agent -> f-otel',
      'f-otel -> g-ot',
      'g-ot -> h-agent',
    ]);
    expect(problemsAmong(names)).toEqual([]);
  });

  it('a Java-agent header at the edge: its trace id is kept all the way, the Java parent is named', async () => {
    // started together: each is a process that takes a second or so to load
    const [b, c, d] = await Promise.all([
      relay('opentracing', 'i-ot'),
      relay('opentelemetry', 'j-otel'),
      relay('backend-js', 'k-agent'),
    ]);
    const javaTraceId = 'a1b2c3d4e5f6.81.17000000000010001';
    // written by hand as the Java agent writes it: sample-trace-segment-span-service-instance-endpoint-address
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    const sw8 = [
      '1',
      b64(javaTraceId),
      b64('a1b2c3d4e5f6.82.17000000000010000'),
      '3',
      b64('java-gateway'),
      b64('f1e2d3@10.0.0.7'),
      b64('{GET}/api/orders'),
      b64(`127.0.0.1:${b.port}`),
    ].join('-');
    expect(await hop(b, [c, d], { sw8 })).toEqual(['i-ot', 'j-otel', 'k-agent']);
    const segments = await collector.waitFor(() => {
      const segs = collector.trace(javaTraceId);
      return segs.length >= 3 ? segs : undefined;
    }, 20_000);
    expect(segments.map((s) => s.service).sort()).toEqual(['i-ot', 'j-otel', 'k-agent']);
    for (const seg of segments) expect(seg.traceId).toBe(javaTraceId);
    const entry = span0(segments.find((s) => s.service === 'i-ot')!);
    expect(entry.refs).toEqual([
      {
        refType: 0,
        traceId: javaTraceId,
        parentTraceSegmentId: 'a1b2c3d4e5f6.82.17000000000010000',
        parentSpanId: 3,
        parentService: 'java-gateway',
        parentServiceInstance: 'f1e2d3@10.0.0.7',
        parentEndpoint: '{GET}/api/orders',
        networkAddressUsedAtPeer: `127.0.0.1:${b.port}`,
      },
    ]);
    const names = ['i-ot', 'j-otel', 'k-agent'];
    expect(relationsAmong(names)).toEqual(['i-ot -> j-otel', 'j-otel -> k-agent', 'java-gateway -> i-ot']);
    // the Java service's own segment never reached this collector: that, and only that, is flagged
    expect(problemsAmong(names)).toEqual([expect.stringMatching(/^i-ot: .*a1b2c3d4e5f6\.82\.17000000000010000/)]);
  });
});

interface JaegerSpan {
  operation: string;
  traceId: string;
  spanId: string;
  parentId: string | null;
  kind: string;
}
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind: string;
  /** Zipkin's callee side of a span it shares with its caller (same id). */
  shared?: boolean;
  localEndpoint: { serviceName: string };
}

/** `SPAN {json}` lines a jaeger/zipkin relay printed, once `count` arrived. */
async function printedSpans<T>(service: Service, count: number): Promise<T[]> {
  return collector.waitFor(() => {
    const spans = service
      .output()
      .split('\n')
      .filter((l) => l.startsWith('SPAN '))
      .map((l) => JSON.parse(l.slice(5)) as T);
    return spans.length >= count ? spans : undefined;
  });
}

const pad32 = (hex: string): string => hex.padStart(32, '0');

describe('migrating from Jaeger and Zipkin: services on the old tracer keep their traces', () => {
  it('jaeger-client -> our OpenTracing service -> back to jaeger-client (uber-trace-id both ways)', async () => {
    // started together: each is a process that takes a second or so to load
    const [j, ot] = await Promise.all([
      relay('jaeger', 'jaeger-svc'),
      relay('opentracing', 'ot-migrating', { SW_BRIDGE_LEGACY_INJECT: 'jaeger' }),
    ]);
    expect(await hop(j, [ot, j])).toEqual(['jaeger-svc', 'ot-migrating', 'jaeger-svc']);
    const spans = await printedSpans<JaegerSpan>(j, 3);
    const [server1, client, server2] = [
      spans.find((s) => s.kind === 'server' && !s.parentId)!,
      spans.find((s) => s.kind === 'client')!,
      spans.find((s) => s.kind === 'server' && s.parentId)!,
    ];
    expect(client.parentId).toBe(server1.spanId);
    // the callback continued the same Jaeger trace, in the id's original 64-bit width
    // (jaeger-client prints ids without leading zeros) ...
    expect(server1.traceId).toMatch(/^[0-9a-f]{1,16}$/);
    // we send ids full width; jaeger-client keeps a received id as sent, so when the id starts
    // with a zero (one trace in 16) server2 prints it with the zero: the same id by Jaeger's rules
    expect(server2.traceId.replace(/^0+/, '')).toBe(server1.traceId);
    const [seg] = await collector.waitFor(() => {
      const segs = collector.segments().filter((x) => x.service === 'ot-migrating');
      return segs.length ? segs : undefined;
    });
    // ... and our service recorded it under the Jaeger trace id, padded to 32 hex digits
    expect(seg!.traceId).toBe(pad32(server1.traceId));
    const entry = span0(seg!);
    expect(entry.refs).toEqual([]);
    expect(entry.tags).toContainEqual({ key: 'legacy.parent.format', value: 'jaeger' });
    // jaeger's callback span is a child of our Exit span's id as we wrote it into uber-trace-id
    const exit = seg!.spans.find((x) => x.spanType === 1)!;
    expect(exit.peer).toBe(`127.0.0.1:${j.port}`);
    // the id we wrote: our hash of the Exit span's segment and span id (jaeger-client may drop leading zeros)
    expect(server2.parentId?.padStart(16, '0')).toBe(hexSpanIdOf(seg!.traceSegmentId, exit.spanId));
    expect([client.spanId, server1.spanId]).not.toContain(server2.parentId);
  });

  it('zipkin-js -> our OpenTelemetry service with B3 beside ours -> back to zipkin-js', async () => {
    // started together: each is a process that takes a second or so to load
    const [z, otel] = await Promise.all([
      relay('zipkin', 'zipkin-svc'),
      relay('opentelemetry', 'otel-migrating', { RELAY_PROPAGATORS: 'b3multi' }),
    ]);
    expect(await hop(z, [otel, z])).toEqual(['zipkin-svc', 'otel-migrating', 'zipkin-svc']);
    const spans = await printedSpans<ZipkinSpan>(z, 3);
    const servers = spans.filter((s) => s.kind === 'SERVER');
    const client = spans.find((s) => s.kind === 'CLIENT')!;
    expect(servers, JSON.stringify(spans, null, 1)).toHaveLength(2);
    const first = servers.find((s) => !s.shared)!;
    const callback = servers.find((s) => s.shared)!;
    expect(first.parentId).toBeUndefined();
    expect(client.parentId).toBe(first.id);
    // the callback continued the same Zipkin trace, under the OTel client span's id; OTel's B3
    // propagator writes the id zero-extended to 128 bits, which Zipkin normalizes back to 64
    expect(callback.traceId).toBe(pad32(first.traceId));
    expect([first.id, client.id]).not.toContain(callback.id);
    const [seg] = await collector.waitFor(() => {
      const segs = collector.segments().filter((x) => x.service === 'otel-migrating');
      return segs.length ? segs : undefined;
    });
    expect(seg!.traceId).toBe(pad32(first.traceId));
    const entry = span0(seg!);
    expect(entry.refs).toEqual([]);
    expect(entry.tags).toContainEqual({ key: 'legacy.parent.format', value: 'b3multi' });
    // zipkin's callback is a child of the OTel client span, whose id the B3 propagator wrote
    const exit = seg!.spans.find((x) => x.spanType === 1)!;
    expect(exit.peer).toBe(`127.0.0.1:${z.port}`);
    expect(callback.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('jaeger-client -> our OpenTelemetry service with the Jaeger propagator beside ours -> back', async () => {
    // started together: each is a process that takes a second or so to load
    const [j, otel] = await Promise.all([
      relay('jaeger', 'jaeger-svc-2'),
      relay('opentelemetry', 'otel-with-jaeger', { RELAY_PROPAGATORS: 'jaeger' }),
    ]);
    expect(await hop(j, [otel, j])).toEqual(['jaeger-svc-2', 'otel-with-jaeger', 'jaeger-svc-2']);
    const spans = await printedSpans<JaegerSpan>(j, 3);
    const first = spans.find((s) => s.kind === 'server' && !s.parentId)!;
    const callback = spans.find((s) => s.kind === 'server' && s.parentId)!;
    // OTel's Jaeger propagator writes 128-bit ids: the same trace, zero-extended
    expect(callback.traceId).toBe(pad32(first.traceId));
    const [seg] = await collector.waitFor(() => {
      const segs = collector.segments().filter((x) => x.service === 'otel-with-jaeger');
      return segs.length ? segs : undefined;
    });
    expect(seg!.traceId).toBe(pad32(first.traceId));
    expect(span0(seg!).tags).toContainEqual({ key: 'legacy.parent.format', value: 'jaeger' });
  });

  it('sw8 still wins when both arrive: a SkyWalking caller through an OTel service with B3 and Jaeger beside ours', async () => {
    // started together: each is a process that takes a second or so to load
    const [a, otel, z] = await Promise.all([
      relay('backend-js', 'sw-caller'),
      relay('opentelemetry', 'otel-composite', { RELAY_PROPAGATORS: 'b3multi,jaeger,w3c' }),
      relay('zipkin', 'zipkin-leaf'),
    ]);
    expect(await hop(a, [otel, z])).toEqual(['sw-caller', 'otel-composite', 'zipkin-leaf']);
    const segments = await traceOf('sw-caller', 2);
    expect(links(segments)).toEqual(['sw-caller -> otel-composite']);
    // the zipkin leaf saw the same trace (B3 written beside sw8 from the same OTel context)
    const [leaf] = await printedSpans<ZipkinSpan>(z, 1);
    // the OTel context carries the SkyWalking trace id (hex as is, anything else mapped)
    expect(leaf!.traceId).toBe(hexTraceIdOf(segments[0]!.traceId));
    expect(relationsAmong(['sw-caller', 'otel-composite'])).toEqual([
      'User -> sw-caller',
      'otel-composite -> 127.0.0.1:' + z.port,
      'sw-caller -> otel-composite',
    ]);
  });
});
