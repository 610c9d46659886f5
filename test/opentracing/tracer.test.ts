import { createServer, type AddressInfo } from 'node:net';
import * as opentracing from 'opentracing';
import { describe, expect, it } from 'vitest';
import { decodeCorrelation } from '../../src/propagation/correlation';
import { decodeSw8, encodeSw8 } from '../../src/propagation/sw8';
import { MemoryReporter } from '../../src/reporter/memory';
import { SkyWalkingTracer } from '../../src/opentracing/tracer';
import { RefType, SpanLayer, SpanType } from '../../src/base/model';
import { raceTimer } from '../support/deadline';

function setup(options: Record<string, unknown> = {}) {
  const reporter = new MemoryReporter();
  const tracer = new SkyWalkingTracer({ serviceName: 'orders', serviceInstance: 'orders-1', reporter, ...options });
  return { reporter, tracer };
}

const JAVA_HEADER = encodeSw8({
  sample: 1,
  traceId: '0af7651916cd43dd8448eb211c80319c.52.16999999990000',
  segmentId: 'b7ad6b7169203331.53.17000000000001',
  spanId: 4,
  service: 'java-gateway',
  instance: 'gw-1@host',
  endpoint: '/api/checkout',
  address: 'orders:8080',
})!;

describe('SkyWalkingTracer', () => {
  it('is an opentracing Tracer that works as the global tracer', () => {
    const { tracer } = setup();
    expect(tracer).toBeInstanceOf(opentracing.Tracer);
    opentracing.initGlobalTracer(tracer);
    const span = opentracing.globalTracer().startSpan('via-global');
    expect(span).toBeInstanceOf(opentracing.Span);
    span.finish();
    opentracing.initGlobalTracer(new opentracing.Tracer());
  });

  it('records a server span and its client child as one segment with mapped fields', () => {
    const { tracer, reporter } = setup();
    const server = tracer.startSpan('GET:/orders/:id', {
      startTime: 1_700_000_000_000,
      tags: {
        'span.kind': 'server',
        'http.method': 'GET',
        'http.url': 'http://orders:8080/orders/7?x=1',
        component: 'express',
      },
    });
    const client = tracer.startSpan('/users/7', { childOf: server, startTime: 1_700_000_000_005 });
    client.setTag('span.kind', 'client');
    client.addTags({
      'peer.hostname': 'users',
      'peer.port': 9090,
      'http.method': 'GET',
      'http.status_code': 200,
      component: 'axios',
    });
    const db = tracer.startSpan('pg.query', { childOf: client.context(), startTime: 1_700_000_000_006 });
    db.addTags({
      'span.kind': 'client',
      'db.type': 'postgresql',
      'db.instance': 'shop',
      'db.statement': 'SELECT 1',
      'peer.address': 'pg:5432',
    });
    db.finish(1_700_000_000_007);
    client.finish(1_700_000_000_010);
    server.setTag('http.status_code', 500);
    server.setTag('error', true);
    server.finish(1_700_000_000_020);

    expect(reporter.segments).toHaveLength(1);
    const seg = reporter.segments[0]!;
    expect(seg.service).toBe('orders');
    expect(seg.serviceInstance).toBe('orders-1');
    expect(seg.spans.map((s) => s.spanId)).toEqual([2, 1, 0]);
    const [dbSpan, clientSpan, serverSpan] = seg.spans;
    expect(serverSpan).toMatchObject({
      spanId: 0,
      parentSpanId: -1,
      operationName: 'GET:/orders/:id',
      spanType: SpanType.Entry,
      spanLayer: SpanLayer.Http,
      componentId: 4002,
      isError: true,
      peer: '',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_000_020,
      refs: [],
    });
    expect(serverSpan!.tags).toEqual([
      { key: 'http.method', value: 'GET' },
      { key: 'url', value: 'http://orders:8080/orders/7?x=1' },
      { key: 'http.status_code', value: '500' },
    ]);
    expect(clientSpan).toMatchObject({
      spanId: 1,
      parentSpanId: 0,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Http,
      componentId: 4005,
      peer: 'users:9090',
    });
    expect(clientSpan!.tags).toEqual([
      { key: 'peer.hostname', value: 'users' },
      { key: 'peer.port', value: '9090' },
      { key: 'http.method', value: 'GET' },
      { key: 'http.status_code', value: '200' },
    ]);
    expect(dbSpan).toMatchObject({
      spanId: 2,
      parentSpanId: 1,
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Database,
      componentId: 22,
      peer: 'pg:5432',
    });
    expect(dbSpan!.tags).toContainEqual({ key: 'db.statement', value: 'SELECT 1' });
    expect(dbSpan!.tags).toContainEqual({ key: 'db.type', value: 'postgresql' });
  });

  it('maps redis to the Cache layer, message buses to MQ, and passes numeric components through', () => {
    const { tracer, reporter } = setup();
    const root = tracer.startSpan('job');
    tracer
      .startSpan('GET', {
        childOf: root,
        tags: { 'span.kind': 'client', 'db.type': 'redis', 'peer.address': 'redis:6379', component: 'ioredis' },
      })
      .finish();
    tracer
      .startSpan('send', {
        childOf: root,
        tags: {
          'span.kind': 'producer',
          'message_bus.destination': 'orders',
          'peer.address': 'kafka:9092',
          component: 'kafka',
        },
      })
      .finish();
    tracer.startSpan('custom', { childOf: root, tags: { component: 5004 } }).finish();
    root.finish();
    const spans = reporter.segments[0]!.spans;
    expect(spans[0]).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.Cache,
      componentId: 7,
      peer: 'redis:6379',
    });
    expect(spans[0]!.tags).toContainEqual({ key: 'cache.type', value: 'redis' });
    expect(spans[1]).toMatchObject({
      spanType: SpanType.Exit,
      spanLayer: SpanLayer.MQ,
      componentId: 40,
      peer: 'kafka:9092',
    });
    expect(spans[1]!.tags).toContainEqual({ key: 'mq.topic', value: 'orders' });
    expect(spans[2]).toMatchObject({ spanType: SpanType.Local, componentId: 5004 });
    expect(spans[3]).toMatchObject({
      spanId: 0,
      spanType: SpanType.Local,
      componentId: 0,
      spanLayer: SpanLayer.Unknown,
    });
  });

  it('reads span.kind set after start, and setOperationName until finish', () => {
    const { tracer, reporter } = setup();
    const span = tracer.startSpan('first');
    span.setOperationName('POST:/user/info');
    span.setTag(opentracing.Tags.SPAN_KIND, opentracing.Tags.SPAN_KIND_RPC_SERVER);
    span.finish();
    span.setOperationName('too-late');
    expect(reporter.segments[0]!.spans[0]).toMatchObject({
      operationName: 'POST:/user/info',
      spanType: SpanType.Entry,
    });
  });

  it('injects sw8 with the exit span id, the entry endpoint and the peer as address', () => {
    const { tracer } = setup();
    const server = tracer.startSpan('GET:/trace', { tags: { 'span.kind': 'server' } });
    const client = tracer.startSpan('/user/info', {
      childOf: server,
      tags: { 'span.kind': 'client', 'peer.hostname': 'server-2', 'peer.port': 8081 },
    });
    const headers: Record<string, string> = {};
    tracer.inject(client, opentracing.FORMAT_HTTP_HEADERS, headers);
    const sw8 = decodeSw8(headers.sw8)!;
    const ctx = client.context();
    expect(sw8).toEqual({
      sample: 1,
      traceId: ctx.toTraceId(),
      segmentId: ctx.toSpanId().split('-')[0],
      spanId: 1,
      service: 'orders',
      instance: 'orders-1',
      endpoint: 'GET:/trace',
      address: 'server-2:8081',
    });
    expect(ctx.toSpanId()).toBe(`${sw8.segmentId}-1`);
    expect(headers['sw8-x']).toBeUndefined();
    expect(headers['sw8-correlation']).toBeUndefined();
  });

  it('continues a Java-style trace id byte for byte, in segments and downstream headers', () => {
    const { tracer, reporter } = setup();
    const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, { SW8: JAVA_HEADER })!;
    expect(parent.toTraceId()).toBe('0af7651916cd43dd8448eb211c80319c.52.16999999990000');
    const server = tracer.startSpan('POST:/checkout', { childOf: parent, tags: { 'span.kind': 'server' } });
    const client = tracer.startSpan('/pay', {
      childOf: server,
      tags: { 'span.kind': 'client', 'peer.address': 'pay:80' },
    });
    const out: Record<string, string> = {};
    tracer.inject(client.context(), opentracing.FORMAT_TEXT_MAP, out);
    client.finish();
    server.finish();
    expect(decodeSw8(out.sw8)!.traceId).toBe('0af7651916cd43dd8448eb211c80319c.52.16999999990000');
    const seg = reporter.segments[0]!;
    expect(seg.traceId).toBe('0af7651916cd43dd8448eb211c80319c.52.16999999990000');
    expect(seg.spans.find((s) => s.spanId === 0)!.refs).toEqual([
      {
        refType: RefType.CrossProcess,
        traceId: '0af7651916cd43dd8448eb211c80319c.52.16999999990000',
        parentTraceSegmentId: 'b7ad6b7169203331.53.17000000000001',
        parentSpanId: 4,
        parentService: 'java-gateway',
        parentServiceInstance: 'gw-1@host',
        parentEndpoint: '/api/checkout',
        networkAddressUsedAtPeer: 'orders:8080',
      },
    ]);
  });

  it('puts a follows-from child of a local span into a new segment with a CrossThread ref', () => {
    const { tracer, reporter } = setup();
    const root = tracer.startSpan('GET:/async', { tags: { 'span.kind': 'server' } });
    const later = tracer.startSpan('background', { references: [opentracing.followsFrom(root.context())] });
    root.finish();
    later.finish();
    expect(reporter.segments).toHaveLength(2);
    const [rootSeg, laterSeg] = reporter.segments;
    expect(laterSeg!.traceId).toBe(rootSeg!.traceId);
    expect(laterSeg!.spans[0]!.refs).toEqual([
      {
        refType: RefType.CrossThread,
        traceId: rootSeg!.traceId,
        parentTraceSegmentId: rootSeg!.traceSegmentId,
        parentSpanId: 0,
        parentService: 'orders',
        parentServiceInstance: 'orders-1',
        parentEndpoint: 'GET:/async',
        networkAddressUsedAtPeer: '',
      },
    ]);
  });

  it('prefers child_of over follows_from among references', () => {
    const { tracer, reporter } = setup();
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const c = tracer.startSpan('c', {
      references: [opentracing.followsFrom(a.context()), opentracing.childOf(b.context())],
    });
    c.finish();
    b.finish();
    a.finish();
    const bSeg = reporter.segments.find((s) => s.spans.some((x) => x.operationName === 'b'))!;
    expect(bSeg.spans.map((s) => s.operationName)).toEqual(['c', 'b']);
  });

  it('carries baggage to children and as sw8-correlation, within the limits', () => {
    const { tracer } = setup();
    const root = tracer.startSpan('root');
    root.setBaggageItem('user', 'alice');
    root.setBaggageItem('tenant', 't1');
    root.setBaggageItem('region', 'eu');
    root.setBaggageItem('fourth', 'over-limit');
    root.setBaggageItem('long', 'x'.repeat(200));
    const child = tracer.startSpan('child', { childOf: root, tags: { 'span.kind': 'client', 'peer.address': 'x:1' } });
    expect(child.getBaggageItem('user')).toBe('alice');
    child.setBaggageItem('user', 'bob');
    expect(root.getBaggageItem('user')).toBe('alice');
    const headers: Record<string, string> = {};
    tracer.inject(child, opentracing.FORMAT_HTTP_HEADERS, headers);
    expect([...decodeCorrelation(headers['sw8-correlation'])]).toEqual([
      ['user', 'bob'],
      ['tenant', 't1'],
      ['region', 'eu'],
    ]);
    const extracted = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, headers)!;
    const server = tracer.startSpan('server', { childOf: extracted });
    expect(server.getBaggageItem('tenant')).toBe('t1');
  });

  it('keeps one span context per span, made when first asked, that sees baggage set before and after', () => {
    const { tracer } = setup();
    const root = tracer.startSpan('root');
    const ctx = root.context();
    expect(root.context()).toBe(ctx);
    root.setBaggageItem('user', 'alice');
    const viaContext = tracer.startSpan('a', { childOf: ctx });
    const viaSpan = tracer.startSpan('b', { childOf: root });
    root.setBaggageItem('user', '');
    expect(root.getBaggageItem('user')).toBeUndefined();
    expect(viaContext.getBaggageItem('user')).toBe('alice');
    expect(viaSpan.getBaggageItem('user')).toBe('alice');
    const plain = tracer.startSpan('c', { childOf: tracer.startSpan('no-baggage') });
    expect(plain.getBaggageItem('user')).toBeUndefined();
    plain.setBaggageItem('k', 'v');
    expect(plain.getBaggageItem('k')).toBe('v');
    expect(plain.context().toTraceId()).toBe(tracer.startSpan('d', { childOf: plain }).context().toTraceId());
  });

  it('writes sw8-x with a sending timestamp for producers and propagates skip-analysis', () => {
    const { tracer, reporter } = setup();
    const producer = tracer.startSpan('send', { tags: { 'span.kind': 'producer', 'peer.address': 'mq:5672' } });
    const headers: Record<string, string> = {};
    const before = Date.now();
    tracer.inject(producer, opentracing.FORMAT_TEXT_MAP, headers);
    const [mode, ts] = headers['sw8-x']!.split('-');
    expect(mode).toBe('0');
    expect(Number(ts)).toBeGreaterThanOrEqual(before);

    const sentAt = Date.now() - 25;
    const consumerCtx = tracer.extract(opentracing.FORMAT_TEXT_MAP, { ...headers, 'sw8-x': `1-${sentAt}` })!;
    const consumer = tracer.startSpan('receive', { childOf: consumerCtx, tags: { 'span.kind': 'consumer' } });
    const down: Record<string, string> = {};
    const exit = tracer.startSpan('next', {
      childOf: consumer,
      tags: { 'span.kind': 'client', 'peer.address': 'n:1' },
    });
    tracer.inject(exit, opentracing.FORMAT_TEXT_MAP, down);
    expect(down['sw8-x']).toBe('1- ');
    exit.finish();
    consumer.finish();
    const finishedAt = Date.now();
    const seg = reporter.segments.at(-1)!;
    expect(seg.spans.every((s) => s.skipAnalysis)).toBe(true);
    const latency = Number(
      seg.spans.find((s) => s.spanId === 0)!.tags.find((t) => t.key === 'transmission.latency')!.value,
    );
    // from the sent time to the consumer's start: at least the 25 ms given, at most until it finished
    expect(latency).toBeGreaterThanOrEqual(25);
    expect(latency).toBeLessThanOrEqual(finishedAt - sentAt);
  });

  it('round-trips through the BINARY format', () => {
    const { tracer, reporter } = setup();
    const span = tracer.startSpan('call', { tags: { 'span.kind': 'client', 'peer.address': 'b:2' } });
    span.setBaggageItem('k', 'v');
    const carrier = new opentracing.BinaryCarrier([]);
    tracer.inject(span, opentracing.FORMAT_BINARY, carrier);
    const text = Buffer.from(carrier.buffer as Uint8Array).toString('utf8');
    const ctx = tracer.extract(opentracing.FORMAT_BINARY, carrier)!;
    expect(ctx.toTraceId()).toBe(span.context().toTraceId());
    expect(ctx.toSpanId()).toBe(span.context().toSpanId());
    span.finish();
    const seg = reporter.segments[0]!;
    const sw8 = encodeSw8({
      sample: 1,
      traceId: seg.traceId,
      segmentId: seg.traceSegmentId,
      spanId: 0,
      service: 'orders',
      instance: 'orders-1',
      endpoint: 'call',
      address: 'b:2',
    });
    expect(text).toBe(
      `sw8: ${sw8}\nsw8-correlation: ${Buffer.from('k').toString('base64')}:${Buffer.from('v').toString('base64')}\n`,
    );
  });

  it('extracts case-insensitively, takes the first array value, and ignores bad carriers', () => {
    const { tracer } = setup();
    expect(tracer.extract(opentracing.FORMAT_HTTP_HEADERS, { Sw8: [JAVA_HEADER, 'x'] })!.toTraceId()).toBe(
      '0af7651916cd43dd8448eb211c80319c.52.16999999990000',
    );
    for (const carrier of [
      null,
      undefined,
      42,
      'sw8',
      [],
      { sw8: 'garbage' },
      { sw8: 5 },
      { sw8: JAVA_HEADER.replace(/^1-/, '1-x') },
    ]) {
      expect(tracer.extract(opentracing.FORMAT_HTTP_HEADERS, carrier as never)).toBeNull();
    }
    expect(tracer.extract('unknown-format', { sw8: JAVA_HEADER })).toBeNull();
    const throwing = {
      get sw8(): string {
        throw new Error('boom');
      },
    };
    expect(tracer.extract(opentracing.FORMAT_TEXT_MAP, throwing)).toBeNull();
  });

  it('never throws on misuse or odd values', () => {
    const { tracer, reporter } = setup();
    const evil = {
      toString() {
        throw new Error('nope');
      },
    };
    const circular: Record<string, unknown> = {};
    circular.me = circular;
    const span = tracer.startSpan(undefined as never, {
      childOf: { not: 'a span' } as never,
      references: [null, 5] as never,
      tags: 7 as never,
    });
    span
      .setTag('obj', { a: 1 })
      .setTag('undef', undefined)
      .setTag('evil', evil)
      .setTag('circ', circular)
      .setTag('big', 10n)
      .setTag(5 as never, 'x');
    span.log({ 'error.object': new TypeError('bad input'), event: 'error' });
    span.log(null as never);
    span.logEvent('cache-miss', { key: 'k' });
    span.finish();
    span.finish();
    span.setTag('after', 1);
    span.log({ after: true });
    tracer.inject(null as never, opentracing.FORMAT_HTTP_HEADERS, {});
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, null);
    tracer.inject(span, 'nope', {});
    const s = reporter.segments[0]!.spans[0]!;
    expect(s.isError).toBe(true);
    expect(s.tags.map((t) => t.key)).toEqual(['obj', 'undef', 'evil', 'circ', 'big']);
    expect(s.tags.find((t) => t.key === 'circ')!.value).toBe('{"me":"[Circular]"}');
    expect(s.logs).toHaveLength(2);
    expect(s.logs[0]!.data.slice(0, 4)).toEqual([
      { key: 'event', value: 'error' },
      { key: 'error.kind', value: 'TypeError' },
      { key: 'message', value: 'bad input' },
      { key: 'stack', value: expect.stringContaining('TypeError: bad input') },
    ]);
    expect(s.logs[1]!.data).toEqual([
      { key: 'event', value: 'cache-miss' },
      { key: 'payload', value: '{"key":"k"}' },
    ]);
  });

  it('fails fast on bad configuration with a message that names the option', () => {
    expect(() => new SkyWalkingTracer({ spanLimit: -1 })).toThrow(
      /option `spanLimit` is -1; expected a whole number from 1 to 100000 \(or leave it out and set env SW_AGENT_SPAN_LIMIT\)/,
    );
    expect(() => new SkyWalkingTracer({ collectorAddress: 'nope' })).toThrow(/collectorAddress/);
  });

  it('shutdown(timeoutMs) and flush(timeoutMs) keep their deadline with the collector away', async () => {
    // a port nothing listens on: bound, read back, closed
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    await new Promise((ok) => server.close(ok));
    const tracer = new SkyWalkingTracer({ serviceName: 'orders', collectorAddress: `127.0.0.1:${port}` });
    tracer.startSpan('GET:/a').finish();
    // the argument is what counted, not the default deadline (the report timeout, 10 s): each settles
    // before a timer of half that, on a busy machine too (both timers fire late alike there)
    expect(await raceTimer(tracer.flush(150), 5000)).toBe('settled');
    tracer.startSpan('GET:/b').finish();
    expect(await raceTimer(tracer.shutdown(150), 5000)).toBe('settled');
    const stats = tracer.stats();
    expect(stats.sent).toBe(0);
    expect(stats.queued + stats.dropped + stats.lost).toBe(2);
  });
});
