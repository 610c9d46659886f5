/**
 * The collector's HTTP side over real HTTP: ids that need escaping open by the URL the API hands
 * out, every route and status carries the security headers, error bodies echo nothing raw, searches
 * are answered from a memo while the store does not change, and past the connection cap a new client
 * takes the place of the longest-idle connection.
 */
import { createServer } from 'node:http';
import { type Socket, connect } from 'node:net';
import { capConnections } from '../../src/collector/connections';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { collectorHarness, type RawResponse, rawRequest, services } from '../support/collector';
import { segmentObject, spanObject } from '../support/fixtures';

const { TraceSegmentReportService } = services;
const harness = collectorHarness({ httpPort: 0 });
const collector = harness.start;
const collect = (address: string, segments: unknown[], token?: string) =>
  harness.collect(TraceSegmentReportService, address, segments, token);
const raw = rawRequest;

/** An Entry span and an Exit span without a peer (a problem the analysis lists). */
function segment(traceId: string, i: number): SegmentObject {
  const entry = spanObject({
    startTime: 1_700_000_000_000 + i,
    endTime: 1_700_000_000_020 + i,
    operationName: 'GET:/x',
    spanType: SpanType.Entry,
    spanLayer: SpanLayer.Http,
    componentId: 49,
  });
  const exit = { ...entry, spanId: 1, parentSpanId: 0, spanType: SpanType.Exit, operationName: 'call' };
  return segmentObject({ traceId, traceSegmentId: `seg-${i}`, spans: [entry, exit] });
}

const IDS = ['order/7', 'a%2Fb', 'q?x=1#frag', 'sp ace', 'ünï/cødé', '..', '.', 'a/../b', '<b>x</b>'];

it('every id the API hands out opens by the URL it gives, with / and other escapes in it', async () => {
  const c = await collector();
  expect(
    await collect(
      c.grpcAddress,
      IDS.map((id, i) => segment(id, i)),
    ),
  ).toBeNull();
  const page = JSON.parse((await raw(c.httpUrl!, '/api/search')).body) as {
    traces: Array<{ traceId: string; url: string }>;
  };
  expect(page.traces.map((t) => t.traceId).sort()).toEqual([...IDS].sort());
  expect(page.traces.find((t) => t.traceId === 'order/7')!.url).toBe('/api/traces/order%2F7');
  expect(page.traces.find((t) => t.traceId === '..')!.url).toBe('/api/trace?id=..');
  for (const t of page.traces) {
    const r = await raw(c.httpUrl!, t.url);
    expect([t.traceId, r.status, (JSON.parse(r.body) as { traceId: string }).traceId]).toEqual([
      t.traceId,
      200,
      t.traceId,
    ]);
  }
  const problems = JSON.parse((await raw(c.httpUrl!, '/api/problems')).body) as Array<{
    traceId: string;
    traceUrl: string;
  }>;
  expect(problems.map((p) => p.traceId).sort()).toEqual([...IDS].sort());
  for (const p of problems) expect((await raw(c.httpUrl!, p.traceUrl)).status).toBe(200);
  // the path is matched before decoding: an encoded slash is part of the id, a raw one is another path
  expect((await raw(c.httpUrl!, '/api/traces/order%2F7')).status).toBe(200);
  expect((await raw(c.httpUrl!, '/api/traces/order/7')).status).toBe(404);
});

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

function securityOf(r: RawResponse): Record<string, unknown> {
  return {
    csp: r.headers['content-security-policy'],
    nosniff: r.headers['x-content-type-options'],
    referrer: r.headers['referrer-policy'],
    frame: r.headers['x-frame-options'],
    cache: r.headers['cache-control'],
  };
}

