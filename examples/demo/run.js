'use strict';
// `npm run demo`: one request through three services written three ways, reported to the embedded
// collector (or to a real OAP when SW_AGENT_COLLECTOR_BACKEND_SERVICES is set), then the trace tree,
// the topology, and a check that every segment linked. Exit code 0 only when everything linked.
//
//   frontend  (official SkyWalking Node agent)  GET /trace
//     -> server-1 (OpenTelemetry NodeSDK + skywalking-bridge processor/propagator)  GET /trace
//          -> server-2 (OpenTracing + skywalking-bridge SkyWalkingTracer)  POST /user/info  (x2)
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const demo = require('./scenario');

const ROOT = join(__dirname, '..', '..');
const REQUESTS = Number(process.env.DEMO_REQUESTS || 3);
const external = (process.env.SW_AGENT_COLLECTOR_BACKEND_SERVICES || '').trim();
const tty = process.stdout.isTTY;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const children = [];
// --via-log: server-1 and server-2 report through their stdout (reporter 'line'), each piped into
// its own `skywalking-bridge forward`, which sends the lines on (docs/log-pipeline.md)
const viaLog = process.argv.includes('--via-log');
const forwards = [];

function step(message) {
  process.stdout.write(`${bold('›')} ${message}\n`);
}

/** Start `node file` and resolve with its port once it prints `listening on <port>`. */
function startProcess(name, file, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      // the OTel SDK's default OTLP metrics/logs exporters off: nothing listens on localhost:4318 here,
      // and their retries would hold each process ~8 s at exit
      env: { ...process.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    if (viaLog && env.SW_BRIDGE_REPORTER === 'line') {
      const cli = join(ROOT, 'dist', 'entry', 'cli.js');
      const forward = spawn(
        process.execPath,
        [cli, 'forward', '--collector', env.SW_AGENT_COLLECTOR_BACKEND_SERVICES],
        {
          stdio: ['pipe', 'inherit', 'inherit'],
        },
      );
      child.stdout.pipe(forward.stdin);
      forwards.push(forward);
    }
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${out}`)), 30_000);
    timer.unref();
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name, port: Number(m[1]), child, output: () => out });
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it listened:\n${out}`));
    });
  });
}

async function stopAll() {
  await stopEach(children);
  // the forwarders end by themselves once their service's stdout closed and its lines were delivered
  await Promise.all(forwards.map((f) => (f.exitCode !== null ? undefined : new Promise((r) => f.once('exit', r)))));
}

async function stopEach(list) {
  await Promise.all(
    list.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const kill = setTimeout(() => c.kill('SIGKILL'), 5000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

async function get(url) {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

async function main() {
  let collector;
  let address = external;
  if (external) {
    step(`reporting to the SkyWalking OAP at ${external} (SW_AGENT_COLLECTOR_BACKEND_SERVICES)`);
  } else {
    const { startCollector } = require(join(ROOT, 'dist', 'collector'));
    collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    address = collector.grpcAddress;
    step(`embedded collector: gRPC ${collector.grpcAddress}, JSON API ${collector.httpUrl}`);
  }

  const common = {
    SW_AGENT_COLLECTOR_BACKEND_SERVICES: address,
    SW_BRIDGE_FLUSH_INTERVAL: '200',
    OTEL_LOG_LEVEL: 'error',
  };
  const ours = viaLog ? { ...common, SW_BRIDGE_REPORTER: 'line' } : common;
  if (viaLog) step('--via-log: server-1 and server-2 write their segments and logs as lines; `forward` sends them on');
  const server2 = await startProcess('server-2', join(ROOT, 'examples/opentracing/server-2.js'), {
    ...ours,
    SW_AGENT_NAME: 'server-2',
    SW_AGENT_INSTANCE_NAME: 'server-2-1',
  });
  const server1 = await startProcess('server-1', join(ROOT, 'examples/opentelemetry/server-1.js'), {
    ...ours,
    SW_AGENT_NAME: 'server-1',
    SW_AGENT_INSTANCE_NAME: 'server-1-1',
    SERVER2_URL: `http://127.0.0.1:${server2.port}`,
  });
  const frontend = await startProcess('frontend', join(ROOT, 'examples/demo/frontend.js'), {
    ...common,
    SW_AGENT_NAME: 'frontend',
    SW_AGENT_INSTANCE: 'frontend-1',
    SW_AGENT_LOGGING_LEVEL: 'error',
    SERVER1_URL: `http://127.0.0.1:${server1.port}`,
  });
  step(
    `frontend :${frontend.port} (skywalking-backend-js) -> server-1 :${server1.port} (OpenTelemetry) -> server-2 :${server2.port} (OpenTracing)`,
  );

  for (let i = 1; i <= REQUESTS; i++) {
    const res = await get(`http://127.0.0.1:${frontend.port}/trace`);
    step(`GET /trace #${i} -> ${res.status} ${res.body.length > 80 ? `${res.body.slice(0, 77)}...` : res.body}`);
    if (res.status !== 200) throw new Error(`request ${i} failed with ${res.status}: ${res.body}`);
  }

  if (!collector) {
    step('waiting 5 s for the services to report, then stopping them');
    await new Promise((r) => setTimeout(r, 5000));
    await stopAll();
    step(
      `done. Open the SkyWalking UI: services frontend, server-1, server-2 under General Service; Trace view; Topology.`,
    );
    return 0;
  }

  step(`waiting for ${REQUESTS} traces of ${demo.SEGMENTS_PER_TRACE} segments each`);
  let received = 0;
  const traces = await demo.waitForTraces(collector, REQUESTS, (n) => {
    received = n;
    if (tty) process.stdout.write(`  ${n} segments received\r`);
  });
  process.stdout.write(`  ${received} segments received\n`);
  await stopAll(); // the services flush their logs as they stop
  await demo.waitForLogs(collector, traces);

  const result = demo.check(collector, traces);
  process.stdout.write(`\n${result.rendered}\n`);
  if (result.failures.length > 0) {
    process.stdout.write(`${bold('FAILED')}: ${result.failures.length} problem(s):\n`);
    for (const f of result.failures) process.stdout.write(`  - ${f}\n`);
    await collector.stop();
    return 1;
  }
  step(`all ${traces.length} traces linked: ${result.summary}`);
  if (process.argv.includes('--keep')) {
    step(`web UI: ${collector.httpUrl}/ (the traces, their logs, the topology); Ctrl-C to stop`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } else {
    step(`run \`npm run demo -- --keep\` to keep the collector and open its web UI`);
  }
  await collector.stop();
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch(async (err) => {
    process.stderr.write(`demo failed: ${err && err.stack ? err.stack : err}\n`);
    await stopAll();
    process.exit(1);
  });
