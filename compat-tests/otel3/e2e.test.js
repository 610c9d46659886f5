'use strict';
// `node --test` under Node 22 with the SDK 3.x line installed beside it (see run.js): a client and a
// server process on sdk-node 0.30x report to our embedded collector; the trace is asserted exactly.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { startCollector } = require('skywalking-bridge');

function start(role, env) {
  const child = spawn(process.execPath, [join(__dirname, 'app.js')], {
    env: { ...process.env, ROLE: role, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out, err })));
  return { child, exited, output: () => out, errors: () => err };
}

test("SDK 3.x: client -> server over real HTTP, one trace with exact refs, object attribute as JSON, a log record with the span's ids", async () => {
  const collector = await startCollector({ grpcPort: 0, httpPort: false });
  const common = { SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress, SW_BRIDGE_FLUSH_INTERVAL: '100' };
  const server = start('server', {
    ...common,
    SW_AGENT_NAME: 'otel3-server',
    SW_AGENT_INSTANCE_NAME: 'otel3-server-1',
  });
  try {
    const port = await new Promise((resolve, reject) => {
      server.child.stdout.on('data', () => {
        const m = /listening on (\d+)/.exec(server.output());
        if (m) resolve(Number(m[1]));
      });
      server.exited.then((r) => reject(new Error(`server exited: ${JSON.stringify(r)}`)));
    });
    const client = start('client', {
      ...common,
      SW_AGENT_NAME: 'otel3-client',
      SW_AGENT_INSTANCE_NAME: 'otel3-client-1',
      TARGET_URL: `http://127.0.0.1:${port}/hello`,
    });
    const c = await client.exited;
    assert.deepEqual(c, { code: 0, signal: null, out: '200 hi\n', err: '' });

    const segments = await collector.waitFor(() => {
      const all = collector.segments();
      return all.length === 2 ? all : undefined;
    });
    const cs = segments.find((s) => s.service === 'otel3-client');
    const ss = segments.find((s) => s.service === 'otel3-server');
    assert.equal(ss.traceId, cs.traceId);
    assert.equal(cs.serviceInstance, 'otel3-client-1');
    assert.deepEqual(
      cs.spans.map((s) => [s.spanId, s.parentSpanId, s.spanType, s.spanLayer, s.componentId, s.operationName, s.peer]),
      [[0, -1, 1, 3, 2, '/hello', `127.0.0.1:${port}`]],
    );
    assert.deepEqual(
      ss.spans.map((s) => [s.spanId, s.parentSpanId, s.spanType, s.spanLayer, s.componentId, s.operationName, s.peer]),
      [[0, -1, 0, 3, 49, 'GET', '']],
    );
    assert.deepEqual(ss.spans[0].refs, [
      {
        refType: 0,
        traceId: cs.traceId,
        parentTraceSegmentId: cs.traceSegmentId,
        parentSpanId: 0,
        parentService: 'otel3-client',
        parentServiceInstance: 'otel3-client-1',
        parentEndpoint: '/hello',
        networkAddressUsedAtPeer: `127.0.0.1:${port}`,
      },
    ]);
    assert.deepEqual(
      ss.spans[0].tags.find((t) => t.key === 'order'),
      { key: 'order', value: '{"id":7,"items":["a","b"]}' },
    );
    // sdk-logs 3.x: the record emitted in the handler, with the server span's SkyWalking ids
    const logs = await collector.waitFor(() => (collector.logs().length === 1 ? collector.logs() : undefined));
    assert.deepEqual(logs, [
      {
        seq: 1,
        timestamp: 1_700_000_000_000,
        service: 'otel3-server',
        serviceInstance: 'otel3-server-1',
        endpoint: 'GET',
        layer: '',
        contentType: 'TEXT',
        content: 'order 7 answered',
        bodyType: '',
        traceContext: { traceId: cs.traceId, traceSegmentId: ss.traceSegmentId, spanId: 0 },
        tags: [
          { key: 'level', value: 'info' },
          { key: 'logger', value: 'orders.http' },
          { key: 'orderId', value: '7' },
        ],
      },
    ]);
  } finally {
    server.child.kill('SIGTERM');
    const s = await server.exited;
    await collector.stop();
    assert.equal(s.err, '');
    assert.equal(s.code, 0);
  }
});
