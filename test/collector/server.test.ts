/**
 * The embedded collector over real gRPC (a plain grpc-js client, not our reporter), its bounds,
 * its JSON API over real HTTP, and the CLI as a child process.
 */
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type * as grpcTypes from '@grpc/grpc-js';
import { type SegmentObject, SpanLayer, SpanType } from '../../src/base/model';
import { collectorHarness, rawRequest, services } from '../support/collector';
import { segmentObject, spanObject } from '../support/fixtures';

const ROOT = resolve(__dirname, '..', '..');
const { grpc, TraceSegmentReportService, ManagementService, LogReportService } = services;
const harness = collectorHarness({ httpPort: false });
const collector = harness.start;

function segment(i: number, traceId = `trace-${i}`): SegmentObject {
  return segmentObject({
    traceId,
    traceSegmentId: `seg-${i}`,
    spans: [
      spanObject({
        startTime: 1_700_000_000_000,
        endTime: 1_700_000_000_020,
        operationName: 'GET:/x',
        spanType: SpanType.Entry,
        spanLayer: SpanLayer.Http,
        componentId: 49,
        isError: i % 2 === 1,
      }),
    ],
  });
}

const collect = (address: string, messages: unknown[], token?: string, service = TraceSegmentReportService) =>
  harness.collect(service, address, messages, token);

function unary(
  address: string,
  method: string,
  request: unknown,
  token?: string,
): Promise<grpcTypes.ServiceError | null> {
  const ctor = method === 'collectInSync' ? TraceSegmentReportService : ManagementService;
  const client = harness.client(ctor, address);
  const md = new grpc.Metadata();
  if (token) md.set('authentication', token);
  return new Promise((done) =>
    (
      client as unknown as Record<
        string,
        (r: unknown, m: grpcTypes.Metadata, cb: (e: grpcTypes.ServiceError | null) => void) => void
      >
    )[method]!(request, md, (e) => done(e)),
  );
}

it('receives segments by stream and by collectInSync, in arrival order, with every field', async () => {
  const c = await collector();
  expect(await collect(c.grpcAddress, [segment(1), segment(2)])).toBeNull();
  expect(await unary(c.grpcAddress, 'collectInSync', { segments: [segment(3)] })).toBeNull();
  expect(c.segments()).toEqual([segment(1), segment(2), segment(3)]);
  expect(c.trace('trace-2')).toEqual([segment(2)]);
  expect(c.traceIds()).toEqual(['trace-1', 'trace-2', 'trace-3']);
});

it('records instance properties and keepAlive', async () => {
  const c = await collector();
  await unary(c.grpcAddress, 'reportInstanceProperties', {
    service: 'svc',
    serviceInstance: 'svc-1',
    properties: [
      { key: 'ipv4', value: '10.0.0.1' },
      { key: 'ipv4', value: '10.0.0.2' },
      { key: 'language', value: 'NodeJS' },
    ],
    layer: '',
  });
  await unary(c.grpcAddress, 'keepAlive', { service: 'svc', serviceInstance: 'svc-1', layer: '' });
  const [inst] = c.instances();
  expect(inst).toMatchObject({
    service: 'svc',
    instance: 'svc-1',
    properties: { ipv4: ['10.0.0.1', '10.0.0.2'], language: ['NodeJS'] },
  });
  expect(inst!.lastPing).toBeGreaterThan(0);
});

it('answers PERMISSION_DENIED without the right token, like the OAP', async () => {
  const c = await collector({ authentication: 'secret' });
  expect((await collect(c.grpcAddress, [segment(1)]))?.code).toBe(grpc.status.PERMISSION_DENIED);
  expect((await collect(c.grpcAddress, [segment(2)], 'wrong'))?.code).toBe(grpc.status.PERMISSION_DENIED);
  expect((await unary(c.grpcAddress, 'keepAlive', { service: 's', serviceInstance: 'i', layer: '' }))?.code).toBe(
    grpc.status.PERMISSION_DENIED,
  );
  expect(await collect(c.grpcAddress, [segment(3)], 'secret')).toBeNull();
  expect(c.segments().map((s) => s.traceSegmentId)).toEqual(['seg-3']);
});

