'use strict';
// `node --test` under Node 22 with the SDK 3.x line (see run.js): the zero-code start
// (`--require skywalking-bridge/register`, auto-instrumentations-node 0.82) on apps with no tracing
// code (the repository's test/opentelemetry/register-apps, copied beside this file).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { startCollector } = require('skywalking-bridge');

function start(file, env) {
  const child = spawn(
    process.execPath,
    ['--require', 'skywalking-bridge/register', join(__dirname, 'register-apps', file)],
    {
      cwd: __dirname,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out, err })));
  return { child, exited, output: () => out };
}

test('SDK 3.x zero-code start: client -> backend, exact refs; SIGTERM flushes and exits', async () => {
  const collector = await startCollector({ grpcPort: 0, httpPort: false });
  const common = { SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress };
  // the backend flushes only at shutdown
  const backend = start('backend.js', {
    ...common,
    SW_AGENT_NAME: 'z3-backend',
    SW_AGENT_INSTANCE_NAME: 'z3-backend-1',
    SW_BRIDGE_FLUSH_INTERVAL: '600000',
  });
  let ended = false;
  try {
    const port = await new Promise((resolve, reject) => {
      backend.child.stdout.on('data', () => {
        const m = /listening on (\d+)/.exec(backend.output());
        if (m) resolve(Number(m[1]));
      });
      backend.exited.then((r) => reject(new Error(`backend exited: ${JSON.stringify(r)}`)));
    });
    const client = await start('client.js', {
      ...common,
      SW_AGENT_NAME: 'z3-client',
      SW_AGENT_INSTANCE_NAME: 'z3-client-1',
      TARGET_URL: `http://127.0.0.1:${port}/back`,
    }).exited;
    assert.deepEqual(client, { code: 0, signal: null, out: '200 {"from":"backend"}\n', err: '' });

    const t0 = Date.now();
    backend.child.kill('SIGTERM');
    const b = await backend.exited;
    ended = true;
    assert.deepEqual({ code: b.code, signal: b.signal, err: b.err }, { code: null, signal: 'SIGTERM', err: '' });
    assert.ok(Date.now() - t0 < 3000, `SIGTERM took ${Date.now() - t0} ms`);

    const segments = await collector.waitFor(() =>
      collector.segments().length === 2 ? collector.segments() : undefined,
    );
    const cs = segments.find((s) => s.service === 'z3-client');
    const bs = segments.find((s) => s.service === 'z3-backend');
    assert.deepEqual(
      cs.spans.map((s) => [s.spanId, s.spanType, s.componentId, s.operationName, s.peer]),
      [[0, 1, 2, '/back', `127.0.0.1:${port}`]],
    );
    assert.deepEqual(
      bs.spans.map((s) => [s.spanId, s.spanType, s.componentId, s.operationName]),
      [[0, 0, 49, 'GET']],
    );
    assert.deepEqual(bs.spans[0].refs, [
      {
        refType: 0,
        traceId: cs.traceId,
        parentTraceSegmentId: cs.traceSegmentId,
        parentSpanId: 0,
        parentService: 'z3-client',
        parentServiceInstance: 'z3-client-1',
        parentEndpoint: '/back',
        networkAddressUsedAtPeer: `127.0.0.1:${port}`,
      },
    ]);
  } finally {
    if (!ended) backend.child.kill('SIGKILL');
    await collector.stop();
  }
});