it('every route and status carries CSP, nosniff, Referrer-Policy and a Cache-Control suited to it', async () => {
  const c = await collector({ authentication: 'tok' });
  expect(await collect(c.grpcAddress, [segment('order/7', 1)], 'tok')).toBeNull();
  const port = new URL(c.httpUrl!).port;
  const auth = { authorization: 'Bearer tok' };
  const page = { csp: PAGE_CSP, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', cache: 'no-cache' };
  const data = { csp: DATA_CSP, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', cache: 'no-store' };
  const cases: Array<[string, Record<string, string>, string, number, Record<string, unknown>]> = [
    ['/', auth, 'GET', 200, page],
    ['/ui/', auth, 'GET', 200, page],
    ['/ui/app.js', auth, 'GET', 200, page],
    ['/ui/app.css', auth, 'GET', 200, page],
    ['/?token=tok', {}, 'GET', 302, data],
    ['/?token=bad', {}, 'GET', 401, data],
    ['/', {}, 'GET', 401, data],
    ['/healthz', {}, 'GET', 200, data],
    ['/api/stats', auth, 'GET', 200, data],
    ['/api/traces', auth, 'GET', 200, data],
    ['/api/search', auth, 'GET', 200, data],
    ['/api/traces/order%2F7', auth, 'GET', 200, data],
    ['/api/trace?id=order%2F7', auth, 'GET', 200, data],
    ['/api/logs', auth, 'GET', 200, data],
    ['/api/topology', auth, 'GET', 200, data],
    ['/api/services', auth, 'GET', 200, data],
    ['/api/agents', auth, 'GET', 200, data],
    ['/api/problems', auth, 'GET', 200, data],
    ['/api/slow-statements', auth, 'GET', 200, data],
    ['/api/traces', {}, 'GET', 401, data],
    ['/api/traces/nope', auth, 'GET', 404, data],
    ['/nothing', auth, 'GET', 404, data],
    ['/api/traces?limit=x', auth, 'GET', 400, data],
    ['/api/traces/%E0%A4%A', auth, 'GET', 400, data],
    ['/api/traces', auth, 'POST', 405, data],
    ['/api/traces', { ...auth, host: `evil.example:${port}` }, 'GET', 403, data],
  ];
  const got: unknown[] = [];
  for (const [path, headers, method] of cases) {
    const r = await raw(c.httpUrl!, path, headers, method);
    got.push([method, path, r.status, securityOf(r)]);
  }
  expect(got).toEqual(cases.map(([path, , method, status, h]) => [method, path, status, h]));
});

it('answers written straight to the socket (400 for a malformed request) carry the headers too', async () => {
  const c = await collector();
  const { port } = new URL(c.httpUrl!);
  const text = await new Promise<string>((resolve) => {
    const s = connect(Number(port), '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got));
  });
  expect(text.split('\r\n').slice(0, 8)).toEqual([
    'HTTP/1.1 400 Bad Request',
    'connection: close',
    `content-security-policy: ${DATA_CSP}`,
    'x-content-type-options: nosniff',
    'referrer-policy: no-referrer',
    'x-frame-options: DENY',
    'cache-control: no-store',
    'content-length: 0',
  ]);
});

it('error bodies never echo request text unescaped', async () => {
  const c = await collector();
  const evil = encodeURIComponent('<script>alert(1)</script>');
  const notFound = await raw(c.httpUrl!, `/api/traces/${evil}`);
  expect(notFound).toMatchObject({
    status: 404,
    body: '{"error":"no trace \\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}',
  });
  expect(await raw(c.httpUrl!, `/${evil}`)).toMatchObject({ status: 404 });
  expect((await raw(c.httpUrl!, `/${evil}`)).body).not.toContain('script');
  const bad = await raw(c.httpUrl!, `/api/logs?limit=${evil}`);
  expect(bad).toMatchObject({
    status: 400,
    body: '{"error":"limit must be a whole number \\u003e= 0, got \\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\""}',
  });
  const long = await raw(c.httpUrl!, `/api/traces/${'x'.repeat(5000)}`);
  expect(JSON.parse(long.body)).toEqual({ error: `no trace ${'x'.repeat(120)}... (5000 characters)` });
});

it('a search is answered from its memo while the store does not change, and afresh after (analysisMaxAgeMs 0)', async () => {
  const c = await collector({ analysisMaxAgeMs: 0 });
  expect(await collect(c.grpcAddress, [segment('t1', 1)])).toBeNull();
  const first = await raw(c.httpUrl!, '/api/search?service=svc');
  const again = await raw(c.httpUrl!, '/api/search?service=svc');
  expect(again.body).toBe(first.body);
  expect((JSON.parse(first.body) as { total: number }).total).toBe(1);
  expect(await collect(c.grpcAddress, [segment('t2', 2)])).toBeNull();
  expect((JSON.parse((await raw(c.httpUrl!, '/api/search?service=svc')).body) as { total: number }).total).toBe(2);
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function get(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n\r\nok')) {
        s.off('data', onData);
        resolve(got.split('\r\n')[0]!);
      }
    };
    s.on('data', onData);
    s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  });
}

it('at the connection cap the longest-idle connection is closed for a new client; busy ones are kept', async () => {
  let hold: (() => void) | undefined;
  const server = createServer((req, res) => {
    if (req.headers['x-hold']) hold = () => res.end('ok');
    else res.end('ok');
  });
  const cap = capConnections(server, 3);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const a = await open(port);
    const b = await open(port);
    expect(await get(a)).toBe('HTTP/1.1 200 OK');
    expect(await get(b)).toBe('HTTP/1.1 200 OK');
    // a became idle before b; c is busy (its answer held)
    const c = await open(port);
    const held = new Promise<void>((r) => server.once('request', () => setImmediate(r)));
    c.write('GET / HTTP/1.1\r\nhost: x\r\nx-hold: 1\r\n\r\n');
    await held;
    const aClosed = new Promise<void>((r) => a.once('close', () => r()));
    const d = await open(port);
    expect(await get(d)).toBe('HTTP/1.1 200 OK');
    await aClosed;
    expect([a.destroyed, b.destroyed, c.destroyed, cap.closedIdle()]).toEqual([true, false, false, 1]);
    // now b is the only idle one, then d: the next client replaces b
    const bClosed = new Promise<void>((r) => b.once('close', () => r()));
    const e = await open(port);
    expect(await get(e)).toBe('HTTP/1.1 200 OK');
    await bClosed;
    hold!();
    for (const s of [c, d, e]) s.destroy();
    expect([cap.closedIdle(), cap.refused()]).toEqual([2, 0]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

it('an OpenTracing Exit span that injects sw8 without a peer: its made-up peer is listed in /api/problems', async () => {
  const { SkyWalkingTracer } = await import('../../src/opentracing/tracer');
  const { Tags, FORMAT_HTTP_HEADERS } = await import('opentracing');
  const c = await collector();
  const tracer = new SkyWalkingTracer({ serviceName: 'shop', collectorAddress: c.grpcAddress });
  const entry = tracer.startSpan('GET:/checkout', { tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER } });
  const exit = tracer.startSpan('/pay', { childOf: entry, tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_CLIENT } });
  tracer.inject(exit, FORMAT_HTTP_HEADERS, {});
  exit.finish();
  entry.finish();
  await tracer.flush();
  await tracer.shutdown();
  const traceId = entry.context().toTraceId();
  const problems = JSON.parse((await raw(c.httpUrl!, '/api/problems')).body) as Array<Record<string, string>>;
  expect(problems.map((p) => ({ ...p, segmentId: '' }))).toEqual([
    {
      traceId,
      segmentId: '',
      service: 'shop',
      traceUrl: `/api/traces/${traceId}`,
      message:
        "Exit span 1 '/pay' has peer '/pay', which is no network address: it was made up because no peer was set before inject (the OAP draws a node '/pay' instead of linking the callee). Set the peer: OpenTracing peer.hostname + peer.port, OpenTelemetry server.address + server.port",
    },
  ]);
});

it('the search memo: kept while the version holds or the answer is younger than the max age; bounded', async () => {
  const { VersionMemo } = await import('../../src/collector/search-memo');
  const memo = new VersionMemo(2, 100);
  let n = 0;
  const compute = () => Buffer.from(`v${++n}`);
  expect(memo.get(1, 'a', 1000, compute, 0).toString()).toBe('v1');
  expect(memo.get(1, 'a', 1000, compute, 5000).toString()).toBe('v1'); // same version: kept however old
  expect(memo.get(2, 'a', 1000, compute, 5500).toString()).toBe('v2'); // changed and older than 1 s: afresh
  expect(memo.get(3, 'a', 1000, compute, 5600).toString()).toBe('v2'); // changed but 100 ms old: kept
  expect(memo.get(3, 'b', 1000, compute, 5600).toString()).toBe('v3');
  expect(memo.get(3, 'c', 1000, compute, 5600).toString()).toBe('v4'); // third key: the oldest (a) goes
  expect(memo.get(3, 'a', 1000, compute, 5600).toString()).toBe('v5');
  expect(memo.get(3, 'big', 1000, () => Buffer.alloc(200), 5600).length).toBe(200); // past the byte bound: not kept
  expect([memo.hits, memo.misses]).toEqual([2, 6]);
});

it('503 (responses still being read) and 500 (a handler failed) carry the headers too, and say nothing of the request', async () => {
  const { startHttpApi } = await import('../../src/collector/http-api');
  const { CollectorStore } = await import('../../src/collector/store');
  const { AnalysisCache } = await import('../../src/collector/queries');
  const { AgentTelemetry } = await import('../../src/collector/agent-telemetry');
  const store = new CollectorStore({ maxSegments: 10, maxBytes: 1 << 20, maxLogs: 10, maxLogBytes: 1 << 20 });
  const errors: string[] = [];
  const settings = {
    token: undefined,
    allowedHosts: [],
    headersTimeoutMs: 5000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 1000,
    maxConnections: 16,
    maxPendingBytes: -1,
    analysisMaxAgeMs: 0,
    analysis: new AnalysisCache(store, {}),
    analysisOptions: {},
    telemetry: new AgentTelemetry(),
    stats: (): Record<string, unknown> => {
      throw new Error('stats broke');
    },
    onError: (where: string) => void errors.push(where),
  };
  const busy = await startHttpApi(store, '127.0.0.1', 0, settings);
  const failing = await startHttpApi(store, '127.0.0.1', 0, { ...settings, maxPendingBytes: 1 << 20 });
  const url = (s: typeof busy) => `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  try {
    const a = await raw(url(busy), '/api/traces?x=<b>');
    expect([a.status, a.body, a.headers['retry-after'], securityOf(a)]).toEqual([
      503,
      '{"error":"busy: earlier responses are still being read; try again"}',
      '1',
      { csp: DATA_CSP, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', cache: 'no-store' },
    ]);
    const b = await raw(url(failing), '/api/stats');
    expect([b.status, b.body, securityOf(b), errors]).toEqual([
      500,
      '{"error":"internal error"}',
      { csp: DATA_CSP, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', cache: 'no-store' },
      ['http'],
    ]);
  } finally {
    for (const s of [busy, failing]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }
});