it('keeps at most maxSegments, oldest out', async () => {
  const c = await collector({ maxSegments: 3 });
  await collect(
    c.grpcAddress,
    [1, 2, 3, 4, 5].map((i) => segment(i)),
  );
  expect(c.segments().map((s) => s.traceSegmentId)).toEqual(['seg-3', 'seg-4', 'seg-5']);
  expect(c.trace('trace-1')).toEqual([]);
  expect(c.evicted()).toBe(2);
});

it('serves the JSON API over HTTP', async () => {
  const c = await collector({ httpPort: 0 });
  await collect(c.grpcAddress, [segment(1, 'tr'), { ...segment(2, 'tr'), service: 'other' }]);
  const get = async (path: string) => {
    const res = await fetch(`${c.httpUrl}${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };
  expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok', segments: 2 } });
  expect(await get('/api/traces')).toEqual({
    status: 200,
    body: [
      {
        traceId: 'tr',
        url: '/api/traces/tr',
        services: ['svc', 'other'],
        rootEndpoint: 'GET:/x',
        startTime: 1_700_000_000_000,
        durationMs: 20,
        segments: 2,
        spans: 2,
        error: true,
      },
    ],
  });
  const one = (await get('/api/traces/tr')).body as { segments: SegmentObject[]; tree: string; problems: unknown[] };
  expect(one.segments).toHaveLength(2);
  expect(one.tree).toContain('svc GET:/x [Entry Http http] 20 ms');
  expect(one.problems).toEqual([]);
  expect((await get('/api/topology')).body).toMatchObject({
    edges: [
      { source: 'User', target: 'other' },
      { source: 'User', target: 'svc' },
    ],
  });
  expect(await get('/api/services')).toEqual({
    status: 200,
    body: [
      { name: 'other', instances: [{ name: 'svc-1', properties: {} }], endpoints: ['GET:/x'] },
      { name: 'svc', instances: [{ name: 'svc-1', properties: {} }], endpoints: ['GET:/x'] },
    ],
  });
  expect(await get('/api/traces/nope')).toEqual({ status: 404, body: { error: 'no trace nope' } });
  expect(await get('/nothing')).toEqual({
    status: 404,
    body: {
      error:
        'unknown path; the API serves /healthz, /api/stats, /api/traces, /api/search, /api/traces/:id, /api/trace, /api/logs, /api/topology, /api/services, /api/agents, /api/problems, /api/slow-statements',
    },
  });
});

it('a trace read over HTTP first does not change the analysis options (slow statement thresholds)', async () => {
  const c = await collector({ httpPort: 0, slowDbThresholds: { default: 5 } });
  const db: SegmentObject = {
    ...segment(1, 'slow'),
    spans: [
      segment(1).spans[0]!,
      {
        ...segment(1).spans[0]!,
        spanId: 1,
        parentSpanId: 0,
        spanType: SpanType.Exit,
        spanLayer: SpanLayer.Database,
        componentId: 22,
        peer: 'db:5432',
        operationName: 'pg.query',
        endTime: 1_700_000_000_010,
        tags: [
          { key: 'db.type', value: 'sql' },
          { key: 'db.statement', value: 'select 1' },
        ],
      },
    ],
  };
  await collect(c.grpcAddress, [db]);
  expect((await fetch(`${c.httpUrl}/api/traces/slow`)).status).toBe(200);
  expect(c.analysis().slowStatements).toEqual([
    { service: 'svc', database: 'db:5432', statement: 'select 1', latencyMs: 10, traceId: 'slow', id: 'seg-1-1' },
  ]);
  expect(await (await fetch(`${c.httpUrl}/api/slow-statements`)).json()).toEqual(
    c.analysis().slowStatements.map((s) => ({ ...s, traceUrl: '/api/traces/slow' })),
  );
});

/** The status and body of one request (the headers are http-api.test's). */
async function raw(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { status, body } = await rawRequest(url, path, headers);
  return { status, body };
}

it('JSON API: the token is required (Bearer, Authentication header or cookie), Host must name this server', async () => {
  const c = await collector({ httpPort: 0, authentication: 's3cret' });
  const port = new URL(c.httpUrl!).port;
  await collect(c.grpcAddress, [segment(1, 'tr')], 's3cret');
  const status = async (headers: Record<string, string>, path = '/api/traces') =>
    (await raw(c.httpUrl!, path, headers)).status;
  expect(await raw(c.httpUrl!, '/api/traces', {})).toEqual({
    status: 401,
    body: '{"error":"a token is required (Authorization: Bearer \\u003ctoken\\u003e)"}',
  });
  expect(await status({ authorization: 'Bearer wrong' })).toBe(401);
  expect(await status({ authorization: 'Bearer s3cret' })).toBe(200);
  expect(await status({ authentication: 's3cret' })).toBe(200);
  expect(await status({ cookie: 'sw_bridge_token=s3cret' })).toBe(200);
  expect(await raw(c.httpUrl!, '/healthz', {})).toEqual({ status: 200, body: '{"status":"ok"}' });
  expect(await raw(c.httpUrl!, '/healthz', { authentication: 's3cret' })).toEqual({
    status: 200,
    body: '{"status":"ok","segments":1}',
  });
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
    expect(await status({ host, authentication: 's3cret' })).toBe(200);
  expect(await raw(c.httpUrl!, '/api/traces', { host: `attacker.example:${port}`, authentication: 's3cret' })).toEqual({
    status: 403,
    body: `{"error":"Host \\"attacker.example:${port}\\" is not this server (use an IP address or localhost, or start with --allow-host)"}`,
  });
  expect(await status({ host: `localhost:1`, authentication: 's3cret' })).toBe(403);
  expect(await status({ host: `localhost:${port}`, authentication: 's3cret' }, '/api/traces/%E0%A4%A')).toBe(400);
});

it('JSON API: allowedHosts lets named hosts in', async () => {
  const c = await collector({ httpPort: 0, allowedHosts: ['collector.internal'] });
  const port = new URL(c.httpUrl!).port;
  expect((await raw(c.httpUrl!, '/healthz', { host: `collector.internal:${port}` })).status).toBe(200);
  expect((await raw(c.httpUrl!, '/healthz', { host: `other.internal:${port}` })).status).toBe(403);
});

/**
 * Resolves once `done()` holds, checked at each chunk the child prints (whichever chunks bring the
 * lines), or once the child exits. No deadline of its own: the test's is the one for a hang, and
 * its expectations then say what is missing.
 */
function printed(child: ChildProcessByStdio<null, Readable, Readable>, done: () => boolean): Promise<void> {
  return new Promise<void>((ok) => {
    const check = (): void => {
      if (!done()) return;
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      ok();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', () => ok());
    check();
  });
}

it('runs as a CLI: listens on free ports, prints a trace with its logs under their span, logs without a trace apart, exits 0 on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'dist/entry/cli.js'), 'collector', '--grpc-port', '0', '--http-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  try {
    // both lines, whichever chunk of output brings them (they may come in two)
    await printed(child, () => /grpc listening on \S+/.test(out) && /http listening on \S+/.test(out));
    const address = /grpc listening on (\S+)/.exec(out)![1]!;
    expect(out).toMatch(/http listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(await collect(address, [segment(7, 'cli-trace')])).toBeNull();
    const logs = [
      {
        timestamp: 1,
        service: 'svc',
        body: { text: { text: 'handled' } },
        traceContext: { traceId: 'cli-trace', traceSegmentId: 'seg-7', spanId: 0 },
        tags: { data: [{ key: 'level', value: 'INFO' }] },
      },
      {
        timestamp: 2,
        service: 'svc',
        body: { text: { text: 'loose' } },
        tags: { data: [{ key: 'level', value: 'WARN' }] },
      },
    ];
    expect(await collect(address, logs, undefined, LogReportService)).toBeNull();
    // the printout comes once the collector saw the trace go quiet: wait for its output
    await printed(child, () => out.includes('   log INFO handled\n') && out.includes('svc log WARN loose\n'));
    expect(out).toContain(
      'trace cli-trace (1 segment)\nsvc GET:/x [Entry Http http] 20 ms ERROR\n   log INFO handled\n',
    );
    expect(out).toContain('logs without a trace:\nsvc log WARN loose\n');
  } finally {
    child.kill('SIGTERM');
    // awaited here too, so a failed check above still waits for the process to be gone
    await exited;
  }
  expect(await exited).toBe(0);
  expect(out).toContain('topology:\nUser -> svc  [http] (server)');
});

it('CLI survives a segment 2,000 spans deep and 3,000 segments chained by refs, and prints both', async () => {
  const child = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', resolve(ROOT, 'dist/entry/cli.js'), 'collector', '--grpc-port', '0', '--no-http'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const span = (spanId: number, parentSpanId: number, refs: SegmentObject['spans'][number]['refs'] = []) => ({
    ...segment(0).spans[0]!,
    spanId,
    parentSpanId,
    refs,
    operationName: `op-${spanId}`,
  });
  try {
    await printed(child, () => /grpc listening on (\S+)/.test(out));
    const address = /grpc listening on (\S+)/.exec(out)![1]!;
    const deep: SegmentObject = {
      ...segment(0, 'deep'),
      spans: Array.from({ length: 2000 }, (_, i) => span(i, i - 1)),
    };
    const chain: SegmentObject[] = Array.from({ length: 3000 }, (_, i) => ({
      ...segment(i, 'chain'),
      traceSegmentId: `c${i}`,
      spans: [
        span(
          0,
          -1,
          i === 0
            ? []
            : [
                {
                  refType: 0,
                  traceId: 'chain',
                  parentTraceSegmentId: `c${i - 1}`,
                  parentSpanId: 0,
                  parentService: 'svc',
                  parentServiceInstance: 'svc-1',
                  parentEndpoint: 'op-0',
                  networkAddressUsedAtPeer: 'p',
                },
              ],
        ),
      ],
    }));
    expect(await collect(address, [deep, ...chain])).toBeNull();
    const last = [
      '└─ [depth 1999] svc op-1999 [Entry Http http] 20 ms',
      '└─ [depth 2999] svc op-0 [Entry Http http] 20 ms',
    ];
    await printed(child, () => last.every((l) => out.includes(l)));
    expect(out).toContain(
      'trace deep (1 segment)\nsvc op-0 [Entry Http http] 20 ms\n└─ svc op-1 [Entry Http http] 20 ms\n',
    );
    expect(out).toContain('trace chain (3000 segments)\n');
    expect(out).toContain('└─ [depth 1999] svc op-1999 [Entry Http http] 20 ms');
    expect(out).toContain('└─ [depth 2999] svc op-0 [Entry Http http] 20 ms');
    expect(out).not.toContain('RangeError');
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

it('CLI parses --token and --allow-host', async () => {
  const { parseArgs } = await import('../../src/entry/cli');
  expect(parseArgs(['--token', 't', '--allow-host', 'a.internal, b.internal:8080', '--allow-host', 'c'])).toMatchObject(
    { token: 't', allowedHosts: ['a.internal', 'b.internal:8080', 'c'] },
  );
  expect(parseArgs([])).toMatchObject({ token: undefined, allowedHosts: [] });
});

it('CLI rejects unknown flags with exit 2', () => {
  let status = 0;
  try {
    execFileSync(process.execPath, [resolve(ROOT, 'dist/entry/cli.js'), 'collector', '--bogus'], { stdio: 'pipe' });
  } catch (e) {
    status = (e as { status: number }).status;
  }
  expect(status).toBe(2);
});
